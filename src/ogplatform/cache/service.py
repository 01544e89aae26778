"""The render cache: tiers looked up in order, single-flight renders, purges by tag.

A hit in a lower tier fills the tiers above it. Concurrent requests for one missing key cause
one render: in this process an asyncio future is shared; across processes and machines (with
Redis) a lock with a timeout lets one renderer work while the others wait for its result, and
a crashed renderer's lock simply expires.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import msgspec
import structlog

from ogplatform.cache.entry import CachedImage
from ogplatform.cache.tiers import DiskTier, MemoryTier, RedisTier, Tier

__all__ = ["CacheResult", "RenderCache", "cache_key"]

log = structlog.get_logger("ogplatform.cache")

PURGE_EPOCH = "ogp:purge-epoch"  # diskcache key shared by the processes of one machine
LOCK_TIMEOUT = 30.0  # seconds a cross-process render lock lives (a crashed renderer's expires)


class CacheResult(msgspec.Struct, frozen=True):
    entry: CachedImage
    source: str  # "memory", "disk", "redis" or "render"


def cache_key(kind: str, material: Any) -> str:
    """A stable key for everything that determines the bytes (plain data, any nesting)."""
    encoded = msgspec.json.encode(material, order="sorted")
    return f"img:{kind}:" + hashlib.sha256(encoded).hexdigest()


class RenderCache:
    """Looks up, fills and purges the configured tiers."""

    def __init__(
        self,
        tiers: list[Tier],
        *,
        redis: Any = None,
        redis_prefix: str = "ogp:",
        lock_timeout: float = LOCK_TIMEOUT,
    ) -> None:
        self.tiers = tiers
        self.lock_timeout = lock_timeout
        self._redis = redis
        self._lock_prefix = f"{redis_prefix}lock:"
        self._flights: dict[str, asyncio.Future[CacheResult]] = {}
        self._disk = next((t for t in tiers if isinstance(t, DiskTier)), None)
        self._memory = next((t for t in tiers if isinstance(t, MemoryTier)), None)
        self._epoch = self._read_epoch()
        self._epoch_checked = time.monotonic()
        self.counters: dict[str, int] = {"render": 0, "miss": 0}
        for tier in tiers:
            self.counters[f"hit_{tier.name}"] = 0

    @classmethod
    def from_settings(cls, settings: Any, redis: Any, redis_prefix: str) -> RenderCache:
        """Tiers as ``[cache]`` says (``settings`` is a CacheSettings)."""
        tiers: list[Tier] = []
        if settings.memory and settings.memory_max_bytes:
            tiers.append(MemoryTier(settings.memory_max_bytes))
        if settings.disk and settings.disk_max_bytes:
            os.makedirs(settings.disk_path, exist_ok=True)
            tiers.append(DiskTier(settings.disk_path, settings.disk_max_bytes))
        if settings.redis and redis is not None:
            tiers.append(RedisTier(redis, redis_prefix, settings.redis_ttl_seconds))
        return cls(tiers, redis=redis if settings.redis else None, redis_prefix=redis_prefix)

    async def get_or_render(
        self,
        key: str,
        render: Callable[[], Awaitable[CachedImage]],
    ) -> CacheResult:
        """The cached image for ``key``, or the one ``render`` makes (rendered once per key)."""
        self._sync_purges()
        if self._memory is not None and (hit := self._memory.get_now(key)) is not None:
            self.counters["hit_memory"] += 1
            return CacheResult(hit, "memory")  # the hot path: no awaiting, no allocation
        flight = self._flights.get(key)
        if flight is not None:
            return await asyncio.shield(flight)
        future: asyncio.Future[CacheResult] = asyncio.get_running_loop().create_future()
        self._flights[key] = future
        try:
            result = await self._lookup_or_render(key, render)
            future.set_result(result)
            return result
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: waiting requests re-raise it, nothing is logged twice
            raise
        finally:
            del self._flights[key]

    async def _lookup_or_render(
        self, key: str, render: Callable[[], Awaitable[CachedImage]]
    ) -> CacheResult:
        found = await self._lookup(key)
        if found is not None:
            return found
        self.counters["miss"] += 1
        token = await self._lock(key)
        try:
            if token is None:
                # Another process holds the lock: its result will appear in Redis.
                waited = await self._wait_for_other(key)
                if waited is not None:
                    return waited
            entry = await render()
            self.counters["render"] += 1
            await self._fill(key, entry, self.tiers)
            return CacheResult(entry, "render")
        finally:
            if token:
                await self._unlock(key, token)

    async def _lookup(self, key: str) -> CacheResult | None:
        for index, tier in enumerate(self.tiers):
            if tier is self._memory:
                continue
            entry = await tier.get(key)
            if entry is not None:
                self.counters[f"hit_{tier.name}"] += 1
                await self._fill(key, entry, self.tiers[:index])
                return CacheResult(entry, tier.name)
        return None

    async def _fill(self, key: str, entry: CachedImage, tiers: Iterable[Tier]) -> None:
        for tier in tiers:
            try:
                await tier.set(key, entry)
            except Exception as exc:  # a full disk must not fail the request
                log.warning("cache_store_failed", tier=tier.name, error=repr(exc))

    async def _lock(self, key: str) -> str | None:
        """A render lock across processes; "" when there is no Redis to coordinate with."""
        if self._redis is None:
            return ""
        token = os.urandom(8).hex()
        expiry = int(self.lock_timeout * 1000)
        lock = self._redis.set(self._lock_prefix + key, token, nx=True, px=expiry)
        try:
            taken = await asyncio.wait_for(lock, 1.0)
        except Exception:
            return ""  # Redis trouble: render here rather than wait on nobody
        return token if taken else None

    async def _unlock(self, key: str, token: str) -> None:
        # Only our own lock: after a timeout another renderer may hold the key.
        release = (
            "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end"
        )
        with contextlib.suppress(Exception):  # if not, the lock expires on its own
            await asyncio.wait_for(self._redis.eval(release, 1, self._lock_prefix + key, token), 1)

    async def _wait_for_other(self, key: str) -> CacheResult | None:
        redis_tier = next((t for t in self.tiers if isinstance(t, RedisTier)), None)
        deadline = time.monotonic() + self.lock_timeout
        delay = 0.01
        while time.monotonic() < deadline:
            await asyncio.sleep(delay)  # polling for another process's result, bounded
            delay = min(delay * 2, 0.2)
            entry = await redis_tier.get(key) if redis_tier is not None else None
            if entry is not None:
                self.counters["hit_redis"] = self.counters.get("hit_redis", 0) + 1
                await self._fill(key, entry, [t for t in self.tiers if t is not redis_tier])
                return CacheResult(entry, "redis")
            if not await self._locked(key):
                return None  # the other renderer gave up or crashed: render here
        return None

    async def _locked(self, key: str) -> bool:
        try:
            return bool(await asyncio.wait_for(self._redis.exists(self._lock_prefix + key), 1.0))
        except Exception:
            return False

    async def contains(self, key: str) -> bool:
        """Whether a tier holds ``key`` (nothing is filled or counted)."""
        if self._memory is not None and self._memory.get_now(key) is not None:
            return True
        for tier in self.tiers:
            if tier is not self._memory and await tier.get(key) is not None:
                return True
        return False

    async def purge(self, tags: Iterable[str] | None) -> dict[str, int]:
        """Remove entries with any of ``tags`` (None: all) from every tier; tell the other
        processes of this machine through the disk tier so their memory tiers follow."""
        wanted = None if tags is None else sorted(set(tags))
        removed = {tier.name: await tier.purge(wanted) for tier in self.tiers}
        self._bump_epoch(wanted)
        return removed

    def _read_epoch(self) -> tuple[int, list[tuple[int, list[str] | None]]]:
        if self._disk is None:
            return (0, [])
        value = self._disk.read_raw(PURGE_EPOCH)
        return value if isinstance(value, tuple) else (0, [])

    def _bump_epoch(self, tags: list[str] | None) -> None:
        if self._disk is None:
            return
        number, history = self._read_epoch()
        number += 1
        history = [*history[-49:], (number, tags)]
        self._disk.write_raw(PURGE_EPOCH, (number, history))
        self._epoch = (number, history)

    def _sync_purges(self) -> None:
        """At most once a second, apply purges other processes made to this memory tier."""
        now = time.monotonic()
        if self._memory is None or self._disk is None or now - self._epoch_checked < 1.0:
            return
        self._epoch_checked = now
        number, history = self._read_epoch()
        if number == self._epoch[0]:
            return
        missed = [tags for n, tags in history if n > self._epoch[0]]
        everything = any(tags is None for tags in missed) or len(missed) < number - self._epoch[0]
        union = {tag for tags in missed if tags for tag in tags}
        self._epoch = (number, history)
        self._memory.purge_now(None if everything else union)

    async def stats(self) -> dict[str, Any]:
        return {
            "tiers": {tier.name: await tier.stats() for tier in self.tiers},
            "counters": dict(self.counters),
        }

    async def close(self) -> None:
        for tier in self.tiers:
            await tier.close()
