"""The outbox: job events recorded in the transaction that ends the job, and the sender tasks
that claim, POST and retry them."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import socket
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import msgspec
import sqlalchemy as sa
import structlog
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ogplatform import __version__
from ogplatform.db import Database
from ogplatform.db.models import Job, Project, WebhookDelivery, utcnow
from ogplatform.jobs.webhooks._projects import check_webhook_url, sign
from ogplatform.settings import WebhookSettings

__all__ = ["EVENTS", "JobView", "WebhookOutbox", "job_summary"]

log = structlog.get_logger("ogplatform.webhooks")

EVENTS = {"completed": "job.completed", "failed": "job.failed"}
_ERROR_MAX = 2000
# A claimed delivery is this much longer than its POST may take: a sender that dies mid-POST
# leaves the row due again after that, and a live one has finished (or timed out) well before.
_LEASE_MARGIN = 30.0

# How a job of one type looks in an event's ``data.job`` (the API's own view of it), built
# inside the transaction that ended the job, so it sees what that transaction wrote.
JobView = Callable[[AsyncSession, Job], Awaitable[dict[str, Any]]]


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


async def job_summary(session: AsyncSession, job: Job) -> dict[str, Any]:
    """The view of a job whose type registered none: its row's public fields."""
    return _summary(job)


def _summary(job: Job) -> dict[str, Any]:
    return {
        "id": job.id,
        "job_type": job.job_type,
        "project_id": job.project_id,
        "status": job.status,
        "result": job.result,
        "error": job.error,
        "attempts": job.attempts,
        "created_at": _iso(job.created_at),
        "started_at": _iso(job.started_at),
        "finished_at": _iso(job.finished_at),
    }


@dataclass(frozen=True, slots=True)
class _Claimed:
    id: str
    attempt: int
    payload: dict[str, Any]
    url: str | None
    secret: str | None


