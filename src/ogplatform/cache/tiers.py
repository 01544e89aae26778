"""The three tiers: in-process memory (LRU bounded by bytes), disk (diskcache), Redis (shared).

Each tier has the same small interface; the lower two store the checksummed serialized entry.
Disk and Redis failures never raise out of a tier: a broken entry is a miss (and removed), an
unreachable Redis is a miss, logged once per outage and retried after a back-off.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any, Protocol

import structlog

from ogplatform.cache.entry import CachedImage, CorruptEntryError, dump, load

__all__ = ["DiskTier", "MemoryTier", "RedisTier", "Tier"]

log = structlog.get_logger("ogplatform.cache")


class Tier(Protocol):
    name: str

    async def get(self, key: str) -> CachedImage | None: ...

    async def set(self, key: str, entry: CachedImage) -> None: ...

    async def purge(self, tags: Iterable[str] | None) -> int:
        """Remove entries carrying any of ``tags`` (None: everything); return how many."""
        ...

    async def stats(self) -> dict[str, Any]: ...

    async def close(self) -> None: ...


class MemoryTier:
    """An LRU of entries in this process, evicting once its bytes pass ``max_bytes``."""

    name = "memory"

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, CachedImage] = OrderedDict()
        self._bytes = 0

    async def get(self, key: str) -> CachedImage | None:
        return self.get_now(key)

    def get_now(self, key: str) -> CachedImage | None:
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
        return entry

    async def set(self, key: str, entry: CachedImage) -> None:
        if entry.size > self.max_bytes:
            return  # one huge image must not flush everything else
        old = self._entries.pop(key, None)
        if old is not None:
            self._bytes -= old.size
        self._entries[key] = entry
        self._bytes += entry.size
        while self._bytes > self.max_bytes:
            _, evicted = self._entries.popitem(last=False)
            self._bytes -= evicted.size

    async def purge(self, tags: Iterable[str] | None) -> int:
        return self.purge_now(tags)

    def purge_now(self, tags: Iterable[str] | None) -> int:
        wanted = None if tags is None else set(tags)
        doomed = [k for k, e in self._entries.items() if wanted is None or wanted & set(e.tags)]
        for key in doomed:
            self._bytes -= self._entries.pop(key).size
        return len(doomed)

    async def stats(self) -> dict[str, Any]:
        return {"entries": len(self._entries), "bytes": self._bytes, "max_bytes": self.max_bytes}

    async def close(self) -> None:
        self._entries.clear()
        self._bytes = 0


class DiskTier:
    """diskcache on local disk: survives restarts, shared by the processes of one machine."""

    name = "disk"

    def __init__(self, path: str, max_bytes: int) -> None:
        import diskcache  # type: ignore[import-untyped,unused-ignore]

        self._cache = diskcache.Cache(
            path, size_limit=max_bytes, eviction_policy="least-recently-used", timeout=2
        )

    async def get(self, key: str) -> CachedImage | None:
        return await asyncio.to_thread(self._get, key)

    def _get(self, key: str) -> CachedImage | None:
        data = self._cache.get(key)
        if data is None:
            return None
        try:
            return load(data)
        except CorruptEntryError as exc:
            log.warning("cache_entry_corrupt", tier="disk", error=str(exc))
            self._cache.delete(key)
            return None

    async def set(self, key: str, entry: CachedImage) -> None:
        await asyncio.to_thread(self._cache.set, key, dump(entry), tag=None)

    async def purge(self, tags: Iterable[str] | None) -> int:
        return await asyncio.to_thread(self._purge, None if tags is None else frozenset(tags))

    def _purge(self, tags: frozenset[str] | None) -> int:
        if tags is None:
            return int(self._cache.clear())
        removed = 0
        for key in list(self._cache.iterkeys()):
            if not isinstance(key, str) or not key.startswith("img:"):
                continue
            entry = self._get(key)
            if entry is not None and tags & set(entry.tags):
                removed += bool(self._cache.delete(key))
        return removed

    def read_raw(self, key: str) -> Any:
        return self._cache.get(key)

    def write_raw(self, key: str, value: Any) -> None:
        self._cache.set(key, value)

    async def stats(self) -> dict[str, Any]:
        return {"entries": len(self._cache), "bytes": self._cache.volume(),
                "max_bytes": self._cache.size_limit}  # fmt: skip

    async def close(self) -> None:
        self._cache.close()


class RedisTier:
    """Redis, shared by every process and machine; entries expire after ``ttl`` seconds."""

    name = "redis"

    def __init__(self, client: Any, prefix: str, ttl: int, *, retry_after: float = 5.0) -> None:
        self._client = client
        self._prefix = f"{prefix}img:"
        self._tags = f"{prefix}tag:"
        self.ttl = ttl
        self.retry_after = retry_after
        self._down_until = 0.0
        self._outage = False

    async def _call(self, what: str, coro: Any) -> Any:
        if self._outage and time.monotonic() < self._down_until:
            coro.close()
            return None
        try:
            result = await asyncio.wait_for(coro, 1.0)
        except Exception as exc:  # Redis trouble is a miss, never an error for the client
            self._down_until = time.monotonic() + self.retry_after
            if not self._outage:
                self._outage = True
                log.warning("cache_redis_unavailable", during=what, error=repr(exc))
            return None
        if self._outage:
            self._outage = False
            log.info("cache_redis_recovered")
        return result

    async def get(self, key: str) -> CachedImage | None:
        data = await self._call("get", self._client.get(self._prefix + key))
        if data is None:
            return None
        try:
            return load(data)
        except CorruptEntryError as exc:
            log.warning("cache_entry_corrupt", tier="redis", error=str(exc))
            await self._call("delete", self._client.delete(self._prefix + key))
            return None

    async def set(self, key: str, entry: CachedImage) -> None:
        pipe = self._client.pipeline(transaction=False)
        pipe.set(self._prefix + key, dump(entry), ex=self.ttl)
        for tag in entry.tags:
            pipe.sadd(self._tags + tag, key)
            pipe.expire(self._tags + tag, self.ttl)
        await self._call("set", pipe.execute())

    async def purge(self, tags: Iterable[str] | None) -> int:
        if tags is None:
            tags = ["card", "map"]
        removed = 0
        for tag in tags:
            keys = await self._call("purge", self._client.smembers(self._tags + tag)) or set()
            if keys:
                names = [self._prefix + (k.decode() if isinstance(k, bytes) else k) for k in keys]
                removed += int(await self._call("purge", self._client.delete(*names)) or 0)
            await self._call("purge", self._client.delete(self._tags + tag))
        return removed

    async def stats(self) -> dict[str, Any]:
        return {"reachable": not self._outage, "ttl_seconds": self.ttl}

    async def close(self) -> None:
        """The client belongs to the runtime."""
