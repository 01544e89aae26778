"""The queue contract: it only carries wake-ups. The job rows are the truth, so a lost message
costs at most one poll interval, never a job."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Protocol, runtime_checkable

from ogplatform.settings import Settings, SettingsError

__all__ = ["InProcessQueue", "JobQueue", "job_queue_for"]


@runtime_checkable
class JobQueue(Protocol):
    """How the API tells runners that work is waiting."""

    async def notify(self, job_id: str) -> None:
        """A job was created (or became due): wake a runner. Never raises: a wake-up that
        cannot be sent is only a delay (runners poll)."""
        ...

    async def wait(self, seconds: float) -> str | None:
        """Return when notified, or after ``seconds``, whichever comes first: the id of the job
        the wake-up was for when the queue carries ids, else None."""
        ...

    async def close(self) -> None:
        """Release connections (the app's lifespan and the worker call it on the way out)."""
        ...


class InProcessQueue:
    """Wake-ups for runners in this process (the embedded default)."""

    __slots__ = ("_event",)

    def __init__(self) -> None:
        self._event = asyncio.Event()

    async def notify(self, job_id: str) -> None:
        self._event.set()

    async def wait(self, seconds: float) -> str | None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), seconds)
        self._event.clear()
        return None

    async def close(self) -> None:
        return None


def job_queue_for(settings: Settings) -> JobQueue:
    """The queue ``[jobs] runner`` asks for: in-process, or Redis through SAQ (needs
    ``[redis] url`` and ``pip install 'ogplatform[redis]'``)."""
    if settings.jobs.runner != "redis":
        return InProcessQueue()
    if not settings.redis.url:
        raise SettingsError('jobs.runner = "redis" needs redis.url')
    try:
        from ogplatform.jobs.saq_queue import SaqJobQueue
    except ImportError:
        raise SettingsError(
            "jobs.runner = \"redis\" needs SAQ: pip install 'ogplatform[redis]'"
        ) from None
    return SaqJobQueue(settings.redis.url, f"{settings.redis.key_prefix}jobs")
