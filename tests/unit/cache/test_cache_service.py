"""The render cache: tier order and fill-up, single-flight in and across processes, purges."""

from __future__ import annotations

import asyncio
import sys

import pytest
import redis.asyncio as redis

from ogplatform.cache import CachedImage, RenderCache, cache_key
from ogplatform.cache.tiers import DiskTier, MemoryTier, RedisTier


def renderer(body: bytes = b"png", delay: float = 0.0, tags=("card", "template-a")):
    calls = []

    async def render() -> CachedImage:
        calls.append(1)
        await asyncio.sleep(delay)  # stands in for a render's latency
        return CachedImage.of(body, "image/png", tags)

    return render, calls


def test_keys_are_stable_and_order_independent():
    a = cache_key("card", {"b": 1, "a": [1, 2], "c": {"y": 1, "x": 2}})
    b = cache_key("card", {"c": {"x": 2, "y": 1}, "a": [1, 2], "b": 1})
    assert a == b
    assert a != cache_key("card", {"b": 1, "a": [2, 1], "c": {"y": 1, "x": 2}})
    assert a.startswith("img:card:")


async def test_miss_then_hits_and_lower_tiers_fill_upper_ones(tmp_path):
    memory, disk = MemoryTier(1 << 20), DiskTier(str(tmp_path), 1 << 24)
    cache = RenderCache([memory, disk])
    render, calls = renderer()
    assert (await cache.get_or_render("img:k", render)).source == "render"
    assert (await cache.get_or_render("img:k", render)).source == "memory"
    fresh = RenderCache([MemoryTier(1 << 20), DiskTier(str(tmp_path), 1 << 24)])  # a restart
    assert (await fresh.get_or_render("img:k", render)).source == "disk"
    assert (await fresh.get_or_render("img:k", render)).source == "memory"
    assert len(calls) == 1
    assert fresh.counters["hit_disk"] == 1


async def test_fifty_concurrent_requests_render_once(tmp_path):
    cache = RenderCache([MemoryTier(1 << 20), DiskTier(str(tmp_path), 1 << 24)])
    render, calls = renderer(delay=0.05)
    results = await asyncio.gather(*(cache.get_or_render("img:same", render) for _ in range(50)))
    assert len(calls) == 1
    assert {r.entry.etag for r in results} == {results[0].entry.etag}


async def test_a_failed_render_fails_its_waiters_and_is_not_cached():
    cache = RenderCache([MemoryTier(1 << 20)])
    attempts = []

    async def broken() -> CachedImage:
        attempts.append(1)
        await asyncio.sleep(0.01)
        raise RuntimeError("renderer fell over")

    results = await asyncio.gather(*(cache.get_or_render("img:b", broken) for _ in range(5)),
                                   return_exceptions=True)  # fmt: skip
    assert all(isinstance(r, RuntimeError) for r in results)
    assert len(attempts) == 1
    render, _ = renderer()
    assert (await cache.get_or_render("img:b", render)).source == "render"


async def test_a_corrupt_disk_entry_is_rendered_again(tmp_path):
    disk = DiskTier(str(tmp_path), 1 << 24)
    cache = RenderCache([disk])
    render, calls = renderer()
    await cache.get_or_render("img:c", render)
    disk.write_raw("img:c", b"\x00" * 64)
    assert (await cache.get_or_render("img:c", render)).source == "render"
    assert len(calls) == 2


async def test_purge_reaches_other_processes_memory_through_the_disk_epoch(tmp_path):
    # Two processes on one machine: separate memory tiers, one disk tier.
    one = RenderCache([MemoryTier(1 << 20), DiskTier(str(tmp_path), 1 << 24)])
    two = RenderCache([MemoryTier(1 << 20), DiskTier(str(tmp_path), 1 << 24)])
    render, calls = renderer(tags=("card", "template-a"))
    await one.get_or_render("img:p", render)
    assert (await one.get_or_render("img:p", render)).source == "memory"
    await two.purge(["template-a"])
    one._epoch_checked = 0.0  # its once-a-second check is due
    assert (await one.get_or_render("img:p", render)).source == "render"
    assert len(calls) == 2


@pytest.mark.redis
async def test_two_machines_share_the_redis_tier_and_render_once(tmp_path, redis_url, redis_prefix):
    clients = [redis.from_url(redis_url) for _ in range(2)]
    caches = [
        RenderCache([MemoryTier(1 << 20), DiskTier(str(tmp_path / str(i)), 1 << 24),
                     RedisTier(client, redis_prefix, 60)], redis=client, redis_prefix=redis_prefix)
        for i, client in enumerate(clients)
    ]  # fmt: skip
    render, calls = renderer(delay=0.2)
    results = await asyncio.gather(
        *(caches[i % 2].get_or_render("img:m", render) for i in range(20))
    )
    assert len(calls) == 1
    assert {r.source for r in results} <= {"render", "redis", "memory"}
    assert (await caches[1].get_or_render("img:m", render)).source == "memory"
    for client in clients:
        await client.aclose()


@pytest.mark.redis
async def test_a_crashed_renderers_lock_expires(redis_url, redis_prefix):
    client = redis.from_url(redis_url)
    cache = RenderCache([RedisTier(client, redis_prefix, 60)], redis=client,
                        redis_prefix=redis_prefix, lock_timeout=0.4)  # fmt: skip
    # Someone took the lock and died: it is never released, only expires.
    await client.set(f"{redis_prefix}lock:img:dead", "gone", px=400)
    render, calls = renderer()
    result = await asyncio.wait_for(cache.get_or_render("img:dead", render), 5)
    assert result.source == "render"
    assert len(calls) == 1
    await client.aclose()


WORKER = """
import asyncio, sys
import redis.asyncio as redis
from ogplatform.cache import CachedImage, RenderCache
from ogplatform.cache.tiers import MemoryTier, RedisTier

async def main(url, prefix):
    client = redis.from_url(url)
    cache = RenderCache([MemoryTier(1 << 20), RedisTier(client, prefix, 60)], redis=client,
                        redis_prefix=prefix)
    await client.incr(prefix + "ready")
    while int(await client.get(prefix + "ready")) < 3:
        await asyncio.sleep(0.01)

    async def render():
        await client.incr(prefix + "renders")
        await asyncio.sleep(0.3)
        return CachedImage.of(b"bytes", "image/png", ("card",))

    result = await cache.get_or_render("img:shared", render)
    print(result.source)
    await client.aclose()

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


@pytest.mark.redis
async def test_three_processes_render_a_key_once(redis_url, redis_prefix):
    workers = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-c", WORKER, redis_url, redis_prefix,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(3)
    ]  # fmt: skip
    outputs = await asyncio.wait_for(asyncio.gather(*(w.communicate() for w in workers)), 60)
    for worker, (_, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err.decode()
    client = redis.from_url(redis_url)
    assert int(await client.get(f"{redis_prefix}renders")) == 1
    await client.aclose()
    assert sorted(out.decode().strip() for out, _ in outputs).count("render") == 1
