"""Rate limits through the app: headers, 429 per surface, switches, allow-list, cache hits."""

from __future__ import annotations

import socket
from typing import Any

import msgspec
import pytest
from litestar import Router, get, post
from litestar.testing import AsyncTestClient

from ogplatform.app import create_app
from ogplatform.ratelimit import MemoryLimiter
from ogplatform.ratelimit.middleware import RateLimiter
from ogplatform.settings import RateLimitSettings, Settings, SettingsError


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def cached_when_asked(scope: Any) -> bool:
    return b"cached=1" in scope.get("query_string", b"")


@get("/render", opt={"ratelimit": "cards", "ratelimit_probe": cached_when_asked})
async def render() -> dict[str, str]:
    return {"ok": "yes"}


@get("/unlimited")
async def unlimited() -> dict[str, str]:
    return {"ok": "yes"}


@post("/jobs", opt={"ratelimit": "map_jobs"})
async def create_job() -> dict[str, str]:
    return {"ok": "yes"}


ROUTES = [Router("/api/demo", route_handlers=[render, unlimited]), Router("/api/v1/demo",
          route_handlers=[create_job]), Router("/maps/demo", route_handlers=[render])]  # fmt: skip


def settings_for(tmp_path, **ratelimit: Any) -> Settings:
    return msgspec.convert(
        {
            "database": {"url": ""},
            "storage": {"options": {"root": str(tmp_path)}},
            "ratelimit": ratelimit,
        },
        Settings,
    )


async def started(app) -> tuple[AsyncTestClient, Clock]:
    client = AsyncTestClient(app)
    await client.__aenter__()
    clock = Clock()
    app.state.runtime.limiter.store = MemoryLimiter(clock=clock)  # time under the test's control
    return client, clock


@pytest.fixture
async def client(tmp_path):
    app = create_app(settings_for(tmp_path), route_handlers=ROUTES)
    test_client, clock = await started(app)
    yield test_client, clock
    await test_client.__aexit__(None, None, None)


async def test_allowed_responses_carry_the_headers(client):
    http, _ = client
    response = await http.get("/api/demo/render")
    assert response.status_code == 200
    assert response.headers["x-ratelimit-limit"] == "2"
    assert response.headers["x-ratelimit-remaining"] == "1"
    assert response.headers["x-ratelimit-reset"] == "10"
    assert response.headers["ratelimit-policy"] == (
        '"10s";q=2;w=10, "1m";q=5;w=60, "1h";q=25;w=3600'
    )
    assert response.headers["ratelimit"] == '"10s";r=1;t=10'
    assert "retry-after" not in response.headers


async def test_routes_without_a_policy_are_not_limited(client):
    http, _ = client
    for _ in range(10):
        response = await http.get("/api/demo/unlimited")
        assert response.status_code == 200
        assert "x-ratelimit-limit" not in response.headers


async def test_the_third_render_in_ten_seconds_is_429_in_the_card_format(client):
    http, clock = client
    assert (await http.get("/api/demo/render")).status_code == 200
    clock.now += 3
    assert (await http.get("/api/demo/render")).status_code == 200
    clock.now += 3
    refused = await http.get("/api/demo/render")
    assert refused.status_code == 429
    assert refused.json() == {
        "success": False,
        "error": {
            "code": "RATE_LIMITED",
            "message": "rate limit exceeded: 2 requests per 10s; retry in 4s",
        },
    }
    assert refused.headers["retry-after"] == "4"
    assert refused.headers["x-ratelimit-remaining"] == "0"
    assert refused.headers["cache-control"] == "no-store"
    clock.now += 4  # exactly what Retry-After said
    assert (await http.get("/api/demo/render")).status_code == 200


async def test_429_in_the_problem_format_on_the_maps_surface(client):
    http, _ = client
    for _ in range(2):
        await http.get("/maps/demo/render")
    refused = await http.get("/maps/demo/render")
    assert refused.status_code == 429
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == "RATE_LIMITED"


async def test_map_jobs_are_limited_per_api_key(client):
    http, _ = client
    key_a = {"Authorization": "Bearer sma_aaaa"}
    key_b = {"Authorization": "Bearer sma_bbbb"}
    for _ in range(60):
        assert (await http.post("/api/v1/demo/jobs", headers=key_a)).status_code == 201
    refused = await http.post("/api/v1/demo/jobs", headers=key_a)
    assert refused.status_code == 429
    assert refused.json()["statusCode"] == 429
    assert refused.json()["message"].startswith("rate limit exceeded: 60 requests per 1h")
    assert int(refused.headers["retry-after"]) == 3600
    # Another key from the same address has its own hour.
    assert (await http.post("/api/v1/demo/jobs", headers=key_b)).status_code == 201


