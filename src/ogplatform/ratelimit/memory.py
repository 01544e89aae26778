"""The in-process limiter: exact sliding windows kept in this process's memory.

Atomic because a check-and-count never awaits: nothing else runs in between on the event loop.
Used alone for the embedded default and as the fallback while Redis is unreachable.
"""

from __future__ import annotations

import time
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable, Sequence

from ogplatform.ratelimit.policy import Decision, Window, WindowState, decide

__all__ = ["MemoryLimiter"]

_EMPTY = WindowState(0, None, None)


class MemoryLimiter:
    """Request times per key, pruned to the longest window; least recently seen keys evicted."""

    __slots__ = ("_clock", "_logs", "max_keys")

    def __init__(
        self, *, max_keys: int = 100_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_keys = max_keys
        self._clock = clock
        self._logs: OrderedDict[str, list[float]] = OrderedDict()

    async def hit(self, key: str, windows: Sequence[Window]) -> Decision:
        return self.hit_now(key, windows)

    def hit_now(self, key: str, windows: Sequence[Window]) -> Decision:
        """Check and count one request (synchronous: the whole step is atomic)."""
        now = self._clock()
        log = self._logs.pop(key, None) or []
        del log[: bisect_right(log, now - max(w.seconds for w in windows))]
        states = []
        for window in windows:
            first = bisect_right(log, now - window.seconds)  # entries after now - seconds count
            count = len(log) - first
            if count == 0:
                states.append(_EMPTY)
            else:
                freeing = log[first + count - window.limit] if count >= window.limit else None
                states.append(WindowState(count, log[first], freeing))
        decision = decide(windows, states, now)
        if decision.allowed:
            log.append(now)
        if log:
            self._logs[key] = log  # re-inserted at the end: most recently used
            while len(self._logs) > self.max_keys:
                self._logs.popitem(last=False)
        return decision

    async def close(self) -> None:
        self._logs.clear()
