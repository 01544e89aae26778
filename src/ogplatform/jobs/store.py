"""The job rows: the one source of truth for every job's state. Every transition is one guarded
UPDATE, so two runners can never both own a job: the one whose UPDATE matched a row has it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ogplatform.db import Database
from ogplatform.db.models import Job, Project, utcnow

__all__ = [
    "CLAIMABLE",
    "Finalizer",
    "JobEndHook",
    "claim",
    "complete",
    "fail_attempt",
    "release",
    "renew",
]

# Called inside the completing transaction, so what it writes (e.g. a map row) exists if and
# only if the job is completed.
Finalizer = Callable[[AsyncSession], Awaitable[None]]
# Called with the job's id inside the transaction that ends a job (completed, or failed for
# good), after its row is updated: an event it records (a webhook's outbox row) exists if and
# only if the job ended.
JobEndHook = Callable[[AsyncSession, str], Awaitable[None]]
_ERROR_MAX = 2000


def _claimable(now: datetime) -> sa.ColumnElement[bool]:
    """Pending and due, or processing with a lease that ran out (its worker is gone)."""
    return sa.or_(
        sa.and_(col(Job.status) == "pending", col(Job.available_at) <= now),
        sa.and_(col(Job.status) == "processing", col(Job.lease_expires_at) < now),
    )


CLAIMABLE = _claimable


async def claim(
    db: Database,
    owner: str,
    lease: float,
    job_types: frozenset[str] | None = None,
    *,
    job_id: str | None = None,
) -> Job | None:
    """Take the oldest claimable job for ``owner`` for ``lease`` seconds, or return None.
    With ``job_id``, only that job (a queue's wake-up named it), if it is claimable.

    The candidate is read first, then taken with ``UPDATE ... WHERE id = :id AND <claimable>``;
    a runner that lost the race sees rowcount 0 and tries the next candidate.
    """
    for _ in range(5):  # a few lost races in a row just mean busy peers: try again next poll
        now = utcnow()
        query = select(Job.id).where(_claimable(now))
        if job_types is not None:
            query = query.where(col(Job.job_type).in_(sorted(job_types)))
        if job_id is not None:
            query = query.where(col(Job.id) == job_id)
        async with db.session() as session:
            candidate = (await session.exec(query.order_by(col(Job.available_at)).limit(1))).first()
            if candidate is None:
                return None
            taken = await session.exec(
                sa.update(Job)
                .where(col(Job.id) == candidate, _claimable(now))
                .values(
                    status="processing",
                    lease_owner=owner,
                    lease_expires_at=now + timedelta(seconds=lease),
                    attempts=col(Job.attempts) + 1,
                    started_at=sa.func.coalesce(col(Job.started_at), now),
                    updated_at=now,
                )
            )
            await session.commit()
            if taken.rowcount == 1:
                return await session.get(Job, candidate, populate_existing=True)
    return None


async def renew(db: Database, job_id: str, owner: str, lease: float) -> bool:
    """Extend ``owner``'s lease (the heartbeat); False when the job is no longer theirs."""
    now = utcnow()
    async with db.session() as session:
        result = await session.exec(
            sa.update(Job)
            .where(*_owned(job_id, owner))
            .values(lease_expires_at=now + timedelta(seconds=lease), updated_at=now)
        )
        await session.commit()
        return bool(result.rowcount == 1)


async def release(db: Database, job_id: str, owner: str) -> bool:
    """Give an unfinished job back (its runner is stopping): pending again at once, and the
    interrupted attempt not counted. False when ``owner`` no longer had it."""
    now = utcnow()
    async with db.session() as session:
        result = await session.exec(
            sa.update(Job)
            .where(*_owned(job_id, owner))
            .values(
                status="pending",
                lease_owner=None,
                lease_expires_at=None,
                attempts=col(Job.attempts) - 1,
                available_at=now,
                updated_at=now,
            )
        )
        await session.commit()
        return bool(result.rowcount == 1)


def _owned(job_id: str, owner: str) -> tuple[sa.ColumnElement[bool], ...]:
    return (
        col(Job.id) == job_id,
        col(Job.status) == "processing",
        col(Job.lease_owner) == owner,
    )


async def complete(
    db: Database,
    job_id: str,
    owner: str,
    result: dict[str, Any],
    actual_token_cost: int | None,
    finalize: Finalizer | None = None,
    on_end: JobEndHook | None = None,
) -> bool:
    """Mark the job completed, with ``finalize``'s and ``on_end``'s writes, in one transaction.

    False (and nothing written) when ``owner`` lost the job meanwhile.
    """
    now = utcnow()
    async with db.session() as session:
        done = await session.exec(
            sa.update(Job)
            .where(*_owned(job_id, owner))
            .values(
                status="completed",
                result=result,
                actual_token_cost=actual_token_cost,
                error=None,
                lease_owner=None,
                lease_expires_at=None,
                finished_at=now,
                updated_at=now,
            )
        )
        if done.rowcount != 1:
            await session.rollback()
            return False
        if finalize is not None:
            await finalize(session)
        if on_end is not None:
            await on_end(session, job_id)
        await session.commit()
        return True


async def fail_attempt(
    db: Database,
    job: Job,
    owner: str,
    reason: str,
    *,
    permanent: bool,
    backoff: float,
    on_end: JobEndHook | None = None,
) -> str | None:
    """Record a failed attempt: back to ``pending`` after a backoff, or ``failed`` for good
    when the error is permanent or the attempts are used up (its reserved tokens go back to
    the project; ``on_end`` runs in that transaction). Returns the new status, or None when
    ``owner`` no longer had the job.
    """
    now = utcnow()
    final = permanent or job.attempts >= job.max_attempts
    values: dict[str, Any] = {
        "error": reason[:_ERROR_MAX],
        "lease_owner": None,
        "lease_expires_at": None,
        "updated_at": now,
    }
    if final:
        values |= {"status": "failed", "finished_at": now}
    else:
        delay = backoff * 2 ** max(job.attempts - 1, 0)
        values |= {"status": "pending", "available_at": now + timedelta(seconds=delay)}
    async with db.session() as session:
        result = await session.exec(sa.update(Job).where(*_owned(job.id, owner)).values(**values))
        if result.rowcount != 1:
            await session.rollback()
            return None
        if final:
            await _refund(session, job)
            if on_end is not None:
                await on_end(session, job.id)
        await session.commit()
    return str(values["status"])


async def _refund(session: AsyncSession, job: Job) -> None:
    if job.project_id is None or not job.estimated_token_cost:
        return
    await session.exec(
        sa.update(Project)
        .where(col(Project.id) == job.project_id, col(Project.token_balance).is_not(None))
        .values(token_balance=col(Project.token_balance) + job.estimated_token_cost)
    )
