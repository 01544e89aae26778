"""Window arithmetic, the same for the memory store and the Redis store (real Redis)."""

from __future__ import annotations

import uuid

import pytest

from ogplatform.ratelimit import MemoryLimiter, RedisLimiter, Window, parse_window
from ogplatform.ratelimit.headers import policy_header, rate_limit_headers

SEED = (Window(2, 10), Window(5, 60), Window(25, 3600))  # the card API's 2/10s, 5/1m, 25/1h


class Clock:
    def __init__(self, start: float = 1_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def store(request):
    """A store driven at explicit times: ``await store(key, windows, at)``."""
    if request.param == "memory":
        clock = Clock()
        limiter = MemoryLimiter(clock=clock)

        async def hit_memory(key, windows, at):
            clock.now = at
            return await limiter.hit(key, windows)

        yield hit_memory
        return
    import redis.asyncio as redis

    client = redis.from_url(request.getfixturevalue("redis_url"))
    prefix = f"ogp-test:{uuid.uuid4().hex}:"
    limiter = RedisLimiter(client, prefix)

    async def hit_redis(key, windows, at):
        return await limiter.hit(key, windows, now=at)

    yield hit_redis
    async for key in client.scan_iter(match=f"{prefix}*"):
        await client.delete(key)
    await client.aclose()


@pytest.mark.parametrize(
    ("text", "window"),
    [("2/10s", Window(2, 10)), ("5/1m", Window(5, 60)), ("25/h", Window(25, 3600)),
     ("60 / 1hour", Window(60, 3600)), ("7/2d", Window(7, 172800)), ("1/90sec", Window(1, 90))],
)  # fmt: skip
def test_parse_window(text, window):
    assert parse_window(text) == window


@pytest.mark.parametrize("text", ["", "5", "5/", "0/1m", "5/0m", "5/1w", "-1/1m", "a/1m", "5/1m2"])
def test_parse_window_rejects_garbage(text):
    with pytest.raises(ValueError, match="rate-limit window"):
        parse_window(text)


async def test_third_request_in_ten_seconds_is_refused_then_allowed(store):
    first = await store("a", SEED, 100.0)
    second = await store("a", SEED, 100.5)
    third = await store("a", SEED, 104.0)
    assert (first.allowed, second.allowed, third.allowed) == (True, True, False)
    # The oldest of the two expires at 110.0: 6 s after the refusal.
    assert third.retry_after == 6
    assert (third.window, third.remaining, third.reset) == (Window(2, 10), 0, 6)
    assert not (await store("a", SEED, 109.999)).allowed
    at_edge = await store("a", SEED, 110.0)  # exactly one window after the first: it is out
    assert at_edge.allowed
    assert at_edge.remaining == 0  # the one at 100.5 and this one fill the 10 s window


async def test_refused_requests_are_not_counted(store):
    for at in (0.0, 1.0):
        assert (await store("k", (Window(2, 10),), at)).allowed
    for at in (2.0, 3.0, 4.0, 5.0):
        assert not (await store("k", (Window(2, 10),), at)).allowed
    assert (await store("k", (Window(2, 10),), 10.0)).allowed


async def test_several_windows_at_once_the_tightest_binds(store):
    # Spaced 6 s apart the 10 s window never fills, but the minute's 5 does.
    decisions = [await store("m", SEED, 6.0 * i) for i in range(6)]
    assert [d.allowed for d in decisions] == [True, True, True, True, True, False]
    refused = decisions[-1]
    assert refused.window == Window(5, 60)
    assert refused.retry_after == 30  # the first (at 0) leaves the minute at 60; now is 30
    assert decisions[4].window == Window(5, 60)
    assert decisions[4].remaining == 0
    # Every window counted all five allowed requests.
    assert decisions[4].remaining_per_window == (0, 0, 20)  # 10 s holds 18 and 24


async def test_hour_window_after_many_spaced_requests(store):
    windows = (Window(2, 10), Window(25, 3600))
    allowed = [(await store("h", windows, 11.0 * i)).allowed for i in range(26)]
    assert allowed == [True] * 25 + [False]
    refused = await store("h", windows, 11.0 * 26)
    assert refused.window == Window(25, 3600)
    assert refused.retry_after == 3600 - 11 * 26


async def test_keys_are_independent(store):
    assert (await store("x", (Window(1, 60),), 0.0)).allowed
    assert not (await store("x", (Window(1, 60),), 1.0)).allowed
    assert (await store("y", (Window(1, 60),), 1.0)).allowed


async def test_headers_describe_the_binding_window(store):
    decision = await store("hdr", SEED, 50.0)
    headers = rate_limit_headers(decision, policy_header(SEED))
    assert headers["X-RateLimit-Limit"] == "2"
    assert headers["X-RateLimit-Remaining"] == "1"
    assert headers["X-RateLimit-Reset"] == "10"
    assert headers["RateLimit-Policy"] == '"10s";q=2;w=10, "1m";q=5;w=60, "1h";q=25;w=3600'
    assert headers["RateLimit"] == '"10s";r=1;t=10'
    assert "Retry-After" not in headers
    await store("hdr", SEED, 51.0)
    refused = rate_limit_headers(await store("hdr", SEED, 52.5), policy_header(SEED))
    assert refused["Retry-After"] == "8"
    assert refused["X-RateLimit-Remaining"] == "0"


async def test_fractional_waits_round_up(store):
    await store("f", (Window(1, 10),), 0.25)
    refused = await store("f", (Window(1, 10),), 3.0)
    assert refused.retry_after == 8  # 7.25 s to wait: advertise 8, never 7


def test_memory_store_keeps_a_bounded_number_of_keys():
    clock = Clock()
    limiter = MemoryLimiter(max_keys=100, clock=clock)
    for i in range(1000):
        limiter.hit_now(f"client-{i}", (Window(5, 60),))
    assert len(limiter._logs) == 100
    assert "client-999" in limiter._logs
