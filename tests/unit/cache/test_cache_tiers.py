"""Cache entries and tiers: checksums, LRU by bytes, disk corruption, real Redis."""

from __future__ import annotations

import asyncio
import socket
import uuid

import pytest
import redis.asyncio as redis
from structlog.testing import capture_logs

from ogplatform.cache.entry import CachedImage, CorruptEntryError, dump, load
from ogplatform.cache.tiers import DiskTier, MemoryTier, RedisTier


def image(body: bytes = b"\x89PNG pixels", tags: tuple[str, ...] = ("card", "template-a")):
    return CachedImage.of(body, "image/png", tags)


def test_entries_round_trip_and_corruption_is_detected():
    entry = image()
    assert load(dump(entry)) == entry
    damaged = bytearray(dump(entry))
    damaged[-3] ^= 0xFF
    with pytest.raises(CorruptEntryError):
        load(bytes(damaged))
    with pytest.raises(CorruptEntryError):
        load(b"short")


def test_etag_is_a_strong_digest_of_the_bytes():
    assert image(b"a").etag != image(b"b").etag
    assert image(b"a").etag == image(b"a").etag
    assert image(b"a").etag.startswith('"')


async def test_memory_tier_is_bounded_by_bytes_and_evicts_least_recent():
    tier = MemoryTier(max_bytes=3 * (1000 + 256))
    for name in "abc":
        await tier.set(name, image(b"x" * 1000))
    assert await tier.get("a") is not None  # a is now the most recent
    await tier.set("d", image(b"x" * 1000))
    assert await tier.get("b") is None
    assert {k for k in "acd" if await tier.get(k)} == {"a", "c", "d"}
    stats = await tier.stats()
    assert stats["bytes"] <= stats["max_bytes"]
    await tier.set("huge", image(b"x" * 10_000))  # larger than the tier: not stored at all
    assert await tier.get("huge") is None
    assert await tier.get("a") is not None


async def test_memory_purge_by_tag():
    tier = MemoryTier(1 << 20)
    await tier.set("1", image(tags=("card", "template-a")))
    await tier.set("2", image(tags=("card", "template-b", "bg-x")))
    assert await tier.purge(["bg-x"]) == 1
    assert await tier.get("1") is not None
    assert await tier.purge(None) == 1


async def test_disk_tier_round_trip_purge_and_corruption(tmp_path):
    tier = DiskTier(str(tmp_path), 1 << 24)
    await tier.set("img:1", image(tags=("card", "template-a")))
    await tier.set("img:2", image(tags=("card", "template-b")))
    assert (await tier.get("img:1")).tags == ("card", "template-a")
    # Damage the stored bytes behind the tier's back: a miss, logged, and the entry removed.
    raw = bytearray(tier.read_raw("img:2"))
    raw[40] ^= 0xFF
    tier.write_raw("img:2", bytes(raw))
    with capture_logs() as logs:
        assert await tier.get("img:2") is None
    assert [e["event"] for e in logs] == ["cache_entry_corrupt"]
    assert tier.read_raw("img:2") is None
    assert await tier.purge(["template-a"]) == 1
    assert await tier.get("img:1") is None
    await tier.close()


@pytest.mark.redis
async def test_redis_tier_round_trip_ttl_and_purge(redis_url, redis_prefix):
    client = redis.from_url(redis_url)
    tier = RedisTier(client, redis_prefix, ttl=120)
    await tier.set("k1", image(tags=("card", "template-a")))
    await tier.set("k2", image(tags=("card", "template-b")))
    assert (await tier.get("k1")).tags == ("card", "template-a")
    assert 0 < await client.ttl(f"{redis_prefix}img:k1") <= 120
    assert await tier.purge(["template-a"]) == 1
    assert await tier.get("k1") is None
    assert await tier.get("k2") is not None
    assert await tier.purge(None) == 1
    await client.aclose()


def dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_redis_outage_is_a_miss_logged_once():
    client = redis.from_url(f"redis://127.0.0.1:{dead_port()}/0", socket_connect_timeout=0.5)
    tier = RedisTier(client, f"t:{uuid.uuid4().hex}:", ttl=60)
    with capture_logs() as logs:
        for _ in range(5):
            assert await tier.get("x") is None
            await tier.set("x", image())
    assert [e["event"] for e in logs] == ["cache_redis_unavailable"]
    await client.aclose()
    await asyncio.sleep(0)
