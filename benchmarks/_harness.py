"""Interleaved rounds, medians and ratios: the measuring part every benchmark shares."""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["Comparison", "asgi_get", "compare"]


@dataclass(frozen=True)
class Comparison:
    subject: str
    baseline: str
    subject_us: float  # median microseconds per operation
    baseline_us: float

    @property
    def ratio(self) -> float:
        return self.subject_us / self.baseline_us

    def report(self) -> str:
        return (
            f"{self.subject}: {self.subject_us:.1f} us/op | {self.baseline}: "
            f"{self.baseline_us:.1f} us/op | ratio {self.ratio:.2f}x"
        )


async def compare(
    subject: tuple[str, Callable[[], Awaitable[object]]],
    baseline: tuple[str, Callable[[], Awaitable[object]]],
    *,
    ops: int = 2000,
    rounds: int = 7,
) -> Comparison:
    """Time ``ops`` calls of each, alternating for ``rounds`` rounds; compare the medians."""
    timings: dict[str, list[float]] = {subject[0]: [], baseline[0]: []}
    for _ in range(ops // 10):  # warm both up (imports, caches) before measuring
        await subject[1]()
        await baseline[1]()
    for round_no in range(rounds):
        # Alternate who goes first so drift on a noisy machine hits both equally.
        order = (subject, baseline) if round_no % 2 == 0 else (baseline, subject)
        for name, operation in order:
            started = time.perf_counter()
            for _ in range(ops):
                await operation()
            timings[name].append((time.perf_counter() - started) / ops * 1e6)
    return Comparison(
        subject[0],
        baseline[0],
        statistics.median(timings[subject[0]]),
        statistics.median(timings[baseline[0]]),
    )


def asgi_get(
    app: Any, path: str, clients: Iterator[str] | None = None
) -> Callable[[], Awaitable[None]]:
    """A coroutine function doing one GET on the ASGI app in-process; it checks for a 200.

    ``clients`` gives each request its own peer address (for per-client rate limits).
    """
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "headers": [(b"host", b"bench")], "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }  # fmt: skip

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def request() -> None:
        status = 0

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]

        one = dict(scope)
        if clients is not None:
            one["client"] = (next(clients), 1)
        await app(one, receive, send)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")

    return request
