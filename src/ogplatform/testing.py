"""The conformance kit for plugin authors: call these from your own tests to check a plugin.

Each ``check_*`` function drives a plugin through its contract and fails with a plain
``AssertionError`` that says which promise was broken::

    async def test_my_backend(tmp_path):
        await check_storage_backend(MyBackend(tmp_path))
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from ogplatform.plugins.storage import (
    InvalidKeyError,
    ObjectNotFoundError,
    RangeReadable,
    StorageBackend,
    StoredObject,
)

__all__ = ["check_storage_backend"]

# Keys every backend must refuse; each is a classic way out of a folder or into a confusion.
_HOSTILE_KEYS = (
    "",
    "..",
    "a/../b",
    "./a",
    "/etc/passwd",
    "a\\b",
    "a\x00b",
    "a\nb",
    "C:/x",
    "a//b",
    "a/",
    ".meta/x",
    "e\u0301.png",  # decomposed é: not NFC
    "a b",
    "%2e%2e/x",
    "a?b",
    "a#b",
    "x" * 600,
)
_STREAM_CHUNK_SIZES = (1_000, 4_096, 64 * 1024, 1024 * 1024)


async def _expect_raises(
    exc_type: type[BaseException], action: Callable[[], Awaitable[Any]], what: str
) -> None:
    try:
        await action()
    except exc_type:
        return
    except Exception as exc:
        raise AssertionError(f"{what} raised {exc!r}, expected {exc_type.__name__}") from exc
    raise AssertionError(f"{what} returned normally, expected {exc_type.__name__}")


async def _read_stream(backend: StorageBackend, key: str, chunk_size: int) -> bytes:
    chunks = []
    stream: AsyncIterator[bytes] = backend.stream(key, chunk_size)
    async for chunk in stream:
        assert isinstance(chunk, bytes), f"stream({key!r}) yielded {type(chunk).__name__}"
        assert chunk, f"stream({key!r}, {chunk_size}) yielded an empty chunk"
        chunks.append(chunk)
    return b"".join(chunks)


def _check_described(
    obj: StoredObject, key: str, data: bytes, content_type: str, what: str
) -> None:
    expected = StoredObject(
        key=key, size=len(data), content_type=content_type, etag=hashlib.sha256(data).hexdigest()
    )
    assert obj == expected, f"{what} returned {obj!r}, expected {expected!r}"


async def _check_round_trip(backend: StorageBackend, key: str, data: bytes, ctype: str) -> None:
    stored = await backend.put(key, data, ctype)
    _check_described(stored, key, data, ctype, f"put({key!r})")
    obj, got = await backend.get(key)
    assert got == data, (
        f"get({key!r}) returned {len(got)} bytes that differ from the {len(data)} put"
    )
    _check_described(obj, key, data, ctype, f"get({key!r})")
    stat = await backend.stat(key)
    assert stat is not None, f"stat({key!r}) returned None after put"
    _check_described(stat, key, data, ctype, f"stat({key!r})")
    assert await backend.exists(key), f"exists({key!r}) is False after put"
    for chunk_size in _STREAM_CHUNK_SIZES:
        streamed = await _read_stream(backend, key, chunk_size)
        assert streamed == data, f"stream({key!r}, {chunk_size}) yielded other bytes than put"


async def _check_absent(backend: StorageBackend, key: str) -> None:
    assert await backend.stat(key) is None, f"stat({key!r}) is not None for a missing object"
    assert not await backend.exists(key), f"exists({key!r}) is True for a missing object"
    await _expect_raises(ObjectNotFoundError, lambda: backend.get(key), f"get({key!r})")
    await _expect_raises(
        ObjectNotFoundError, lambda: _read_stream(backend, key, 1024), f"stream({key!r})"
    )


async def _check_hostile_keys(backend: StorageBackend) -> None:
    for key in _HOSTILE_KEYS:
        for name, action in (
            ("put", lambda k=key: backend.put(k, b"x", "text/plain")),
            ("get", lambda k=key: backend.get(k)),
            ("stat", lambda k=key: backend.stat(k)),
            ("exists", lambda k=key: backend.exists(k)),
            ("delete", lambda k=key: backend.delete(k)),
            ("stream", lambda k=key: _read_stream(backend, k, 1024)),
        ):
            await _expect_raises(InvalidKeyError, action, f"{name}({key[:80]!r})")
        try:
            url = backend.url(key)
        except InvalidKeyError:
            continue
        raise AssertionError(f"url({key[:80]!r}) returned {url!r}, expected InvalidKeyError")


async def _check_range_reads(backend: RangeReadable, key: str, data: bytes) -> None:
    """The optional ``stream_range``: any window of the object, clamped at its end."""
    size = len(data)
    for offset, length in ((0, 10), (size - 7, 7), (1000, 70_000), (size - 3, 100), (size, 5),
                           (size + 10, 5), (0, 0), (12_345, 1)):  # fmt: skip
        for chunk_size in (1_000, 64 * 1024):
            chunks = []
            async for chunk in backend.stream_range(key, offset, length, chunk_size):
                assert chunk, f"stream_range({key!r}, {offset}, {length}) yielded an empty chunk"
                chunks.append(chunk)
            got, expected = b"".join(chunks), data[offset : offset + length]
            assert got == expected, (
                f"stream_range({key!r}, {offset}, {length}, {chunk_size}) yielded {len(got)} "
                f"bytes, expected {len(expected)} of the object"
            )
    await _expect_raises(
        ValueError,
        lambda: backend.stream_range(key, -1, 5).__anext__(),
        f"stream_range({key!r}, -1, 5)",
    )
    missing = f"{key}-missing"
    await _expect_raises(
        ObjectNotFoundError,
        lambda: backend.stream_range(missing, 0, 5).__anext__(),
        f"stream_range({missing!r})",
    )


async def check_storage_backend(backend: StorageBackend) -> None:
    """Drive ``backend`` through the StorageBackend contract; raise AssertionError on a breach.

    Only keys under a fresh random prefix are touched, and they are deleted afterwards, so it
    is safe to run against a shared bucket or folder.
    """
    assert isinstance(backend, StorageBackend), f"{backend!r} lacks StorageBackend methods"
    await backend.check()
    prefix = f"ogplatform-conformance/{uuid.uuid4().hex}"
    key = f"{prefix}/maps/og-images/card.png"
    made = [key, f"{prefix}/empty.txt", f"{prefix}/cartes/été/ünïcode.txt"]
    try:
        await _check_absent(backend, key)
        assert not await backend.delete(key), f"delete({key!r}) is True for a missing object"

        await _check_round_trip(backend, key, os.urandom(150_001), "image/png")
        # Overwrite with other bytes, size and type: nothing of the first version may remain.
        await _check_round_trip(backend, key, os.urandom(70_003), "image/webp")
        if isinstance(backend, RangeReadable):
            _, current = await backend.get(key)
            await _check_range_reads(backend, key, current)
        await _check_round_trip(backend, made[1], b"", "text/plain")
        await _check_round_trip(backend, made[2], b"bonjour", "text/plain; charset=utf-8")
        url = backend.url(key)
        assert url is None or isinstance(url, str), f"url({key!r}) returned {url!r}"

        assert await backend.delete(key) is True, f"delete({key!r}) is not True for an object"
        await _check_absent(backend, key)
        assert await backend.delete(key) is False, f"second delete({key!r}) is not False"

        await _check_hostile_keys(backend)
    finally:
        for made_key in made:
            await backend.delete(made_key)
