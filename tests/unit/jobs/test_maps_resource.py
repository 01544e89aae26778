"""GET /maps/{map_id}/og-image/ and /thumbnail/: stored bytes, visibility, caching, problems."""

from __future__ import annotations

import io

import httpx
import sqlalchemy as sa
from jobs_support import Tenant, new_tenant, wait_for_job
from PIL import Image

from ogplatform.db import Database
from ogplatform.db.models import Map

SMALL = {"location_id": "lu", "width": 400, "height": 300}


async def _map_of(client: httpx.AsyncClient, tenant: Tenant) -> str:
    created = await client.post(tenant.jobs_url, json=SMALL, headers=tenant.auth)
    done = await wait_for_job(client, tenant, created.json()["job"]["id"])
    assert done["status"] == "completed", done
    return str(done["map_id"])


async def test_public_map_images_are_cacheable(client: httpx.AsyncClient, tenant: Tenant) -> None:
    map_id = await _map_of(client, tenant)
    for route, max_age, size in [("og-image", 86400, (1200, 630)), ("thumbnail", 3600, (400, 300))]:
        response = await client.get(f"/maps/{map_id}/{route}/")
        assert response.status_code == 200
        assert response.headers["content-type"] == "image/png"
        assert response.headers["cache-control"] == f"public, max-age={max_age}"
        assert response.headers["surrogate-key"] == f"map map-{map_id}"
        etag = response.headers["etag"]
        assert etag.startswith('"') and not etag.startswith("W/")
        assert Image.open(io.BytesIO(response.content)).size == size
        again = await client.get(f"/maps/{map_id}/{route}/", headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""


async def test_private_maps_only_for_their_project(
    client: httpx.AsyncClient, tenant: Tenant, database_url: str
) -> None:
    map_id = await _map_of(client, tenant)
    db = Database.from_url(database_url)
    try:
        async with db.session() as session:
            await session.exec(
                sa.update(Map).where(sa.column("id") == map_id).values(visibility="private")
            )
            await session.commit()
    finally:
        await db.dispose()
    other = await new_tenant(database_url, "other")
    for route in ("og-image", "thumbnail"):
        url = f"/maps/{map_id}/{route}/"
        for headers in ({}, other.auth):
            hidden = await client.get(url, headers=headers)
            assert hidden.status_code == 404
            assert hidden.headers["content-type"].startswith("application/problem+json")
            assert hidden.json()["status"] == 404 and hidden.json()["title"] == "Not Found"
            assert hidden.headers["cache-control"] == "no-store"
        owner = await client.get(url, headers=tenant.auth)
        assert owner.status_code == 200
        assert owner.headers["cache-control"] == "private, no-store"


async def test_unknown_and_malformed_map_ids(client: httpx.AsyncClient) -> None:
    missing = await client.get("/maps/2489e9ad-2ee2-4e00-8ec9-32d5f69181c0/og-image/")
    assert missing.status_code == 404 and missing.json()["detail"] == "Map not found"
    malformed = await client.get("/maps/not-a-uuid/thumbnail/")
    assert malformed.status_code == 422
    assert malformed.headers["content-type"].startswith("application/problem+json")
    bad_key = await client.get(
        "/maps/2489e9ad-2ee2-4e00-8ec9-32d5f69181c0/og-image/",
        headers={"Authorization": "Bearer sma_nope"},
    )
    assert bad_key.status_code == 401
