"""HTTP caching of cards: ETag/304, Cache-Control, purge tags, one key per meaning, purges."""

from __future__ import annotations

import asyncio
import json

import msgspec
import pytest
from click.testing import CliRunner
from litestar.testing import AsyncTestClient

from ogplatform.app import create_app
from ogplatform.cache.http import matches
from ogplatform.cli import main
from ogplatform.settings import Settings

ADMIN = {"Authorization": "Bearer purge-token"}


def settings_for(tmp_path, **extra) -> Settings:
    base = {
        "database": {"url": ""},
        "storage": {"options": {"root": str(tmp_path / "storage")}},
        "cache": {"disk_path": str(tmp_path / "cache")},
        "render": {"workers": 0},
        "ratelimit": {"enabled": False},
        "auth": {"admin_token": "purge-token"},
    }
    for section, values in extra.items():
        base[section] = {**base.get(section, {}), **values}
    return msgspec.convert(base, Settings)


@pytest.fixture
async def client(tmp_path):
    async with AsyncTestClient(create_app(settings_for(tmp_path))) as test_client:
        yield test_client


async def test_second_request_is_a_hit_with_the_same_validator(client):
    first = await client.get("/api/og", params={"title": "Cache me"})
    second = await client.get("/api/og", params={"title": "Cache me"})
    assert (first.headers["x-cache"], second.headers["x-cache"]) == ("MISS", "HIT-memory")
    assert first.headers["etag"] == second.headers["etag"]
    assert first.content == second.content
    assert first.headers["cache-control"] == (
        "public, max-age=86400, stale-while-revalidate=604800, stale-if-error=604800"
    )
    assert first.headers["surrogate-key"] == "card template-gradient"
    assert first.headers["cache-tag"] == "card,template-gradient"
    assert "vary" not in first.headers


async def test_if_none_match_gives_304_without_a_body(client):
    etag = (await client.get("/api/og", params={"title": "Revalidate"})).headers["etag"]
    again = await client.get("/api/og", params={"title": "Revalidate"},
                             headers={"If-None-Match": etag})  # fmt: skip
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert again.headers["cache-control"].startswith("public")
    other = await client.get("/api/og", params={"title": "Revalidate"},
                             headers={"If-None-Match": '"something-else"'})  # fmt: skip
    assert other.status_code == 200


@pytest.mark.parametrize(("a", "b"), [
    ("title=Same&description=Meaning", "description=Meaning&title=Same"),  # order
    ("title=Same&description=Meaning", "title=Same&subtitle=Meaning"),  # alias
    ("title=Same&text=ff0000", "title=Same&textColor=%23FF0000"),  # colour spelling
    ("title=Same", "title=Same&template=gradient&format=png&size=og"),  # defaults spelled out
    ("title=Same", "title=Same&overlay=0.9&utm_source=x"),  # unused by this template
])  # fmt: skip
async def test_urls_that_mean_the_same_image_share_one_entry(client, a, b):
    first = await client.get(f"/api/og?{a}")
    second = await client.get(f"/api/og?{b}")
    assert first.headers["x-cache"] == "MISS"
    assert second.headers["x-cache"] == "HIT-memory"
    assert first.headers["etag"] == second.headers["etag"]


async def test_different_images_get_different_entries(client):
    one = await client.get("/api/og", params={"title": "One"})
    two = await client.get("/api/og", params={"title": "Two"})
    assert two.headers["x-cache"] == "MISS"
    assert one.headers["etag"] != two.headers["etag"]


async def test_photo_cards_are_tagged_with_their_background(client):
    response = await client.get("/api/og", params={"template": "photo-hero", "bgId": "mesh-ocean"})
    assert response.headers["surrogate-key"] == "card template-photo-hero bg-mesh-ocean"


async def test_admin_purge_by_tag_evicts(client):
    await client.get("/api/og", params={"title": "Purge me"})
    await client.get("/api/og", params={"template": "minimal", "title": "Keep me"})
    response = await client.post("/admin/cache/purge", json={"tags": ["template-gradient"]},
                                 headers=ADMIN)  # fmt: skip
    assert response.status_code == 200
    assert response.json()["purged"]["memory"] == 1
    assert response.headers["cache-control"] == "private, no-store"
    purged = await client.get("/api/og", params={"title": "Purge me"})
    kept = await client.get("/api/og", params={"template": "minimal", "title": "Keep me"})
    assert (purged.headers["x-cache"], kept.headers["x-cache"]) == ("MISS", "HIT-memory")


@pytest.mark.parametrize("body", [{}, {"tags": ["a"], "all": True}, {"tags": ["Bad Tag!"]},
                                  {"tags": "x"}, {"nonsense": 1}])  # fmt: skip
async def test_admin_purge_rejects_unclear_requests(client, body):
    response = await client.post("/admin/cache/purge", json=body, headers=ADMIN)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_admin_purge_needs_the_token(client):
    assert (await client.post("/admin/cache/purge", json={"all": True})).status_code == 401
    stats = await client.get("/admin/cache", headers=ADMIN)
    assert set(stats.json()["tiers"]) == {"memory", "disk"}


async def test_cli_purge_reaches_the_running_servers_memory(tmp_path):
    settings = settings_for(tmp_path)
    config = tmp_path / "litestar.toml"
    config.write_text(
        f'[database]\nurl = ""\n[cache]\ndisk_path = "{tmp_path / "cache"}"\n'
        f'[storage.options]\nroot = "{tmp_path / "storage"}"\n'
    )
    app = create_app(settings)
    async with AsyncTestClient(app) as client:
        await client.get("/api/og", params={"title": "CLI purge"})
        assert (await client.get("/api/og", params={"title": "CLI purge"})).headers[
            "x-cache"] == "HIT-memory"  # fmt: skip
        # The CLI is another process in real life; here a thread with its own event loop.
        args = ["--config", str(config), "cache", "purge", "--tag", "template-gradient"]
        result = await asyncio.to_thread(CliRunner().invoke, main, args)
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["purged"]["disk"] == 1
        app.state.runtime.cache._epoch_checked = 0.0  # its once-a-second check is due
        after = await client.get("/api/og", params={"title": "CLI purge"})
    assert after.headers["x-cache"] == "MISS"


@pytest.mark.redis
async def test_two_app_instances_share_the_redis_tier(tmp_path, redis_url, redis_prefix):
    shared = {"url": redis_url, "key_prefix": redis_prefix}
    one = create_app(settings_for(tmp_path / "a", redis=shared, cache={"redis": True}))
    two = create_app(settings_for(tmp_path / "b", redis=shared, cache={"redis": True}))
    async with AsyncTestClient(one) as a, AsyncTestClient(two) as b:
        first = await a.get("/api/og", params={"title": "Shared"})
        second = await b.get("/api/og", params={"title": "Shared"})
    assert (first.headers["x-cache"], second.headers["x-cache"]) == ("MISS", "HIT-redis")


def test_if_none_match_semantics():
    assert matches('"a"', '"a"')
    assert matches('W/"a"', '"a"')
    assert matches('"b", "a"', '"a"')
    assert matches("*", '"a"')
    assert not matches('"b"', '"a"')
    assert not matches(None, '"a"')
