"""Windows, policies and the decision a limiter returns: the arithmetic, with no I/O.

A policy is several sliding windows checked together ("2/10s, 5/1m, 25/1h"): a request is
allowed only if every window has room, and then it counts in all of them. Refused requests are
not counted, so a client that keeps knocking is not locked out for longer.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Decision", "Window", "WindowState", "decide", "parse_window"]

_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}
_WINDOW = re.compile(r"\s*(\d+)\s*/\s*(\d*)\s*([a-z]+)\s*")


@dataclass(frozen=True, slots=True)
class Window:
    """At most ``limit`` requests in any ``seconds``-long stretch of time."""

    limit: int
    seconds: int

    @property
    def name(self) -> str:
        """A short name for headers, e.g. ``"10s"``, ``"1m"``, ``"1h"``."""
        for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
            if self.seconds % size == 0:
                return f"{self.seconds // size}{unit}"
        return f"{self.seconds}s"


def parse_window(text: str) -> Window:
    """Parse ``"2/10s"``, ``"5/1m"``, ``"25/h"``, ``"60/1hour"``; raise ValueError otherwise."""
    match = _WINDOW.fullmatch(text.lower())
    if not match or match.group(3) not in _UNITS:
        raise ValueError(f"rate-limit window {text!r} must look like '5/1m' (units s, m, h, d)")
    limit, count, unit = int(match.group(1)), int(match.group(2) or 1), match.group(3)
    if limit < 1 or count < 1:
        raise ValueError(f"rate-limit window {text!r} needs a limit and a length of at least 1")
    return Window(limit, count * _UNITS[unit])


@dataclass(frozen=True, slots=True)
class WindowState:
    """What a store saw in one window before counting this request.

    ``count`` requests fall inside the window; ``oldest`` is the time of the first of them and
    ``freeing`` the time of the one whose expiry would let a refused request in (only when
    ``count >= limit``). Times are seconds on the store's clock.
    """

    count: int
    oldest: float | None
    freeing: float | None


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome for one request, with what the headers report (the binding window's)."""

    allowed: bool
    window: Window  # the binding window: the one with the least room left
    remaining: int
    reset: int  # whole seconds until the binding window has one more request free
    retry_after: int  # whole seconds until a refused request would be allowed; 0 if allowed
    windows: tuple[tuple[Window, int, int], ...]  # (window, remaining, reset) for each


def decide(windows: Sequence[Window], states: Sequence[WindowState], now: float) -> Decision:
    """Combine per-window states into a decision (the same for every store)."""
    refused = [
        (now if state.freeing is None else state.freeing) + window.seconds - now
        for window, state in zip(windows, states, strict=True)
        if state.count >= window.limit
    ]
    allowed = not refused
    report = []
    for window, state in zip(windows, states, strict=True):
        count = state.count + (1 if allowed else 0)
        oldest = state.oldest if state.oldest is not None else now
        if not allowed and state.count >= window.limit and state.freeing is not None:
            oldest = state.freeing
        remaining = max(0, window.limit - count)
        reset = _ceil_seconds(oldest + window.seconds - now if count else 0)
        report.append((window, remaining, reset))
    # Least room left binds; on a tie the longer wait is the one worth reporting.
    binding = min(report, key=lambda item: (item[1], -item[2]))
    return Decision(
        allowed=allowed,
        window=binding[0],
        remaining=binding[1],
        reset=binding[2],
        retry_after=max(1, _ceil_seconds(max(refused))) if refused else 0,
        windows=tuple(report),
    )


def _ceil_seconds(seconds: float) -> int:
    # Rounded up, so a client that waits the advertised time is never refused for being early
    # (rounding to microseconds first keeps float noise like 5.0000000001 from adding a second).
    return max(0, math.ceil(round(seconds, 6)))
