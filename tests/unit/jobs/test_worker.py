"""What ``ogplatform worker`` stands on: wake-ups through Redis (SAQ) that carry job ids, claims
by id, and stops that let a job finish or give it back. The processes themselves are in
tests/e2e/test_worker_e2e.py."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import msgspec
import pytest
import redis.asyncio as redis
from click.testing import CliRunner
from jobs_support import Tenant, serve
from litestar import Litestar

from ogplatform.cli import main
from ogplatform.db import Database, upgrade
from ogplatform.db.models import Job
from ogplatform.jobs import HandlerRegistry, JobOutcome, JobRunner, job_queue_for
from ogplatform.jobs.saq_queue import SaqJobQueue
from ogplatform.settings import JobsSettings, Settings, SettingsError

FAST = msgspec.convert(
    {"lease_seconds": 5.0, "poll_seconds": 0.05, "retry_backoff_seconds": 0.0}, JobsSettings
)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    await upgrade(database_url)
    database = Database.from_url(database_url)
    yield database
    await database.dispose()


@pytest.fixture
async def wakeups(redis_url: str, redis_prefix: str) -> AsyncIterator[SaqJobQueue]:
    queue = SaqJobQueue(redis_url, f"{redis_prefix}jobs")
    yield queue
    await queue.close()


async def _add(db: Database, job_type: str = "echo") -> str:
    job = Job(job_type=job_type, payload={}, max_attempts=3)
    async with db.session() as session:
        session.add(job)
        await session.commit()
    return job.id


async def _get(db: Database, job_id: str) -> Job:
    async with db.session() as session:
        job = await session.get(Job, job_id)
        assert job is not None
        return job


async def _until(db: Database, job_id: str, done: Callable[[Job], bool], limit: float = 10) -> Job:
    async with asyncio.timeout(limit):
        while not done(job := await _get(db, job_id)):  # noqa: ASYNC110 - polls the database
            await asyncio.sleep(0.02)
    return job


def _echo(calls: list[str], pause: asyncio.Event | float = 0.0) -> HandlerRegistry:
    registry = HandlerRegistry()

    async def echo(job: Job) -> JobOutcome:
        calls.append(job.id)
        if isinstance(pause, asyncio.Event):
            await pause.wait()
        else:
            await asyncio.sleep(pause)
        return JobOutcome(result={"echo": True})

    registry.register("echo", echo)
    return registry


# -- the queue ------------------------------------------------------------------------------


@pytest.mark.redis
async def test_wakeups_carry_job_ids_and_collapse(
    wakeups: SaqJobQueue, redis_url: str, redis_prefix: str
) -> None:
    await wakeups.notify("job-a")
    await wakeups.notify("job-a")  # still waiting: the same message, not a second one
    await wakeups.notify("job-b")
    client = redis.from_url(redis_url)
    try:
        keys = {key.decode() for key in await client.keys(f"*{redis_prefix}*")}
        assert all(key.startswith(redis_prefix) for key in keys)  # nothing under saq:
        assert f"{redis_prefix}jobs:job:job-a" in keys
        assert await wakeups.wait(1.0) == "job-a"
        assert await wakeups.wait(1.0) == "job-b"
        started = time.monotonic()
        assert await wakeups.wait(0.2) is None
        assert time.monotonic() - started >= 0.15
        # Taken messages are acknowledged and gone: nothing is left behind in Redis.
        assert await client.keys(f"{redis_prefix}*") == []
        await wakeups.notify("job-a")  # a job may be woken again later (e.g. a retry)
        assert await wakeups.wait(1.0) == "job-a"
    finally:
        await client.aclose()


async def test_a_redis_outage_delays_wakeups_and_raises_nothing() -> None:
    queue = SaqJobQueue("redis://127.0.0.1:9/0", "nowhere:jobs")  # the discard port: refused
    try:
        await queue.notify("job-a")  # the job row is committed; the API must not fail on this
        started = time.monotonic()
        assert await queue.wait(0.2) is None  # like a poll interval with nothing in it
        assert time.monotonic() - started >= 0.15
    finally:
        await queue.close()


def test_the_redis_runner_needs_a_redis_url() -> None:
    settings = msgspec.convert({"jobs": {"runner": "redis"}}, Settings)
    with pytest.raises(SettingsError, match=r"redis\.url"):
        job_queue_for(settings)
    named = msgspec.convert(
        {"jobs": {"runner": "redis"}, "redis": {"url": "redis://x", "key_prefix": "a:"}}, Settings
    )
    queue = job_queue_for(named)
    assert isinstance(queue, SaqJobQueue) and queue.name == "a:jobs"


# -- the runner -----------------------------------------------------------------------------


async def test_a_wakeup_names_the_job_to_claim(db: Database) -> None:
    older, newer = await _add(db), await _add(db)
    calls: list[str] = []
    runner = JobRunner(db, _echo(calls), FAST)
    assert await runner.run_once(job_id=newer)
    assert calls == [newer]
    # A wake-up for a job somebody else finished: the runner takes what is waiting instead.
    assert await runner.run_once(job_id=newer)
    assert calls == [newer, older]
    assert not await runner.run_once(job_id=older)


@pytest.mark.redis
async def test_wakeups_through_redis_start_jobs_without_waiting_for_a_poll(
    db: Database, wakeups: SaqJobQueue
) -> None:
    calls: list[str] = []
    slow_poll = msgspec.structs.replace(FAST, poll_seconds=60.0)
    runner = JobRunner(db, _echo(calls), slow_poll, wakeups)
    runner.start()
    try:
        await asyncio.sleep(0.2)  # the runner found nothing and now waits on Redis
        job_id = await _add(db)
        await wakeups.notify(job_id)
        job = await _until(db, job_id, lambda job: job.status == "completed", limit=10)
        assert job.attempts == 1 and calls == [job_id]
    finally:
        await runner.stop()


async def test_stopping_lets_a_job_finish_within_the_grace(db: Database) -> None:
    job_id = await _add(db)
    calls: list[str] = []
    runner = JobRunner(db, _echo(calls, pause=0.5), FAST)
    runner.start()
    await _until(db, job_id, lambda job: job.status == "processing")
    await runner.stop(grace=10.0)
    job = await _get(db, job_id)
    assert job.status == "completed" and job.attempts == 1 and calls == [job_id]


async def test_stopping_gives_back_a_job_that_outlasts_the_grace(db: Database) -> None:
    job_id = await _add(db)
    calls: list[str] = []
    never = asyncio.Event()
    first = JobRunner(db, _echo(calls, pause=never), FAST, name="first")
    first.start()
    await _until(db, job_id, lambda job: job.status == "processing")
    started = time.monotonic()
    await first.stop(grace=0.2)
    assert time.monotonic() - started < 5
    job = await _get(db, job_id)
    # Pending again at once (no lease to wait out), and the interrupted attempt not counted.
    assert (job.status, job.attempts, job.lease_owner) == ("pending", 0, None)
    second = JobRunner(db, _echo(calls), FAST, name="second")
    assert await second.run_once()
    job = await _get(db, job_id)
    assert (job.status, job.attempts) == ("completed", 1)
    assert calls == [job_id, job_id]


async def test_a_second_signal_cuts_the_grace_short(db: Database) -> None:
    from ogplatform.worker import stop_runner

    job_id = await _add(db)
    runner = JobRunner(db, _echo([], pause=asyncio.Event()), FAST)
    runner.start()
    await _until(db, job_id, lambda job: job.status == "processing")
    hurry = asyncio.Event()
    asyncio.get_running_loop().call_later(0.2, hurry.set)  # what a second SIGTERM does
    started = time.monotonic()
    await stop_runner(runner, 60.0, hurry)
    assert time.monotonic() - started < 10
    job = await _get(db, job_id)
    assert (job.status, job.attempts, job.lease_owner) == ("pending", 0, None)


# -- the app and the command ----------------------------------------------------------------


@pytest.mark.redis
async def test_the_app_with_the_redis_runner_enqueues_and_runs_nothing(
    app_factory: Callable[..., Litestar],
    tenant: Tenant,
    wakeups: SaqJobQueue,
    redis_url: str,
    redis_prefix: str,
) -> None:
    app = app_factory(
        jobs={"runner": "redis"}, redis={"url": redis_url, "key_prefix": redis_prefix}
    )
    async with serve(app) as client:
        body = {"location_id": "lu", "width": 400, "height": 300}
        created = await client.post(tenant.jobs_url, json=body, headers=tenant.auth)
        assert created.status_code == 201, created.text
        job_id = created.json()["job"]["id"]
        assert await wakeups.wait(2.0) == job_id
        await asyncio.sleep(0.3)  # six of the test settings' poll intervals
        status = await client.get(f"{tenant.jobs_url}/{job_id}", headers=tenant.auth)
        assert status.json()["job"]["status"] == "pending"  # the workers' job, not the app's


def test_worker_command_refuses_bad_handlers_and_a_missing_database(
    config_dir: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OGP_CONFIG", "")  # --config exports it; undone after the test
    config = config_dir / "litestar.toml"
    config.write_text('[database]\nurl = ""\n')
    cli = CliRunner()
    bad = cli.invoke(main, ["--config", str(config), "worker", "--handlers", "no_such_module:x"])
    assert bad.exit_code == 1 and "--handlers 'no_such_module:x'" in bad.output
    shape = cli.invoke(main, ["--config", str(config), "worker", "--handlers", "json.dumps"])
    assert shape.exit_code == 1 and "expected MODULE:FUNCTION" in shape.output
    nodb = cli.invoke(main, ["--config", str(config), "worker"])
    assert nodb.exit_code == 1 and "needs a database" in nodb.output
