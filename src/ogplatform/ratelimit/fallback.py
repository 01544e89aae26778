"""Redis first, memory when Redis is unreachable or slow: never a 500, never unlimited."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import Protocol

import structlog

from ogplatform.ratelimit.memory import MemoryLimiter
from ogplatform.ratelimit.policy import Decision, Window

__all__ = ["FallbackLimiter", "Limiter"]

log = structlog.get_logger("ogplatform.ratelimit")


class Limiter(Protocol):
    async def hit(self, key: str, windows: Sequence[Window]) -> Decision: ...

    async def close(self) -> None: ...


class FallbackLimiter:
    """Use ``primary``; on an error or a timeout use ``fallback`` and leave primary alone for
    ``retry_after`` seconds. One log line when an outage starts and one when it ends."""

    __slots__ = (
        "_clock",
        "_down_until",
        "_outage",
        "fallback",
        "primary",
        "retry_after",
        "timeout",
    )

    def __init__(
        self,
        primary: Limiter,
        fallback: MemoryLimiter,
        *,
        timeout: float = 0.25,
        retry_after: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.primary = primary
        self.fallback = fallback
        self.timeout = timeout
        self.retry_after = retry_after
        self._clock = clock
        self._down_until = 0.0
        self._outage = False

    @property
    def degraded(self) -> bool:
        """True while requests are limited in memory because the primary is unreachable."""
        return self._outage

    async def hit(self, key: str, windows: Sequence[Window]) -> Decision:
        if self._outage and self._clock() < self._down_until:
            return self.fallback.hit_now(key, windows)
        try:
            decision = await asyncio.wait_for(self.primary.hit(key, windows), self.timeout)
        except Exception as exc:  # any failure of the shared store degrades, never raises
            self._down_until = self._clock() + self.retry_after
            if not self._outage:
                self._outage = True
                log.warning("ratelimit_store_unavailable", error=repr(exc), fallback="memory")
            return self.fallback.hit_now(key, windows)
        if self._outage:
            self._outage = False
            log.info("ratelimit_store_recovered")
        return decision

    async def close(self) -> None:
        await self.primary.close()
        await self.fallback.close()
