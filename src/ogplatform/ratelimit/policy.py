"""Windows, policies and the decision a limiter returns: the arithmetic, with no I/O.

A policy is several sliding windows checked together ("2/10s, 5/1m, 25/1h"): a request is
allowed only if every window has room, and then it counts in all of them. Refused requests are
not counted, so a client that keeps knocking is not locked out for longer.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

__all__ = ["Decision", "Window", "WindowState", "decide", "parse_window"]

_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}
_WINDOW = re.compile(r"\s*(\d+)\s*/\s*(\d*)\s*([a-z]+)\s*")


@dataclass(frozen=True, slots=True)
class Window:
    """At most ``limit`` requests in any ``seconds``-long stretch of time."""

    limit: int
    seconds: int
    # A short name for headers, e.g. "10s", "1m", "1h" (derived; computed once).
    name: str = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        name = f"{self.seconds}s"
        for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
            if self.seconds % size == 0:
                name = f"{self.seconds // size}{unit}"
                break
        object.__setattr__(self, "name", name)


def parse_window(text: str) -> Window:
    """Parse ``"2/10s"``, ``"5/1m"``, ``"25/h"``, ``"60/1hour"``; raise ValueError otherwise."""
    match = _WINDOW.fullmatch(text.lower())
    if not match or match.group(3) not in _UNITS:
        raise ValueError(f"rate-limit window {text!r} must look like '5/1m' (units s, m, h, d)")
    limit, count, unit = int(match.group(1)), int(match.group(2) or 1), match.group(3)
    if limit < 1 or count < 1:
        raise ValueError(f"rate-limit window {text!r} needs a limit and a length of at least 1")
    return Window(limit, count * _UNITS[unit])


class WindowState(NamedTuple):
    """What a store saw in one window before counting this request.

    ``seen`` requests fall inside the window; ``oldest`` is the time of the first of them and
    ``freeing`` the time of the one whose expiry would let a refused request in (only when
    ``seen >= limit``). Times are seconds on the store's clock.
    """

    seen: int
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
    remaining_per_window: tuple[int, ...]  # in the order of the windows given


def decide(windows: Sequence[Window], states: Sequence[WindowState], now: float) -> Decision:
    """Combine per-window states into a decision (the same for every store).

    A full window refuses the request; its wait is until the entry whose expiry frees a slot.
    Allowed, the request counts in every window. The binding window is the one with the least
    room left; among those, the one that takes longest to free a slot.
    """
    allowed = True
    for window, state in zip(windows, states, strict=True):
        if state.seen >= window.limit:
            allowed = False
    remaining = tuple(
        max(0, window.limit - state.seen - allowed)
        for window, state in zip(windows, states, strict=True)
    )
    least = min(remaining)
    binding, reset = windows[0], -1.0
    for window, state, left in zip(windows, states, remaining, strict=True):
        if left != least:
            continue  # only the tightest windows are reported: skip the arithmetic
        if state.seen >= window.limit and state.freeing is not None:
            frees_at = state.freeing  # refused: the entry whose expiry lets one in
        elif state.oldest is not None:
            frees_at = state.oldest
        else:
            frees_at = now  # empty before this request: this request is the oldest
        wait = frees_at + window.seconds - now
        if wait > reset:
            binding, reset = window, wait
    if allowed:
        retry = 0
    else:
        retry = max(
            1,
            max(
                _ceil_seconds(state.freeing + window.seconds - now)
                for window, state in zip(windows, states, strict=True)
                if state.seen >= window.limit and state.freeing is not None
            ),
        )
    return Decision(allowed, binding, least, _ceil_seconds(reset), retry, remaining)


def _ceil_seconds(seconds: float) -> int:
    # Rounded up, so a client that waits the advertised time is never refused for being early
    # (rounding to microseconds first keeps float noise like 5.0000000001 from adding a second).
    return max(0, math.ceil(round(seconds, 6)))