async def test_forged_forwarded_for_does_not_buy_a_new_budget(client):
    http, _ = client
    for i in range(2):
        headers = {"X-Forwarded-For": f"10.9.9.{i}"}
        assert (await http.get("/api/demo/render", headers=headers)).status_code == 200
    forged = await http.get("/api/demo/render", headers={"X-Forwarded-For": "10.9.9.99"})
    assert forged.status_code == 429


async def test_cache_hits_can_be_exempt(tmp_path):
    policies = {"cards": {"windows": ["1/10s"], "exempt_cache_hits": True}}
    app = create_app(settings_for(tmp_path, policies=policies), route_handlers=ROUTES)
    http, _ = await started(app)
    try:
        assert (await http.get("/api/demo/render")).status_code == 200
        for _ in range(5):  # the probe says these are cache hits: not counted, not refused
            hit = await http.get("/api/demo/render?cached=1")
            assert hit.status_code == 200
            assert "x-ratelimit-limit" not in hit.headers
        assert (await http.get("/api/demo/render")).status_code == 429
    finally:
        await http.__aexit__(None, None, None)


async def test_allow_listed_clients_are_not_counted():
    settings = msgspec.convert(
        {"allow": ["10.0.0.0/8"], "trusted_proxies": ["192.0.2.1"]}, RateLimitSettings
    )
    limiter = RateLimiter(settings, MemoryLimiter())
    policy = limiter.policies["cards"]

    def scope(peer: str, forwarded: str | None = None) -> dict[str, Any]:
        headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
        return {"client": (peer, 1234), "headers": headers}

    for _ in range(5):
        assert await limiter.check(policy, scope("10.1.2.3")) is None
        # Behind the trusted proxy, the allow-list applies to the real client.
        assert await limiter.check(policy, scope("192.0.2.1", "10.7.7.7")) is None
    outsider = [await limiter.check(policy, scope("198.51.100.1")) for _ in range(3)]
    assert [d.allowed for d in outsider if d] == [True, True, False]


async def test_the_master_switch_turns_every_limit_off(tmp_path):
    app = create_app(settings_for(tmp_path, enabled=False), route_handlers=ROUTES)
    async with AsyncTestClient(app) as http:
        for _ in range(10):
            response = await http.get("/api/demo/render")
            assert response.status_code == 200
            assert "x-ratelimit-limit" not in response.headers


def test_a_route_naming_an_unknown_policy_stops_startup(tmp_path):
    @get("/x", opt={"ratelimit": "no-such-policy"})
    async def handler() -> None:
        return None

    with pytest.raises(SettingsError, match="uses rate-limit policy 'no-such-policy'"):
        create_app(settings_for(tmp_path), route_handlers=[handler])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_redis_down_at_startup_still_limits_and_never_500s(tmp_path):
    settings = msgspec.convert(
        {
            "database": {"url": ""},
            "storage": {"options": {"root": str(tmp_path)}},
            "redis": {"url": f"redis://127.0.0.1:{free_port()}/0"},
        },
        Settings,
    )
    app = create_app(settings, route_handlers=ROUTES)
    async with AsyncTestClient(app) as http:
        statuses = [(await http.get("/api/demo/render")).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert app.state.runtime is not None


@pytest.mark.redis
async def test_with_redis_configured_the_counts_are_shared_in_redis(
    tmp_path, redis_url, redis_prefix
):
    import redis.asyncio as redis

    settings = msgspec.convert(
        {
            "database": {"url": ""},
            "storage": {"options": {"root": str(tmp_path)}},
            "redis": {"url": redis_url, "key_prefix": redis_prefix},
        },
        Settings,
    )
    # Two apps (think: two machines) share one budget through Redis.
    first, second = (create_app(settings, route_handlers=ROUTES) for _ in range(2))
    async with AsyncTestClient(first) as a, AsyncTestClient(second) as b:
        statuses = [
            (await a.get("/api/demo/render")).status_code,
            (await b.get("/api/demo/render")).status_code,
            (await a.get("/api/demo/render")).status_code,
        ]
    assert statuses == [200, 200, 429]
    client = redis.from_url(redis_url)
    keys = [key async for key in client.scan_iter(match=f"{redis_prefix}rl:*")]
    await client.aclose()
    assert len(keys) == 1  # one sorted set for this client and policy (a digest, not the IP)
