"""The runner on its own: leases, crash recovery, retries, and racing runners."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import msgspec
import pytest

from ogplatform.db import Database, upgrade
from ogplatform.db.models import Job, utcnow
from ogplatform.jobs import HandlerRegistry, JobOutcome, JobRunner, PermanentJobError
from ogplatform.settings import JobsSettings

FAST = msgspec.convert(
    {"lease_seconds": 0.3, "poll_seconds": 0.02, "retry_backoff_seconds": 0.0, "max_attempts": 3},
    JobsSettings,
)


@pytest.fixture
async def db(database_url: str) -> Any:
    await upgrade(database_url)
    database = Database.from_url(database_url)
    yield database
    await database.dispose()


async def _add(db: Database, **fields: Any) -> str:
    job = Job(job_type="echo", payload={"n": 1}, max_attempts=3, **fields)
    async with db.session() as session:
        session.add(job)
        await session.commit()
    return job.id


async def _get(db: Database, job_id: str) -> Job:
    async with db.session() as session:
        job = await session.get(Job, job_id)
        assert job is not None
        return job


def _registry(calls: list[str], behaviour: Any = None) -> HandlerRegistry:
    registry = HandlerRegistry()

    async def echo(job: Job) -> JobOutcome:
        calls.append(job.id)
        if behaviour is not None:
            await behaviour(job)
        return JobOutcome(result={"echo": job.payload["n"]})

    registry.register("echo", echo)
    return registry


async def test_a_dead_workers_job_is_taken_over_after_its_lease(db: Database) -> None:
    stale = utcnow() - timedelta(seconds=1)
    job_id = await _add(
        db, status="processing", attempts=1, lease_owner="dead/0", lease_expires_at=stale
    )
    live = await _add(
        db,
        status="processing",
        attempts=1,
        lease_owner="busy/0",
        lease_expires_at=utcnow() + timedelta(hours=1),
    )
    calls: list[str] = []
    runner = JobRunner(db, _registry(calls), FAST)
    assert await runner.run_once()
    assert not await runner.run_once()  # the live lease is left alone
    job = await _get(db, job_id)
    assert job.status == "completed" and job.result == {"echo": 1} and job.attempts == 2
    assert calls == [job_id]
    assert (await _get(db, live)).status == "processing"


async def test_heartbeat_keeps_a_slow_job(db: Database) -> None:
    job_id = await _add(db)

    async def slow(_: Job) -> None:
        await asyncio.sleep(3.0)  # three leases long

    # A 1 s lease renewed every third of it: only a stall of 2/3 s on a loaded machine could
    # lose it, where FAST's 0.3 s lease would make this test depend on the scheduler.
    steady = msgspec.structs.replace(FAST, lease_seconds=1.0)
    calls: list[str] = []
    first = JobRunner(db, _registry(calls, slow), steady, name="first")
    second = JobRunner(db, _registry(calls, slow), steady, name="second")
    work = asyncio.create_task(first.run_once())
    await asyncio.sleep(2.0)  # past the first lease: only renewals keep the job
    assert not await second.run_once()  # the lease was renewed: nothing to take over
    assert await work
    assert calls == [job_id] and (await _get(db, job_id)).status == "completed"


async def test_two_racing_runners_run_each_job_once(db: Database) -> None:
    ids = [await _add(db) for _ in range(6)]
    calls: list[str] = []

    async def pause(_: Job) -> None:
        await asyncio.sleep(0.01)

    # A long lease: this is about the claim being atomic. With a lease as short as FAST's, a
    # heartbeat delayed on a loaded machine lets a peer take the job over legitimately (that
    # takeover is what test_a_dead_workers_job_is_taken_over_after_its_lease checks), which
    # would run it twice here.
    racing = msgspec.structs.replace(FAST, lease_seconds=30.0)
    runners = [JobRunner(db, _registry(calls, pause), racing, name=f"r{i}") for i in range(2)]

    async def drain(runner: JobRunner) -> None:
        while await runner.run_once():
            pass

    await asyncio.gather(*(drain(r) for r in runners), *(drain(r) for r in runners))
    assert sorted(calls) == sorted(ids)  # each once, none twice
    for job_id in ids:
        assert (await _get(db, job_id)).status == "completed"


async def test_errors_retry_then_fail_with_the_reason(db: Database) -> None:
    job_id = await _add(db)

    async def broken(_: Job) -> None:
        raise RuntimeError("disk on fire")

    calls: list[str] = []
    runner = JobRunner(db, _registry(calls, broken), FAST)
    while await runner.run_once():
        pass
    job = await _get(db, job_id)
    assert len(calls) == 3 and job.status == "failed" and job.attempts == 3
    assert job.error == "RuntimeError: disk on fire"


async def test_permanent_errors_fail_at_once(db: Database) -> None:
    job_id = await _add(db)

    async def hopeless(_: Job) -> None:
        raise PermanentJobError("PDF output is not available yet")

    calls: list[str] = []
    runner = JobRunner(db, _registry(calls, hopeless), FAST)
    assert await runner.run_once()
    job = await _get(db, job_id)
    assert job.status == "failed" and job.error == "PDF output is not available yet"
    assert len(calls) == 1


async def test_a_job_whose_worker_keeps_dying_is_failed(db: Database) -> None:
    stale = utcnow() - timedelta(seconds=1)
    job_id = await _add(
        db, status="processing", attempts=3, lease_owner="dead/0", lease_expires_at=stale
    )
    calls: list[str] = []
    assert await JobRunner(db, _registry(calls), FAST).run_once()
    job = await _get(db, job_id)
    assert job.status == "failed" and calls == []
    assert job.error == "the worker stopped responding"


async def test_started_runner_picks_up_work(db: Database) -> None:
    job_id = await _add(db)
    calls: list[str] = []
    runner = JobRunner(db, _registry(calls), FAST)
    runner.start()
    try:
        async with asyncio.timeout(10):
            while (await _get(db, job_id)).status != "completed":  # noqa: ASYNC110 - polls the DB
                await asyncio.sleep(0.02)
    finally:
        await runner.stop()
