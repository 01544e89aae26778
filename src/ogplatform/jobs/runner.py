"""The runner: claims jobs, keeps their lease alive while a handler works, records the outcome.

Several runners (tasks here, processes elsewhere) may share one database: the guarded UPDATEs
of :mod:`ogplatform.jobs.store` decide who owns a job, and a lease that is not renewed makes the
job claimable again, so a runner that dies mid-job delays it but never loses it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import uuid

import structlog

from ogplatform.db import Database
from ogplatform.db.models import Job
from ogplatform.jobs import store
from ogplatform.jobs.handlers import HandlerRegistry, PermanentJobError
from ogplatform.jobs.queue import InProcessQueue, JobQueue
from ogplatform.jobs.store import JobEndHook
from ogplatform.settings import JobsSettings

__all__ = ["JobRunner"]

log = structlog.get_logger("ogplatform.jobs")


class JobRunner:
    """``settings.concurrency`` workers taking jobs of the registered types from ``db``.

    ``on_end`` runs inside the transaction that ends a job (completed, or failed for good); the
    webhook outbox (:meth:`~ogplatform.jobs.webhooks.WebhookOutbox.record`) is one.
    """

    __slots__ = (
        "_db",
        "_handlers",
        "_idle",
        "_on_end",
        "_queue",
        "_settings",
        "_stopping",
        "_tasks",
        "name",
    )

    def __init__(
        self,
        db: Database,
        handlers: HandlerRegistry,
        settings: JobsSettings,
        queue: JobQueue | None = None,
        *,
        name: str | None = None,
        on_end: JobEndHook | None = None,
    ) -> None:
        self._db = db
        self._handlers = handlers
        self._on_end = on_end
        self._settings = settings
        self._queue: JobQueue = queue or InProcessQueue()
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._idle: set[str] = set()  # workers waiting for work: nothing to lose in cancelling
        self._stopping = False
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    def start(self) -> None:
        """Start the worker tasks (in the running event loop)."""
        self._stopping = False
        for number in range(self._settings.concurrency):
            owner = f"{self.name}/{number}"
            self._tasks[owner] = asyncio.create_task(self._work(owner), name=f"jobs:{owner}")

    async def stop(self, grace: float = 0.0) -> None:
        """Stop the workers: idle ones at once; jobs in progress get ``grace`` seconds to
        finish, then are cancelled and released (pending again, the attempt not counted).
        A runner that dies instead of stopping leaves its jobs to whoever claims them after
        their lease."""
        self._stopping = True
        tasks = dict(self._tasks)
        for owner, task in tasks.items():
            if owner in self._idle:
                task.cancel()
        if grace > 0 and tasks:
            await asyncio.wait(tasks.values(), timeout=grace)
        for task in tasks.values():
            task.cancel()
        for task in tasks.values():
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()

    async def _work(self, owner: str) -> None:
        woken_for: str | None = None
        while not self._stopping:
            try:
                worked = await self.run_once(owner, job_id=woken_for)
            except asyncio.CancelledError:
                raise
            except Exception:  # the database blinked: log, wait, carry on
                log.exception("job_runner_error", runner=owner)
                worked = False
            woken_for = None
            if not worked and not self._stopping:
                self._idle.add(owner)
                try:
                    woken_for = await self._queue.wait(self._settings.poll_seconds)
                finally:
                    self._idle.discard(owner)

    async def run_once(self, owner: str | None = None, *, job_id: str | None = None) -> bool:
        """Claim and run one job (``job_id`` first, when a wake-up named one and nobody took
        it yet); False when there was nothing to do."""
        owner = owner or f"{self.name}/0"
        lease, types = self._settings.lease_seconds, self._handlers.types()
        job = None
        if job_id is not None:
            job = await store.claim(self._db, owner, lease, types, job_id=job_id)
        if job is None:
            job = await store.claim(self._db, owner, lease, types)
        if job is None:
            return False
        await self._run(job, owner)
        return True

    async def _run(self, job: Job, owner: str) -> None:
        bound = log.bind(job_id=job.id, job_type=job.job_type, attempt=job.attempts, runner=owner)
        if job.attempts > job.max_attempts:
            # Claimed again after its worker vanished (lease ran out) too many times.
            await self._fail(job, owner, job.error or "the worker stopped responding", True)
            bound.warning("job_abandoned")
            return
        handler = self._handlers.get(job.job_type)
        if handler is None:
            await self._fail(job, owner, f"no handler for job type {job.job_type!r}", True)
            return
        heartbeat = asyncio.create_task(self._heartbeat(job.id, owner))
        try:
            outcome = await handler(job)
        except asyncio.CancelledError:  # stopping: give the job back rather than sit on it
            await self._release(job, owner)
            raise
        except PermanentJobError as exc:
            await self._fail(job, owner, str(exc), True)
            bound.info("job_failed", error=str(exc))
            return
        except Exception as exc:
            status = await self._fail(job, owner, f"{type(exc).__name__}: {exc}", False)
            bound.warning("job_attempt_failed", error=repr(exc), status=status)
            return
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
        if await store.complete(
            self._db,
            job.id,
            owner,
            outcome.result,
            outcome.actual_token_cost,
            outcome.finalize,
            self._on_end,
        ):
            bound.info("job_completed")
        else:
            bound.warning("job_lease_lost")

    async def _fail(self, job: Job, owner: str, reason: str, permanent: bool) -> str | None:
        return await store.fail_attempt(
            self._db,
            job,
            owner,
            reason,
            permanent=permanent,
            backoff=self._settings.retry_backoff_seconds,
            on_end=self._on_end,
        )

    async def _release(self, job: Job, owner: str) -> None:
        bound = log.bind(job_id=job.id, job_type=job.job_type, runner=owner)
        try:
            released = await store.release(self._db, job.id, owner)
        except Exception:  # then its lease runs out and another runner takes it over
            bound.warning("job_release_failed", exc_info=True)
            return
        bound.info("job_released" if released else "job_lease_lost")

    async def _heartbeat(self, job_id: str, owner: str) -> None:
        lease = self._settings.lease_seconds
        while True:
            await asyncio.sleep(lease / 3)
            try:
                if not await store.renew(self._db, job_id, owner, lease):
                    return
            except Exception:  # one missed beat is fine; the lease has two more in hand
                log.warning("job_heartbeat_failed", job_id=job_id, exc_info=True)
