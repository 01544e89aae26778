"""The queue contract: it only carries wake-ups. The job rows are the truth, so a lost message
costs at most one poll interval, never a job."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Protocol, runtime_checkable

__all__ = ["InProcessQueue", "JobQueue"]


@runtime_checkable
class JobQueue(Protocol):
    """How the API tells runners that work is waiting."""

    async def notify(self, job_id: str) -> None:
        """A job was created (or became due): wake a runner."""
        ...

    async def wait(self, seconds: float) -> None:
        """Return when notified, or after ``seconds``, whichever comes first."""
        ...


class InProcessQueue:
    """Wake-ups for runners in this process (the embedded default)."""

    __slots__ = ("_event",)

    def __init__(self) -> None:
        self._event = asyncio.Event()

    async def notify(self, job_id: str) -> None:
        self._event.set()

    async def wait(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), seconds)
        self._event.clear()
