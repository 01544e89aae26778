"""Stored objects over HTTP (ogplatform.storage.http) and signed download URLs
(ogplatform.storage.signing), without the maps around them."""

from __future__ import annotations

import os
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar, Request, Response, get
from litestar.params import FromPath

from ogplatform.errors import ApiError, handle_exception
from ogplatform.plugins.storage import RangeReadable, StoredObject
from ogplatform.settings import StorageSettings
from ogplatform.storage import LocalStorage
from ogplatform.storage.http import object_response, parse_range
from ogplatform.storage.signing import ROUNDING, SignatureError, UrlSigner, url_signer

# -- parse_range ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-9", (0, 10, "bytes 0-9/1000")),
        ("bytes=990-", (990, 10, "bytes 990-999/1000")),
        ("bytes=-10", (990, 10, "bytes 990-999/1000")),
        ("bytes=-5000", (0, 1000, "bytes 0-999/1000")),
        ("bytes=500-99999", (500, 500, "bytes 500-999/1000")),
        ("bytes=999-999", (999, 1, "bytes 999-999/1000")),
        (" bytes = 1 - 2 ", (1, 2, "bytes 1-2/1000")),
    ],
)
def test_satisfiable_ranges(header: str, expected: tuple[int, int, str]) -> None:
    found = parse_range(header, 1000)
    assert found is not None
    assert (found.offset, found.length, found.content_range) == expected


@pytest.mark.parametrize(
    "header", [None, "", "bytes=", "bytes=-", "bytes=5-1", "bytes=0-1,3-4", "pages=1-2", "bytes=x-"]
)
def test_ranges_that_are_ignored(header: str | None) -> None:
    assert parse_range(header, 1000) is None


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=1000-2000", "bytes=-0"])
def test_unsatisfiable_ranges(header: str) -> None:
    with pytest.raises(ApiError) as raised:
        parse_range(header, 1000)
    assert raised.value.status == 416
    assert raised.value.headers["Content-Range"] == "bytes */1000"


def test_an_empty_object_is_always_sent_whole() -> None:
    assert parse_range("bytes=0-0", 0) is None


# -- object_response over a backend without stream_range ----------------------------------------


class _NoRanges:
    """A backend that only has the required methods: ranges are cut out of stream()."""

    def __init__(self, inner: LocalStorage) -> None:
        self.inner = inner

    async def stat(self, key: str) -> StoredObject | None:
        return await self.inner.stat(key)

    def stream(self, key: str, chunk_size: int = 64 * 1024) -> AsyncIterator[bytes]:
        return self.inner.stream(key, 1000)  # small chunks: ranges straddle them


@pytest.mark.parametrize("ranged", [True, False])
async def test_ranges_with_and_without_stream_range(tmp_path: Path, ranged: bool) -> None:
    local = LocalStorage(tmp_path)
    data = os.urandom(10_000)
    await local.put("a/blob.bin", data, "application/octet-stream")
    backend: Any = local if ranged else _NoRanges(local)
    assert isinstance(backend, RangeReadable) is ranged

    @get("/{key:path}")
    async def serve(request: Request[Any, Any, Any], key: FromPath[str]) -> Response[Any]:
        missing = ApiError(404, "no such object")
        return await object_response(request, backend, key.lstrip("/"), {}, missing=missing)

    app: Any = Litestar([serve], exception_handlers={Exception: handle_exception})
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        for first, last in ((0, 9), (999, 1000), (1500, 4321), (9990, 9999), (0, 9999)):
            part = await client.get("/a/blob.bin", headers={"Range": f"bytes={first}-{last}"})
            assert part.status_code == 206
            assert part.content == data[first : last + 1], (first, last)
        assert (await client.get("/a/blob.bin")).content == data
        assert (await client.get("/a/none.bin")).status_code == 404


# -- signing ----------------------------------------------------------------------------------

SECRET = b"k" * 32


def test_signed_urls_verify_until_they_expire() -> None:
    signer = UrlSigner(SECRET, 3600)
    params = signer.sign("maps/x.png", now=1_000_000)
    expires = int(params["expires"])
    assert expires % ROUNDING == 0 and 1_003_600 <= expires < 1_003_600 + ROUNDING
    assert signer.sign("maps/x.png", now=1_000_001) == params  # stable within a step
    signer.verify("maps/x.png", params["expires"], params["signature"], now=expires - 1)
    signer.verify("maps/x.png", params["expires"], params["signature"].upper(), now=expires - 1)
    with pytest.raises(SignatureError, match="expired"):
        signer.verify("maps/x.png", params["expires"], params["signature"], now=expires)
    for key, when, signature in (
        ("maps/y.png", params["expires"], params["signature"]),
        ("maps/x.png", str(expires + 1), params["signature"]),
        ("maps/x.png", params["expires"], params["signature"][:-2]),
        ("maps/x.png", "-5", params["signature"]),
        ("maps/x.png", "1" * 13, params["signature"]),
        ("maps/x.png", "١٢٣", params["signature"]),  # non-ASCII digits are not a time
    ):
        with pytest.raises(SignatureError):
            signer.verify(key, when, signature, now=0)
    other = UrlSigner(b"o" * 32, 3600)
    with pytest.raises(SignatureError, match="not valid"):
        other.verify("maps/x.png", params["expires"], params["signature"], now=0)


def test_short_secrets_are_refused() -> None:
    with pytest.raises(ValueError, match="32"):
        UrlSigner(b"short", 60)
    with pytest.raises(ValueError, match="32"):
        StorageSettings(signing_secret="too short")


def test_a_missing_secret_file_is_created_once_even_by_racing_processes(tmp_path: Path) -> None:
    path = tmp_path / "state" / "signing.key"
    settings = StorageSettings(signing_secret_file=str(path))
    signers: list[UrlSigner] = []
    # lru_cache is per path name; distinct spellings of one path race on the file itself.
    names = [str(path)] + [f"{tmp_path}/state/{'./' * n}signing.key" for n in range(1, 8)]
    threads = [
        threading.Thread(
            target=lambda n=name: signers.append(url_signer(StorageSettings(signing_secret_file=n)))
        )
        for name in names
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    signatures = {signer.signature("k", 1) for signer in signers}
    assert len(signers) == len(names) and len(signatures) == 1
    assert path.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == ["signing.key"]  # no temp files
    assert url_signer(settings).signature("k", 1) in signatures
    explicit = url_signer(StorageSettings(signing_secret="e" * 32))
    assert explicit.signature("k", 1) not in signatures


def test_an_unusable_secret_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.key"
    path.write_text("\n")
    with pytest.raises(ValueError, match="no usable"):
        url_signer(StorageSettings(signing_secret_file=str(path)))


def test_the_secret_file_resolves_against_the_configuration_folder(config_dir: Path) -> None:
    from ogplatform.settings import load_settings

    (config_dir / "litestar.toml").write_text(
        '[storage]\nsigning_secret_file = "state/key"\n[storage.options]\nroot = "files"\n'
    )
    storage = load_settings(config_dir / "litestar.toml", environ={}).storage
    assert storage.signing_secret_file == str((config_dir / "state" / "key").resolve())
    assert storage.options["root"] == str((config_dir / "files").resolve())
