"""Stored objects over HTTP: streamed, with ``Content-Length``, a strong ``ETag`` (304 on
``If-None-Match``) and byte ranges (``Range``/``If-Range``: 206, or 416 when unsatisfiable).

Access decisions are the caller's; this module only turns a key into a response.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping
from typing import Any

from litestar import Request, Response
from litestar.response import Stream

from ogplatform.cache.http import matches
from ogplatform.errors import ApiError
from ogplatform.plugins.storage import (
    ObjectNotFoundError,
    RangeReadable,
    StorageBackend,
    StoredObject,
)

__all__ = ["ByteRange", "object_response", "parse_range"]

CHUNK = 64 * 1024
_RANGE = re.compile(r"bytes=(\d{0,19})-(\d{0,19})")


class ByteRange:
    """``length`` bytes from ``offset`` of an object of ``size`` bytes."""

    __slots__ = ("length", "offset", "size")

    def __init__(self, offset: int, length: int, size: int) -> None:
        self.offset, self.length, self.size = offset, length, size

    @property
    def content_range(self) -> str:
        return f"bytes {self.offset}-{self.offset + self.length - 1}/{self.size}"


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """One ``bytes=`` range of RFC 9110 (``a-b``, ``a-``, ``-n``) resolved against ``size``.

    None means "send the whole object": no header, a malformed one, several ranges (allowed to
    be ignored) or an empty object. An unsatisfiable range raises the 416 ``ApiError``.
    """
    if not header or size == 0:
        return None
    found = _RANGE.fullmatch(header.strip().replace(" ", ""))
    if found is None:
        return None
    first, last = found.groups()
    if not first and not last:
        return None
    if not first:  # suffix: the last n bytes
        suffix = int(last)
        if suffix == 0:
            raise _unsatisfiable(size)
        start = max(0, size - suffix)
        return ByteRange(start, size - start, size)
    start = int(first)
    end = size - 1 if not last else min(int(last), size - 1)
    if last and int(last) < start:
        return None  # invalid syntax (last before first): ignored, as RFC 9110 says
    if start >= size:
        raise _unsatisfiable(size)
    return ByteRange(start, end - start + 1, size)


def _unsatisfiable(size: int) -> ApiError:
    return ApiError(
        416,
        f"Range not satisfiable: the object is {size} bytes",
        code="RANGE_NOT_SATISFIABLE",
        headers={"Content-Range": f"bytes */{size}", "Accept-Ranges": "bytes"},
    )


async def object_response(
    request: Request[Any, Any, Any],
    storage: StorageBackend,
    key: str,
    headers: Mapping[str, str],
    *,
    missing: ApiError,
) -> Response[Any]:
    """The object under ``key`` as a 200, 206, 304 or HEAD response with ``headers`` added.

    Raises ``missing`` when nothing is stored under the key, or the 416 ``ApiError``.
    """
    stored = await storage.stat(key)
    if stored is None:
        raise missing
    etag = f'"{stored.etag}"'
    common = {"ETag": etag, "Accept-Ranges": "bytes", **headers}
    if matches(request.headers.get("if-none-match"), etag):
        return Response(b"", status_code=304, headers=common, media_type=stored.content_type)
    wanted = None
    if_range = request.headers.get("if-range")
    if if_range is None or if_range.strip() == etag:  # If-Range: only while it is unchanged
        wanted = parse_range(request.headers.get("range"), stored.size)
    status, length = (200, stored.size) if wanted is None else (206, wanted.length)
    if wanted is not None:
        common["Content-Range"] = wanted.content_range
    common["Content-Length"] = str(length)
    if request.method == "HEAD":
        return Response(b"", status_code=status, headers=common, media_type=stored.content_type)
    chunks = _read(storage, stored, wanted)
    try:
        # Open now, so an object deleted since stat() is still a clean error, not a cut stream.
        first = await anext(chunks, b"")
    except ObjectNotFoundError:
        raise missing from None
    return Stream(
        _prepend(first, chunks),
        status_code=status,
        headers=common,
        media_type=stored.content_type,
    )


def _read(
    storage: StorageBackend, stored: StoredObject, wanted: ByteRange | None
) -> AsyncIterator[bytes]:
    if wanted is None:
        return storage.stream(stored.key, CHUNK)
    if isinstance(storage, RangeReadable):
        return storage.stream_range(stored.key, wanted.offset, wanted.length, CHUNK)
    return _skip_through(storage.stream(stored.key, CHUNK), wanted)


async def _skip_through(chunks: AsyncIterator[bytes], wanted: ByteRange) -> AsyncIterator[bytes]:
    """A range cut out of a whole-object stream, for backends without ``stream_range``."""
    position, end = 0, wanted.offset + wanted.length
    async for chunk in chunks:
        low, high = max(wanted.offset - position, 0), min(end - position, len(chunk))
        position += len(chunk)
        if low < high:
            yield chunk[low:high]
        if position >= end:
            break


async def _prepend(first: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    if first:
        yield first
    async for chunk in rest:
        yield chunk
