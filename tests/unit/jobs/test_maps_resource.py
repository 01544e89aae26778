"""The maps resource: GET/PATCH/DELETE /maps/{map_id}/ and the image routes — who may do what,
what may be cached, what a change purges, and the problem details of every refusal."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from jobs_support import Tenant, new_tenant
from litestar import Litestar
from maps_support import (
    ADMIN,
    Site,
    assert_problem,
    purge_receiver,
    running_site,
    site_sections,
)
from PIL import Image

from ogplatform.cache import CachedImage

UNKNOWN = "2489e9ad-2ee2-4e00-8ec9-32d5f69181c0"
IMAGE_ROUTES = {"og-image": 86400, "thumbnail": 3600, "image": 3600}


@pytest.fixture
async def site(
    app_factory: Callable[..., Litestar], tmp_path: Path, database_url: str
) -> AsyncIterator[Site]:
    async with purge_receiver() as cdn:
        app = app_factory(**site_sections(cdn))
        async with running_site(app, cdn, tmp_path, database_url) as running:
            yield running


@pytest.fixture
async def other(database_url: str, tenant: Tenant) -> Tenant:
    """A second project, with its own key (``tenant`` first: it migrates the database)."""
    return await new_tenant(database_url, "other")


# -- GET metadata -----------------------------------------------------------------------------


async def test_metadata_of_a_public_map(site: Site, tenant: Tenant) -> None:
    job = await site.new_map(tenant)
    map_id = job["map_id"]
    response = await site.client.get(f"/maps/{map_id}/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body == {
        "id": map_id,
        "project_id": tenant.project_id,
        "job_id": job["id"],
        "title": "Luxembourg",
        "visibility": "public",  # the project's default
        "location": job["location"],
        "theme": "modern",
        "width": 400,
        "height": 300,
        "output_format": "png",
        "created_at": body["created_at"],
        "image_url": f"/maps/{map_id}/image/",
        "thumbnail_url": f"/maps/{map_id}/thumbnail/",
        "og_image_url": f"/maps/{map_id}/og-image/",
        "download_urls": {asset["kind"]: asset["url"] for asset in job["assets"]},
    }
    assert set(body["location"]) == {"id", "code", "name", "type"}
    assert body["location"]["type"] == "country"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body["created_at"])
    assert body["download_urls"]["og_image"] == f"/storage/maps/og-images/{map_id}.png"
    assert response.headers["cache-control"] == "public, max-age=300"
    assert response.headers["surrogate-key"] == f"map map-{map_id}"
    assert response.headers["cache-tag"] == f"map,map-{map_id}"
    etag = response.headers["etag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
    again = await site.client.get(f"/maps/{map_id}/", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag and again.headers["surrogate-key"] == f"map map-{map_id}"


async def test_unknown_and_malformed_map_ids(site: Site, tenant: Tenant) -> None:
    for method in ("GET", "PATCH", "DELETE"):
        headers = tenant.auth if method != "GET" else {}
        kwargs: dict[str, Any] = {"json": {"title": "x"}} if method == "PATCH" else {}
        for route in ("", "og-image/", "thumbnail/", "image/"):
            if route and method != "GET":
                continue
            url = f"/maps/{UNKNOWN}/{route}"
            missing = await site.client.request(method, url, headers=headers, **kwargs)
            assert assert_problem(missing, 404)["detail"] == "Map not found"
            malformed = await site.client.request(
                method, f"/maps/not-a-uuid/{route}", headers=headers, **kwargs
            )
            assert assert_problem(malformed, 422)["detail"] == "map_id must be a UUID"
    bad_key = await site.client.get(
        f"/maps/{UNKNOWN}/", headers={"Authorization": "Bearer sma_nope"}
    )
    assert assert_problem(bad_key, 401)["code"] == "UNAUTHORIZED"
    assert bad_key.headers["www-authenticate"].startswith("Bearer")


async def test_images_and_their_validators(site: Site, tenant: Tenant) -> None:
    map_id = (await site.new_map(tenant))["map_id"]
    sizes = {"og-image": (1200, 630), "thumbnail": (400, 300), "image": (400, 300)}
    for route, max_age in IMAGE_ROUTES.items():
        response = await site.client.get(f"/maps/{map_id}/{route}/")
        assert response.status_code == 200
        assert response.headers["content-type"] == "image/png"
        assert response.headers["content-length"] == str(len(response.content))
        assert response.headers["cache-control"] == f"public, max-age={max_age}"
        assert response.headers["accept-ranges"] == "bytes"
        assert Image.open(io.BytesIO(response.content)).size == sizes[route]
        etag = response.headers["etag"]
        assert re.fullmatch(r'"[0-9a-f]{64}"', etag)  # the stored SHA-256: strong
        again = await site.client.get(f"/maps/{map_id}/{route}/", headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
        first = await site.client.get(f"/maps/{map_id}/{route}/", headers={"Range": "bytes=0-7"})
        assert first.status_code == 206 and first.content == b"\x89PNG\r\n\x1a\n"
        # HEAD (CDNs and link checkers): the same headers, no body
        head = await site.client.head(f"/maps/{map_id}/{route}/")
        assert head.status_code == 200 and head.content == b""
        for name in ("content-type", "content-length", "cache-control", "etag"):
            assert head.headers[name] == response.headers[name], name


async def test_an_image_missing_from_storage_is_a_conflict(site: Site, tenant: Tenant) -> None:
    map_id = (await site.new_map(tenant))["map_id"]
    (site.storage_root / "maps" / "thumbnails" / f"{map_id}.png").unlink()
    gone = await site.client.get(f"/maps/{map_id}/thumbnail/")
    assert assert_problem(gone, 409)["code"] == "NOT_GENERATED"


# -- the authorization matrix -----------------------------------------------------------------

CALLERS = ("anonymous", "other project's key", "owner's key", "admin token", "invalid key")


def _callers(tenant: Tenant, other: Tenant) -> dict[str, dict[str, str]]:
    return {
        "anonymous": {},
        "other project's key": other.auth,
        "owner's key": tenant.auth,
        "admin token": ADMIN,
        "invalid key": {"Authorization": "Bearer sma_this-key-does-not-exist"},
    }


@pytest.mark.parametrize("visibility", ["public", "unlisted", "private"])
async def test_authorization_matrix(
    site: Site, tenant: Tenant, other: Tenant, visibility: str
) -> None:
    job = await site.new_map(tenant)
    map_id = job["map_id"]
    await site.set_visibility(map_id, visibility)
    callers = _callers(tenant, other)
    reads = {
        f"/maps/{map_id}/": 300,
        **{f"/maps/{map_id}/{r}/": a for r, a in IMAGE_ROUTES.items()},
    }
    reads.update({f"/storage/{asset['storage_path']}": 3600 for asset in job["assets"]})
    assert len(reads) == 7

    for caller, headers in callers.items():
        may_read = visibility != "private" or caller in ("owner's key", "admin token")
        for url, max_age in reads.items():
            response = await site.client.get(url, headers=headers)
            where = (caller, url)
            if url != f"/maps/{map_id}/":  # the files answer HEAD as GET, without a body
                head = await site.client.head(url, headers=headers)
                assert head.status_code == response.status_code and head.content == b"", where
                assert head.headers.get("cache-control") == response.headers.get("cache-control")
            if caller == "invalid key":  # a key that is presented is checked, whatever the map
                assert_problem(response, 401)
            elif not may_read:
                assert assert_problem(response, 404)["detail"] == "Map not found", where
            elif visibility == "private":
                assert response.status_code == 200, where
                assert response.headers["cache-control"] == "private, no-store", where
                assert "surrogate-key" not in response.headers, where
                assert "cache-tag" not in response.headers, where
                assert response.headers["x-robots-tag"] == "noindex"
            else:
                assert response.status_code == 200, where
                assert response.headers["cache-control"] == f"public, max-age={max_age}", where
                assert response.headers["surrogate-key"] == f"map map-{map_id}", where
                noindex = response.headers.get("x-robots-tag")
                assert noindex == ("noindex" if visibility == "unlisted" else None), where

    for caller, headers in callers.items():
        title = f"Renamed by {caller}"
        changed = await site.client.patch(
            f"/maps/{map_id}/", json={"title": title}, headers=headers
        )
        if caller in ("anonymous", "invalid key"):
            assert assert_problem(changed, 401)["code"] == "UNAUTHORIZED", caller
        elif caller == "other project's key":
            assert assert_problem(changed, 404)["detail"] == "Map not found"
        else:
            assert changed.status_code == 200, (caller, changed.text)
            assert changed.json()["title"] == title
            assert changed.json()["visibility"] == visibility
            assert changed.headers["cache-control"] == "private, no-store"
            assert "surrogate-key" not in changed.headers

    for caller in ("anonymous", "invalid key", "other project's key"):
        refused = await site.client.delete(f"/maps/{map_id}/", headers=callers[caller])
        assert refused.status_code == (404 if caller == "other project's key" else 401), caller
    assert (await site.client.get(f"/maps/{map_id}/", headers=tenant.auth)).status_code == 200
    deleting_caller = "owner's key" if visibility != "unlisted" else "admin token"
    deleted = await site.client.delete(f"/maps/{map_id}/", headers=callers[deleting_caller])
    assert deleted.status_code == 204 and deleted.content == b""
    for caller in ("owner's key", "admin token"):
        again = await site.client.delete(f"/maps/{map_id}/", headers=callers[caller])
        assert_problem(again, 404)
        for url in reads:
            assert_problem(await site.client.get(url, headers=callers[caller]), 404)


# -- PATCH ------------------------------------------------------------------------------------


async def test_patch_validates_the_body_and_names_each_field(site: Site, tenant: Tenant) -> None:
    map_id = (await site.new_map(tenant))["map_id"]
    url = f"/maps/{map_id}/"

    async def patch(body: Any, **kwargs: Any) -> httpx.Response:
        if isinstance(body, bytes):
            return await site.client.patch(url, content=body, headers=tenant.auth, **kwargs)
        return await site.client.patch(url, json=body, headers=tenant.auth, **kwargs)

    unknown = assert_problem(await patch({"title": "ok", "owner": "me"}), 422)
    assert unknown["detail"].startswith("owner unknown field")
    assert unknown["errors"] == [
        {
            "field": "owner",
            "pointer": "#/owner",
            "detail": "unknown field (allowed: title, visibility)",
        }
    ]
    for title in ("", "   ", "x" * 201, 7, None, "tab\there"):
        problem = assert_problem(await patch({"title": title}), 422)
        assert [error["field"] for error in problem["errors"]] == ["title"], title
        assert problem["detail"].startswith("title ")
    for visibility in ("secret", "", "PUBLIC", None, 1):
        problem = assert_problem(await patch({"visibility": visibility}), 422)
        assert problem["errors"][0]["pointer"] == "#/visibility"
        assert "public, unlisted, private" in problem["detail"]
    both = assert_problem(await patch({"title": "", "visibility": "x"}), 422)
    assert [error["field"] for error in both["errors"]] == ["title", "visibility"]
    for raw in (b"{", b"[]", b'"title"', b""):
        assert assert_problem(await patch(raw), 400)["code"] == "INVALID_BODY"
    wrong_type = await site.client.patch(
        url, content=b"title=x", headers={**tenant.auth, "Content-Type": "text/plain"}
    )
    assert_problem(wrong_type, 415)
    assert_problem(await patch(b"{" + b" " * 20_000 + b"}"), 413)

    # Nothing was changed by any of that, and nothing was purged.
    assert (await site.client.get(url)).json()["title"] == "Luxembourg"
    assert site.cdn.purged_tags() == []

    kept = await patch({"title": "  Grand Duchy  "})
    assert kept.status_code == 200 and kept.json()["title"] == "Grand Duchy"
    assert (await patch({"title": "x" * 200})).json()["title"] == "x" * 200
    assert (await patch({})).status_code == 200  # an empty patch changes nothing
    assert site.cdn.purged_tags() == [f"map-{map_id}", f"map-{map_id}"]  # one per real change


async def test_making_a_public_map_private_hides_it_everywhere_and_purges(
    site: Site, tenant: Tenant
) -> None:
    job = await site.new_map(tenant)
    map_id = job["map_id"]
    og_url = f"/maps/{map_id}/og-image/"
    public = await site.client.get(og_url)
    assert public.status_code == 200 and public.headers["cache-control"].startswith("public")
    assert f"map-{map_id}" in public.headers["surrogate-key"].split()
    # Something the render cache holds for this map (tagged as the CDN copies are).
    cache = site.runtime.cache
    cached_key = f"img:map-test:{map_id}"

    async def render() -> CachedImage:
        return CachedImage.of(public.content, "image/png", ("map", f"map-{map_id}"))

    await cache.get_or_render(cached_key, render)
    assert await cache.contains(cached_key)

    changed = await site.client.patch(
        f"/maps/{map_id}/", json={"visibility": "private"}, headers=tenant.auth
    )
    assert changed.status_code == 200 and changed.json()["visibility"] == "private"
    assert site.cdn.received == [("PURGE", "/", site.cdn.received[0][2])]
    assert site.cdn.purged_tags() == [f"map-{map_id}"]
    assert not await cache.contains(cached_key)

    urls = [og_url, f"/maps/{map_id}/", f"/maps/{map_id}/thumbnail/"]
    urls += [f"/storage/{asset['storage_path']}" for asset in job["assets"]]
    for url in urls:
        assert_problem(await site.client.get(url), 404)
        owner = await site.client.get(url, headers=tenant.auth)
        assert owner.status_code == 200 and owner.headers["cache-control"] == "private, no-store"
    # The job API now hands out signed download URLs that work without a key.
    for asset in (await site.job_view(tenant, job["id"]))["assets"]:
        assert re.fullmatch(r"/storage/\S+\?expires=\d+&signature=[0-9a-f]{64}", asset["url"])
        signed = await site.client.get(asset["url"])
        assert signed.status_code == 200 and len(signed.content) == asset["bytes"]
        assert signed.headers["cache-control"] == "private, no-store"

    same = await site.client.patch(
        f"/maps/{map_id}/", json={"visibility": "private"}, headers=tenant.auth
    )
    assert same.status_code == 200 and len(site.cdn.purged_tags()) == 1  # no change, no purge
    back = await site.client.patch(
        f"/maps/{map_id}/", json={"visibility": "unlisted"}, headers=ADMIN
    )
    assert back.status_code == 200 and site.cdn.purged_tags() == [f"map-{map_id}"] * 2
    assert (await site.client.get(og_url)).status_code == 200


# -- DELETE -----------------------------------------------------------------------------------


async def test_delete_removes_the_row_the_files_and_the_cached_copies(
    site: Site, tenant: Tenant
) -> None:
    job = await site.new_map(tenant)
    map_id = job["map_id"]
    keep = await site.new_map(tenant, width=500)  # another map of the project stays whole
    files = [site.storage_root / asset["storage_path"] for asset in job["assets"]]
    sidecars = [
        site.storage_root / ".meta" / f"{asset['storage_path']}.json" for asset in job["assets"]
    ]
    assert all(path.is_file() for path in files + sidecars)

    deleted = await site.client.delete(f"/maps/{map_id}/", headers=tenant.auth)
    assert deleted.status_code == 204 and deleted.content == b""
    assert deleted.headers["cache-control"] == "private, no-store"
    assert not any(path.exists() for path in files + sidecars)
    assert not (site.storage_root / "maps" / tenant.project_id / job["id"]).exists()
    assert site.cdn.purged_tags() == [f"map-{map_id}"]

    for url in [f"/maps/{map_id}/", f"/maps/{map_id}/og-image/"] + [
        f"/storage/{asset['storage_path']}" for asset in job["assets"]
    ]:
        assert_problem(await site.client.get(url, headers=tenant.auth), 404)
    assert_problem(await site.client.delete(f"/maps/{map_id}/", headers=tenant.auth), 404)
    assert_problem(await site.client.patch(f"/maps/{map_id}/", json={}, headers=tenant.auth), 404)
    assert len(site.cdn.purged_tags()) == 1

    survivor = await site.client.get(f"/maps/{keep['map_id']}/image/")
    assert survivor.status_code == 200
    assert all((site.storage_root / asset["storage_path"]).is_file() for asset in keep["assets"])
    # The job stays, as history; its assets point at files that are gone.
    assert (await site.job_view(tenant, job["id"]))["status"] == "completed"
