"""GET|HEAD /storage/{storage_path}: a map's files by storage path — ranges, validators, signed
URLs for private maps, and nothing outside the maps' own files."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from jobs_support import Tenant
from litestar import Litestar
from maps_support import SIGNING_SECRET, Site, assert_problem, purge_receiver, running_site
from maps_support import site_sections as sections

from ogplatform.storage.signing import UrlSigner


@pytest.fixture
async def site(
    app_factory: Callable[..., Litestar], tmp_path: Path, database_url: str
) -> AsyncIterator[Site]:
    async with purge_receiver() as cdn:
        app = app_factory(**sections(cdn))
        async with running_site(app, cdn, tmp_path, database_url) as running:
            yield running


async def _public_map(site: Site, tenant: Tenant) -> tuple[dict[str, Any], str, bytes]:
    """A completed job, its map file's URL, and the bytes on disk."""
    job = await site.new_map(tenant)
    asset = next(asset for asset in job["assets"] if asset["kind"] == "map")
    data = (site.storage_root / asset["storage_path"]).read_bytes()
    return job, f"/storage/{asset['storage_path']}", data


async def test_whole_file_head_and_validators(site: Site, tenant: Tenant) -> None:
    job, url, data = await _public_map(site, tenant)
    assert url == next(a["url"] for a in job["assets"] if a["kind"] == "map")  # the job's URL
    whole = await site.client.get(url)
    assert whole.status_code == 200 and whole.content == data
    assert whole.headers["content-length"] == str(len(data))
    assert whole.headers["content-type"] == "image/png"
    assert whole.headers["accept-ranges"] == "bytes"
    assert whole.headers["cache-control"] == "public, max-age=3600"
    assert whole.headers["surrogate-key"] == f"map map-{job['map_id']}"
    etag = whole.headers["etag"]
    assert re.fullmatch(r'"[0-9a-f]{64}"', etag)

    head = await site.client.head(url)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(data))
    assert head.headers["etag"] == etag and head.headers["content-type"] == "image/png"

    for validator in (etag, f"W/{etag}", f'"nope", {etag}', "*"):
        cached = await site.client.get(url, headers={"If-None-Match": validator})
        assert cached.status_code == 304 and cached.content == b"", validator
        assert cached.headers["etag"] == etag
    stale = await site.client.get(url, headers={"If-None-Match": '"something-else"'})
    assert stale.status_code == 200 and stale.content == data


async def test_byte_ranges(site: Site, tenant: Tenant) -> None:
    _, url, data = await _public_map(site, tenant)
    size = len(data)
    cases = {
        "bytes=0-9": (0, 9),  # the first ten bytes
        "bytes=-25": (size - 25, size - 1),  # suffix: the last 25
        f"bytes={size - 100}-": (size - 100, size - 1),  # open-ended
        "bytes=100-199": (100, 199),
        f"bytes=10-{size + 500}": (10, size - 1),  # an end past the object is clamped
        f"bytes=-{size + 10}": (0, size - 1),  # a suffix longer than the object: all of it
        "bytes=0-0": (0, 0),
        f"bytes={size - 1}-": (size - 1, size - 1),
    }
    for header, (first, last) in cases.items():
        part = await site.client.get(url, headers={"Range": header})
        assert part.status_code == 206, header
        assert part.content == data[first : last + 1], header
        assert part.headers["content-range"] == f"bytes {first}-{last}/{size}", header
        assert part.headers["content-length"] == str(last - first + 1), header
        assert part.headers["content-type"] == "image/png"
        head = await site.client.head(url, headers={"Range": header})
        assert head.status_code == 206 and head.content == b""
        assert head.headers["content-range"] == f"bytes {first}-{last}/{size}"

    for header in (f"bytes={size}-", f"bytes={size + 5}-{size + 10}", "bytes=-0"):
        refused = await site.client.get(url, headers={"Range": header})
        assert assert_problem(refused, 416)["code"] == "RANGE_NOT_SATISFIABLE", header
        assert refused.headers["content-range"] == f"bytes */{size}"

    # Ignored, as RFC 9110 allows: other units, bad syntax, several ranges.
    for header in ("items=0-5", "bytes=abc", "bytes=9-3", "bytes=0-1,5-6", "bytes="):
        whole = await site.client.get(url, headers={"Range": header})
        assert whole.status_code == 200 and whole.content == data, header

    etag = (await site.client.head(url)).headers["etag"]
    current = await site.client.get(url, headers={"Range": "bytes=0-9", "If-Range": etag})
    assert current.status_code == 206 and current.content == data[:10]
    changed = await site.client.get(url, headers={"Range": "bytes=0-9", "If-Range": '"old"'})
    assert changed.status_code == 200 and changed.content == data
    revalidated = await site.client.get(url, headers={"Range": "bytes=0-9", "If-None-Match": etag})
    assert revalidated.status_code == 304


