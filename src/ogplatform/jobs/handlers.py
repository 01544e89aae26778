"""What a job type does: handlers registered by name, and what they hand back to the runner."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ogplatform.db.models import Job
from ogplatform.jobs.store import Finalizer

__all__ = ["HandlerRegistry", "JobHandler", "JobOutcome", "PermanentJobError"]


class PermanentJobError(Exception):
    """The job cannot succeed however often it is tried: fail it now, with this message."""


@dataclass(frozen=True, slots=True)
class JobOutcome:
    """A handler's success: the job's ``result``, its cost, and writes that must happen
    together with the completion (see :data:`~ogplatform.jobs.store.Finalizer`)."""

    result: dict[str, Any] = field(default_factory=dict)
    actual_token_cost: int | None = None
    finalize: Finalizer | None = None


# A handler gets the claimed row; it may run for long (off the event loop, please) and raises
# PermanentJobError for a hopeless job, anything else for a retryable failure.
JobHandler = Callable[[Job], Awaitable[JobOutcome]]


class HandlerRegistry:
    """Job types by name. Packages register theirs when the app is wired, so this package never
    imports the code that does the work."""

    __slots__ = ("_closers", "_handlers")

    def __init__(self) -> None:
        self._handlers: dict[str, JobHandler] = {}
        self._closers: list[Callable[[], None]] = []

    def on_close(self, closer: Callable[[], None]) -> None:
        """Run ``closer`` in :meth:`close` (a handler's process pool, say)."""
        self._closers.append(closer)

    def close(self) -> None:
        """Release what the handlers hold; the app and ``ogplatform worker`` call it after
        their runner has stopped. Idempotent for closers that are."""
        for closer in self._closers:
            closer()

    def register(self, job_type: str, handler: JobHandler) -> None:
        if job_type in self._handlers:
            raise ValueError(f"a handler for job type {job_type!r} is already registered")
        self._handlers[job_type] = handler

    def get(self, job_type: str) -> JobHandler | None:
        return self._handlers.get(job_type)

    def types(self) -> frozenset[str]:
        return frozenset(self._handlers)

    def __iter__(self) -> Iterator[str]:
        return iter(self._handlers)

    def __len__(self) -> int:
        return len(self._handlers)