class WebhookOutbox:
    """Records job events for projects with a webhook, and sends them.

    Wiring (the app's lifespan, a worker)::

        outbox = WebhookOutbox(db, settings.webhooks, {"map": map_event_view(runtime)})
        runner = JobRunner(db, handlers, settings.jobs, queue, on_end=outbox.record)
        outbox.start()  # sender tasks; any process may run them, the claims keep them apart
        ...
        await outbox.stop()
    """

    __slots__ = (
        "_busy",
        "_client",
        "_db",
        "_settings",
        "_stopping",
        "_tasks",
        "_views",
        "_wake",
        "name",
    )

    def __init__(
        self,
        db: Database,
        settings: WebhookSettings,
        views: Mapping[str, JobView] | None = None,
        *,
        name: str | None = None,
    ) -> None:
        self._db = db
        self._settings = settings
        self._views = dict(views or {})
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._busy: set[str] = set()  # senders with a delivery in hand
        self._stopping = False
        self._client: httpx.AsyncClient | None = None
        self._wake = asyncio.Event()
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    # -- recording (inside the job's transaction) ----------------------------------------------

    async def record(self, session: AsyncSession, job_id: str) -> None:
        """Add the event of the job that just ended to ``session``'s transaction, if its project
        has a webhook (a :data:`~ogplatform.jobs.store.JobEndHook`)."""
        if not self._settings.enabled:
            return
        job = await session.get(Job, job_id, populate_existing=True)
        if job is None or job.project_id is None or job.status not in EVENTS:
            return
        project = await session.get(Project, job.project_id)
        if project is None or not project.webhook_url:
            return
        now = utcnow()
        session.add(
            WebhookDelivery(
                project_id=project.id,
                job_id=job.id,
                event=EVENTS[job.status],
                payload={
                    "event": EVENTS[job.status],
                    "created_at": _iso(now),
                    "data": {"job": await self._view(session, job)},
                },
                next_attempt_at=now,
                created_at=now,
                updated_at=now,
            )
        )
        # Senders in this process start at once instead of at their next poll.
        sa.event.listen(session.sync_session, "after_commit", self._notify, once=True)

    async def _view(self, session: AsyncSession, job: Job) -> dict[str, Any]:
        view = self._views.get(job.job_type, job_summary)
        try:
            return await view(session, job)
        except Exception:  # a view's bug must not stop the job from ending
            log.exception("webhook_view_failed", job_id=job.id, job_type=job.job_type)
            return _summary(job)

    def _notify(self, _session: Any) -> None:
        self._wake.set()

    # -- sending -------------------------------------------------------------------------------

    def start(self) -> None:
        """Start ``concurrency`` sender tasks (in the running event loop)."""
        settings = self._settings
        self._client = httpx.AsyncClient(
            timeout=settings.timeout_seconds,
            follow_redirects=False,
            limits=httpx.Limits(max_connections=settings.concurrency),
            headers={"User-Agent": f"ogplatform/{__version__}"},
        )
        self._stopping = False
        for number in range(settings.concurrency):
            owner = f"{self.name}/{number}"
            self._tasks[owner] = asyncio.create_task(self._work(owner), name=f"webhooks:{owner}")

    async def stop(self, grace: float = 2.0) -> None:
        """Stop the senders: idle ones at once; POSTs in flight get ``grace`` seconds to be
        answered and recorded, then are cut short (and sent again once their lease runs out:
        the receiver may see them twice)."""
        self._stopping = True
        tasks = dict(self._tasks)
        for owner, task in tasks.items():
            if owner not in self._busy:
                task.cancel()
        if grace > 0 and tasks:
            await asyncio.wait(tasks.values(), timeout=grace)
        for task in tasks.values():
            task.cancel()
        for task in tasks.values():
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _work(self, owner: str) -> None:
        while not self._stopping:
            self._busy.add(owner)
            try:
                sent = await self.send_one(owner)
            except asyncio.CancelledError:
                raise
            except Exception:  # the database blinked: log, wait, carry on
                log.exception("webhook_sender_error", sender=owner)
                sent = False
            finally:
                self._busy.discard(owner)
            if not sent and not self._stopping:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._settings.poll_seconds)
                self._wake.clear()

    async def send_one(self, owner: str | None = None) -> bool:
        """Claim one due delivery, POST it and record the outcome; False when none was due."""
        owner = owner or f"{self.name}/0"
        claimed = await self._claim(owner)
        if claimed is None:
            return False
        status_code: int | None = None
        error: str | None = "the project's webhook is turned off"
        final = True
        if claimed.url and claimed.secret:
            status_code, error = await self._post(
                claimed.id, claimed.payload, claimed.url, claimed.secret
            )
            final = False
        await self._finish(claimed, owner, status_code, error, final=final)
        return True

    async def _claim(self, owner: str) -> _Claimed | None:
        lease = timedelta(seconds=self._settings.timeout_seconds + _LEASE_MARGIN)
        for _ in range(5):  # a lost race means a busy peer: take the next row
            now = utcnow()
            due = (
                select(WebhookDelivery.id, WebhookDelivery.attempts)
                .where(_due(now))
                .order_by(col(WebhookDelivery.next_attempt_at))
                .limit(1)
            )
            async with self._db.session() as session:
                row = (await session.exec(due)).first()
                if row is None:
                    return None
                delivery_id, attempts = row
                taken = await session.exec(
                    sa.update(WebhookDelivery)
                    .where(
                        col(WebhookDelivery.id) == delivery_id,
                        col(WebhookDelivery.attempts) == attempts,
                        _due(now),
                    )
                    .values(
                        attempts=attempts + 1,
                        next_attempt_at=now + lease,
                        lease_owner=owner,
                        updated_at=now,
                    )
                )
                await session.commit()
                if taken.rowcount != 1:
                    continue
                delivery = await session.get(WebhookDelivery, delivery_id)
                project = await session.get(Project, delivery.project_id) if delivery else None
                if delivery is None:
                    continue  # removed with its project meanwhile
                return _Claimed(
                    id=delivery.id,
                    attempt=attempts + 1,
                    payload=delivery.payload,
                    url=project.webhook_url if project else None,
                    secret=project.webhook_secret if project else None,
                )
        return None

    async def _post(
        self, delivery_id: str, payload: dict[str, Any], url: str, secret: str
    ) -> tuple[int | None, str | None]:
        """POST the event; (status code, None) on a 2xx, else what went wrong."""
        assert self._client is not None, "start() first"
        try:
            url = check_webhook_url(url)
        except ValueError as exc:
            return None, str(exc)
        body = msgspec.json.encode(payload)
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "X-Webhook-Id": delivery_id,
            "X-Webhook-Timestamp": str(timestamp),
            "X-Webhook-Signature": sign(secret, timestamp, body),
        }
        try:
            # The whole exchange is bounded, not only each read: a receiver that trickles
            # bytes cannot hold a sender longer than timeout_seconds.
            async with (
                asyncio.timeout(self._settings.timeout_seconds),
                self._client.stream("POST", url, content=body, headers=headers) as response,
            ):
                status = response.status_code  # the body is never read
        except TimeoutError:
            return None, f"no answer within {self._settings.timeout_seconds:g} s"
        except httpx.HTTPError as exc:
            return None, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        return status, None if 200 <= status < 300 else f"HTTP {status}"

    async def _finish(
        self,
        claimed: _Claimed,
        owner: str,
        status_code: int | None,
        error: str | None,
        *,
        final: bool,
    ) -> None:
        now = utcnow()
        values: dict[str, Any] = {
            "lease_owner": None,
            "last_status_code": status_code,
            "last_error": error[:_ERROR_MAX] if error else None,
            "updated_at": now,
        }
        if error is None:
            values |= {"status": "delivered", "delivered_at": now}
        elif final or claimed.attempt >= self._settings.max_attempts:
            values |= {"status": "failed"}
        else:
            values["next_attempt_at"] = now + timedelta(seconds=self._backoff(claimed.attempt))
        async with self._db.session() as session:
            result = await session.exec(
                sa.update(WebhookDelivery)
                .where(
                    col(WebhookDelivery.id) == claimed.id,
                    col(WebhookDelivery.attempts) == claimed.attempt,
                    col(WebhookDelivery.lease_owner) == owner,
                    col(WebhookDelivery.status) == "pending",
                )
                .values(**values)
            )
            await session.commit()
        bound = log.bind(delivery_id=claimed.id, attempt=claimed.attempt, sender=owner)
        if result.rowcount != 1:
            bound.warning("webhook_lease_lost")
        elif error is None:
            bound.info("webhook_delivered", status_code=status_code)
        else:
            bound.warning("webhook_attempt_failed", error=error, status=values.get("status"))

    def _backoff(self, attempt: int) -> float:
        """backoff * 2^(attempt-1), capped, less up to half of it at random, so receivers
        coming back from an outage are not hit by every sender at the same moment."""
        settings = self._settings
        delay = min(settings.max_backoff_seconds, settings.backoff_seconds * 2.0 ** (attempt - 1))
        return delay - random.uniform(0, delay / 2)


def _due(now: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(
        col(WebhookDelivery.status) == "pending", col(WebhookDelivery.next_attempt_at) <= now
    )