async def test_only_the_files_of_maps_are_served(site: Site, tenant: Tenant) -> None:
    job, url, _ = await _public_map(site, tenant)
    # Objects in storage that belong to no map stay unreachable, however they are named.
    await site.runtime.storage.put("other/secret.txt", b"not a map", "text/plain")
    await site.runtime.storage.put(
        "maps/og-images/2489e9ad-2ee2-4e00-8ec9-32d5f69181c0.png", b"orphan", "image/png"
    )
    forged = f"maps/{tenant.project_id}/{job['id']}/map.svg"  # right ids, another file name
    await site.runtime.storage.put(forged, b"<svg/>", "image/svg+xml")
    for path in (
        "other/secret.txt",
        "maps/og-images/2489e9ad-2ee2-4e00-8ec9-32d5f69181c0.png",
        forged,
        f"maps/thumbnails/{job['map_id']}.jpg",
        "maps",
        "jobs.db",
    ):
        assert_problem(await site.client.get(f"/storage/{quote(path)}"), 404)
    assert (await site.client.get(url)).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "maps/%2e%2e/%2e%2e/jobs.db",
        "maps/og-images/..%2F..%2F..%2Fjobs.db",
        "%2e%2e/jobs.db",
        ".meta/maps/thumbnails/x.png.json",
        "maps/og-images/x.png%00",
        "maps/a%5Cb.png",
    ],
)
async def test_traversal_is_refused_before_the_filesystem(
    site: Site, tenant: Tenant, path: str
) -> None:
    refused = await site.client.get(f"/storage/{path}")
    assert assert_problem(refused, 400)["code"] == "INVALID_PATH"


async def test_doubled_slashes_are_collapsed_by_the_router(site: Site, tenant: Tenant) -> None:
    _, url, data = await _public_map(site, tenant)
    doubled = url.replace("/maps/", "/maps//", 1)
    assert (await site.client.get(doubled)).content == data  # the same, canonical object
    # An absolute path becomes a relative key that is no map's file.
    assert_problem(await site.client.get("/storage/%2Fetc/passwd"), 404)


async def test_signed_urls_of_private_maps(site: Site, tenant: Tenant) -> None:
    job = await site.new_map(tenant)
    map_id = job["map_id"]
    await site.set_visibility(map_id, "private")
    assets = {a["kind"]: a for a in (await site.job_view(tenant, job["id"]))["assets"]}
    asset = assets["og_image"]
    key, url = asset["storage_path"], asset["url"]
    assert url.startswith(f"/storage/{key}?expires=")
    plain = f"/storage/{key}"
    data = (site.storage_root / key).read_bytes()

    ok = await site.client.get(url)
    assert ok.status_code == 200 and ok.content == data
    assert ok.headers["cache-control"] == "private, no-store"
    assert "surrogate-key" not in ok.headers and "cache-tag" not in ok.headers
    ranged = await site.client.get(url, headers={"Range": "bytes=-4"})
    assert ranged.status_code == 206 and ranged.content == data[-4:]
    assert (await site.client.head(url)).status_code == 200

    assert_problem(await site.client.get(plain), 404)  # no key, no signature: not there
    assert (await site.client.get(plain, headers=tenant.auth)).status_code == 200

    signer = UrlSigner(SIGNING_SECRET.encode(), 3600)
    good = signer.sign(key)
    expired_at = str(int(time.time()) - 1)
    refusals = {
        "expired": {"expires": expired_at, "signature": signer.signature(key, int(expired_at))},
        "tampered": {**good, "signature": good["signature"][:-1] + "0"},
        "longer life": {**good, "expires": str(int(good["expires"]) + 300)},
        "other key": {
            **good,
            "signature": signer.signature(
                assets["thumbnail"]["storage_path"], int(good["expires"])
            ),
        },
        "other secret": {
            **good,
            "signature": UrlSigner(b"s" * 32, 60).signature(key, int(good["expires"])),
        },
        "no signature": {"expires": good["expires"]},
        "no expiry": {"signature": good["signature"]},
        "not a time": {**good, "expires": "tomorrow"},
    }
    if refusals["tampered"]["signature"] == good["signature"]:
        refusals["tampered"]["signature"] = good["signature"][:-1] + "1"
    for why, params in refusals.items():
        refused = await site.client.get(plain, params=params)
        assert assert_problem(refused, 403)["code"] == "INVALID_SIGNATURE", why
    expired = await site.client.get(plain, params=refusals["expired"])
    assert expired.json()["detail"] == "this signed URL has expired"
    # A signature is checked before the path is looked up: no answer tells what exists.
    ghost = "maps/og-images/2489e9ad-2ee2-4e00-8ec9-32d5f69181c0.png"
    assert_problem(await site.client.get(f"/storage/{ghost}", params=refusals["tampered"]), 403)
    assert_problem(await site.client.get(f"/storage/{ghost}", params=signer.sign(ghost)), 404)

    # Deleting the map voids its signed URLs along with its files.
    assert (await site.client.delete(f"/maps/{map_id}/", headers=tenant.auth)).status_code == 204
    assert_problem(await site.client.get(url), 404)


async def test_public_maps_use_the_backends_public_url_private_ones_never(
    app_factory: Callable[..., Litestar], tmp_path: Path, database_url: str, tenant: Tenant
) -> None:
    async with purge_receiver() as cdn:
        app = app_factory(**sections(cdn, options={"root": str(tmp_path / "storage"),
                                                    "public_url": "https://media.example.com/o"}),
                          server={"public_url": "https://maps.example.com"})  # fmt: skip
        async with running_site(app, cdn, tmp_path, database_url) as site:
            job = await site.new_map(tenant)
            for asset in job["assets"]:
                assert asset["url"] == f"https://media.example.com/o/{asset['storage_path']}"
            await site.set_visibility(job["map_id"], "private")
            for asset in (await site.job_view(tenant, job["id"]))["assets"]:
                prefix = f"https://maps.example.com/storage/{asset['storage_path']}?expires="
                assert asset["url"].startswith(prefix)
                relative = asset["url"].removeprefix("https://maps.example.com")
                assert (await site.client.get(relative)).status_code == 200
            meta = (await site.client.get(f"/maps/{job['map_id']}/", headers=tenant.auth)).json()
            assert meta["image_url"] == f"https://maps.example.com/maps/{job['map_id']}/image/"
            assert all("?expires=" in url for url in meta["download_urls"].values())


async def test_a_generated_signing_secret_is_kept_and_shared(
    app_factory: Callable[..., Litestar], tmp_path: Path, database_url: str, tenant: Tenant
) -> None:
    secret_file = tmp_path / "state" / "signing.key"
    storage = {"signing_secret": "", "signing_secret_file": str(secret_file)}
    async with purge_receiver() as cdn:
        first = app_factory(cache={"disk": False}, storage=storage)
        async with running_site(first, cdn, tmp_path, database_url) as site:
            job = await site.new_map(tenant)
            await site.set_visibility(job["map_id"], "private")
            url = (await site.job_view(tenant, job["id"]))["assets"][0]["url"]
            assert "signature=" in url
        assert secret_file.stat().st_mode & 0o777 == 0o600
        assert len(secret_file.read_text().strip()) == 64
        # Another process (here: another app) on the same state folder honours the URL.
        second = app_factory(cache={"disk": False}, storage=storage)
        async with running_site(second, cdn, tmp_path, database_url) as other_site:
            assert (await other_site.client.get(url)).status_code == 200
