"""Webhooks: signed job.completed / job.failed POSTs to a real receiver, retries with backoff,
senders that never block the runner or each other, and the CLI that configures them."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import inspect
import os
import re
import signal
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import msgspec
import pytest
from click.testing import CliRunner
from jobs_support import Tenant, make_settings, serve, wait_for_job
from litestar import Litestar
from sqlmodel import col, select

from ogplatform import __version__
from ogplatform.cli import main
from ogplatform.db import Database, Project, upgrade
from ogplatform.db.models import Job, WebhookDelivery
from ogplatform.jobs import HandlerRegistry, JobOutcome, JobRunner, PermanentJobError
from ogplatform.jobs.webhooks import WebhookOutbox, check_webhook_url, set_webhook, sign
from ogplatform.settings import JobsSettings, WebhookSettings

SMALL = {"location_id": "lu", "width": 400, "height": 300}
FAST_JOBS = msgspec.convert(
    {"lease_seconds": 30.0, "poll_seconds": 0.02, "retry_backoff_seconds": 0.0}, JobsSettings
)
FAST_HOOKS = {"poll_seconds": 0.05, "backoff_seconds": 0.1, "max_backoff_seconds": 1.0}


# -- the receiver: what a customer's endpoint does ------------------------------------------


def verify(secret: str, headers: dict[str, str], body: bytes, tolerance: int = 300) -> bool:
    """The receiving side, as docs/jobs.md shows it: recompute the signature over
    ``{timestamp}.{body}`` with the shared secret, compare in constant time, refuse old ones."""
    timestamp = headers.get("x-webhook-timestamp", "")
    signature = headers.get("x-webhook-signature", "")
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    if not hmac.compare_digest(f"sha256={expected.hexdigest()}", signature):
        return False
    return timestamp.isdigit() and abs(time.time() - int(timestamp)) <= tolerance


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    verified: bool
    at: float

    def json(self) -> Any:
        return msgspec.json.decode(self.body)


@dataclass
class Receiver:
    """A real HTTP endpoint on a loopback port. ``answers`` are used in order (then 200):
    a status code, or "hang" to hold the request until the test ends."""

    url: str
    secret: str = ""
    answers: list[int | str] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    hanging: int = 0
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, headers: dict[str, str], body: bytes) -> int | str:
        with self.lock:
            self.received.append(
                Received(headers, body, verify(self.secret, headers, body), time.monotonic())
            )
            return self.answers.pop(0) if self.answers else 200

    async def wait_for(self, count: int, limit: float = 20.0) -> list[Received]:
        async with asyncio.timeout(limit):
            while len(self.received) < count:  # noqa: ASYNC110 - another thread fills it
                await asyncio.sleep(0.02)
        return self.received


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            answer = state.answer({k.lower(): v for k, v in self.headers.items()}, body)
            if answer == "hang":
                with state.lock:
                    state.hanging += 1
                state.release.wait(60)
                answer = 200
            self.send_response(int(answer))
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}/hooks")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


# -- helpers ------------------------------------------------------------------------------------


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    await upgrade(database_url)
    database = Database.from_url(database_url)
    yield database
    await database.dispose()


async def _hook_up(db: Database, project_id: str, receiver: Receiver) -> None:
    async with db.session() as session:
        receiver.secret = await set_webhook(session, project_id, receiver.url)


async def _project(db: Database) -> str:
    async with db.session() as session:
        project = Project(name="hooks")
        session.add(project)
        await session.commit()
        return project.id


async def _add_job(db: Database, project_id: str, job_type: str = "echo") -> str:
    job = Job(job_type=job_type, project_id=project_id, payload={"n": 1}, max_attempts=2)
    async with db.session() as session:
        session.add(job)
        await session.commit()
    return job.id


async def _deliveries(db: Database) -> list[WebhookDelivery]:
    async with db.session() as session:
        query = select(WebhookDelivery).order_by(col(WebhookDelivery.created_at))
        return list((await session.exec(query)).all())


async def _until(check: Callable[[], Any], limit: float = 20.0) -> Any:
    """Poll ``check`` until it returns something truthy (awaiting it if it is a coroutine);
    fail after ``limit`` seconds."""
    async with asyncio.timeout(limit):
        while True:
            found = check()
            if inspect.isawaitable(found):
                found = await found
            if found:
                return found
            await asyncio.sleep(0.02)


async def _deliveries_when(db: Database, accept: Callable[[list[WebhookDelivery]], Any]) -> Any:
    """The delivery rows, once ``accept`` likes them (within a deadline)."""

    async def check() -> list[WebhookDelivery] | None:
        rows = await _deliveries(db)
        return rows if accept(rows) else None

    return await _until(check)


def _only(status: str) -> Callable[[list[WebhookDelivery]], bool]:
    return lambda rows: len(rows) == 1 and rows[0].status == status


def _echo_registry(behaviour: Callable[[Job], Any] | None = None) -> HandlerRegistry:
    registry = HandlerRegistry()

    async def echo(job: Job) -> JobOutcome:
        if behaviour is not None:
            behaviour(job)
        return JobOutcome(result={"echo": job.payload["n"]})

    registry.register("echo", echo)
    return registry


def _outbox(db: Database, **settings: Any) -> WebhookOutbox:
    return WebhookOutbox(db, msgspec.convert({**FAST_HOOKS, **settings}, WebhookSettings))


async def _drain(runner: JobRunner) -> None:
    while await runner.run_once():
        pass


# -- signing --------------------------------------------------------------------------------


def test_signature_covers_timestamp_and_body_so_tampering_shows() -> None:
    secret, body, now = "whsec_test", b'{"event":"job.completed"}', int(time.time())
    headers = {"x-webhook-timestamp": str(now), "x-webhook-signature": sign(secret, now, body)}
    expected = hmac.new(b"whsec_test", f"{now}.".encode() + body, hashlib.sha256).hexdigest()
    assert headers["x-webhook-signature"] == f"sha256={expected}"
    assert verify(secret, headers, body)
    assert not verify(secret, headers, body.replace(b"completed", b"failed"))  # body changed
    assert not verify(secret, {**headers, "x-webhook-timestamp": str(now + 1)}, body)  # replayed
    assert not verify("whsec_other", headers, body)
    old = now - 3600  # correctly signed, but an hour old: a replay
    stale = {"x-webhook-timestamp": str(old), "x-webhook-signature": sign(secret, old, body)}
    assert not verify(secret, stale, body)


@pytest.mark.parametrize(
    "url",
    ["ftp://example.com/x", "file:///etc/passwd", "gopher://h/", "example.com/hook", "http://"],
)
def test_only_http_urls_can_be_webhooks(url: str) -> None:
    with pytest.raises(ValueError):
        check_webhook_url(url)
    assert (
        check_webhook_url("https://hooks.example.com/og?x=1") == "https://hooks.example.com/og?x=1"
    )


# -- through the app: map jobs ------------------------------------------------------------------


async def test_a_completed_map_job_is_posted_signed(
    app_factory: Callable[..., Litestar],
    tenant: Tenant,
    receiver: Receiver,
    db: Database,
) -> None:
    await _hook_up(db, tenant.project_id, receiver)
    async with serve(app_factory(webhooks=FAST_HOOKS)) as client:
        response = await client.post(tenant.jobs_url, json=SMALL, headers=tenant.auth)
        done = await wait_for_job(client, tenant, response.json()["job"]["id"])
        assert done["status"] == "completed", done
        [request] = await receiver.wait_for(1)
        # The receiver has the request before the sender has its answer: wait for the row.
        [delivery] = await _deliveries_when(db, _only("delivered"))
    assert request.verified
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"] == f"ogplatform/{__version__}"
    event = request.json()
    assert set(event) == {"event", "created_at", "data"}
    assert event["event"] == "job.completed"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", event["created_at"])
    assert event["data"] == {"job": done}  # exactly what GET .../jobs/maps/{id} shows
    assert delivery.id == request.headers["x-webhook-id"]
    assert delivery.attempts == 1 and delivery.last_status_code == 200
    assert delivery.job_id == done["id"] and delivery.project_id == tenant.project_id


async def test_a_map_job_that_fails_for_good_is_posted(
    app_factory: Callable[..., Litestar],
    tenant: Tenant,
    receiver: Receiver,
    db: Database,
) -> None:
    await _hook_up(db, tenant.project_id, receiver)
    async with serve(app_factory(webhooks=FAST_HOOKS)) as client:
        created = await client.post(tenant.jobs_url, json=SMALL, headers=tenant.auth)
        payload = await wait_for_job(client, tenant, created.json()["job"]["id"])
        # A job for a place the data bundle does not have: its renderer gives up at once.
        job = Job(
            job_type="map",
            project_id=tenant.project_id,
            payload={
                "location": {**payload["location"], "id": "00000000-0000-4000-8000-000000000000"},
                "theme": payload["theme"],
                "dimensions": payload["dimensions"],
                "output_format": "png",
                "configuration": payload["configuration"],
            },
        )
        async with db.session() as session:
            session.add(job)
            await session.commit()
        failed = await wait_for_job(client, tenant, job.id)
        assert failed["status"] == "failed", failed
        received = await receiver.wait_for(2)
    events = {r.json()["data"]["job"]["id"]: r.json() for r in received}
    assert all(r.verified for r in received)
    assert events[job.id]["event"] == "job.failed"
    assert events[job.id]["data"]["job"] == failed  # with its error and failed_at
    assert events[payload["id"]]["event"] == "job.completed"


async def test_a_hanging_receiver_does_not_hold_up_the_runner(
    app_factory: Callable[..., Litestar],
    tenant: Tenant,
    receiver: Receiver,
    db: Database,
) -> None:
    await _hook_up(db, tenant.project_id, receiver)
    receiver.answers = ["hang", "hang", "hang"]
    app = app_factory(webhooks={**FAST_HOOKS, "timeout_seconds": 60.0})
    async with serve(app) as client:
        first = (await client.post(tenant.jobs_url, json=SMALL, headers=tenant.auth)).json()
        assert (await wait_for_job(client, tenant, first["job"]["id"]))["status"] == "completed"
        await _until(lambda: receiver.hanging)  # its POST is stuck
        # One runner task (concurrency 1): the next job completing means it was not waiting.
        second = (await client.post(tenant.jobs_url, json=SMALL, headers=tenant.auth)).json()
        assert (await wait_for_job(client, tenant, second["job"]["id"]))["status"] == "completed"
        rows = await _deliveries(db)
        assert len(rows) == 2 and {row.status for row in rows} == {"pending"}
        assert receiver.hanging >= 1
    # Stopping the app cut the stuck POSTs short: the rows are left for another sender.
    assert {row.status for row in await _deliveries(db)} == {"pending"}


# -- the outbox with the runner on its own -----------------------------------------------------


async def test_retries_with_backoff_until_a_2xx_under_one_id(
    db: Database, receiver: Receiver
) -> None:
    project_id = await _project(db)
    await _hook_up(db, project_id, receiver)
    receiver.answers = [500, 500, 200]
    outbox = _outbox(db)
    job_id = await _add_job(db, project_id)
    await _drain(JobRunner(db, _echo_registry(), FAST_JOBS, on_end=outbox.record))
    outbox.start()
    try:
        [delivery] = await _deliveries_when(db, _only("delivered"))
    finally:
        await outbox.stop()
    first, second, third = receiver.received
    assert len(receiver.received) == 3 and all(r.verified for r in receiver.received)
    assert {r.headers["x-webhook-id"] for r in receiver.received} == {delivery.id}
    assert first.body == second.body == third.body  # the same event, re-signed per attempt
    # 0.1 s then 0.2 s, less up to half at random.
    assert second.at - first.at >= 0.05 and third.at - second.at >= 0.1
    assert delivery.attempts == 3 and delivery.last_status_code == 200
    assert delivery.delivered_at is not None and delivery.last_error is None
    event = first.json()
    assert event["event"] == "job.completed" and event["data"]["job"]["id"] == job_id
    assert event["data"]["job"]["result"] == {"echo": 1}  # a type without a view: its summary


async def test_stopping_lets_a_post_in_flight_finish(db: Database, receiver: Receiver) -> None:
    project_id = await _project(db)
    await _hook_up(db, project_id, receiver)
    receiver.answers = ["hang"]
    outbox = _outbox(db, timeout_seconds=30.0)
    await _add_job(db, project_id)
    await _drain(JobRunner(db, _echo_registry(), FAST_JOBS, on_end=outbox.record))
    outbox.start()
    try:
        await _until(lambda: receiver.hanging)
        stopping = asyncio.create_task(outbox.stop(grace=20.0))
        await asyncio.sleep(0.2)
        assert not stopping.done()  # the POST in flight is given its grace
        receiver.release.set()  # the receiver answers 200 now
        await stopping
    finally:
        await outbox.stop()
    [row] = await _deliveries(db)
    assert row.status == "delivered" and row.attempts == 1


async def test_an_event_is_sent_at_once_not_at_the_next_poll(
    db: Database, receiver: Receiver
) -> None:
    project_id = await _project(db)
    await _hook_up(db, project_id, receiver)
    outbox = _outbox(db, poll_seconds=300.0)
    outbox.start()
    try:
        await asyncio.sleep(0)  # the senders look once, find nothing and wait
        await _add_job(db, project_id)
        await _drain(JobRunner(db, _echo_registry(), FAST_JOBS, on_end=outbox.record))
        # The job's commit wakes this process's senders.
        await receiver.wait_for(1, limit=10.0)
    finally:
        await outbox.stop()


async def test_a_slow_answer_is_a_failed_attempt(db: Database, receiver: Receiver) -> None:
    project_id = await _project(db)
    await _hook_up(db, project_id, receiver)
    receiver.answers = ["hang"]
    outbox = _outbox(db, timeout_seconds=0.5)
    await _add_job(db, project_id)
    await _drain(JobRunner(db, _echo_registry(), FAST_JOBS, on_end=outbox.record))
    outbox.start()
    try:
        [delivery] = await _deliveries_when(db, _only("delivered"))
    finally:
        await outbox.stop()
    assert delivery.attempts == 2
    assert [r.headers["x-webhook-id"] for r in receiver.received] == [delivery.id] * 2


async def test_gives_up_after_max_attempts(db: Database, receiver: Receiver) -> None:
    project_id = await _project(db)
    await _hook_up(db, project_id, receiver)
    receiver.answers = [503] * 10

    def hopeless(_: Job) -> None:
        raise PermanentJobError("no such thing")

    outbox = _outbox(db, max_attempts=2)
    job_id = await _add_job(db, project_id)
    await _drain(JobRunner(db, _echo_registry(hopeless), FAST_JOBS, on_end=outbox.record))
    outbox.start()
    try:
        [delivery] = await _deliveries_when(db, _only("failed"))
    finally:
        await outbox.stop()
    assert len(receiver.received) == 2 and delivery.attempts == 2
    assert delivery.last_status_code == 503 and delivery.last_error == "HTTP 503"
    event = receiver.received[0].json()
    assert event["event"] == "job.failed" and event["data"]["job"]["id"] == job_id
    assert event["data"]["job"]["error"] == "no such thing"


async def test_one_event_per_job_and_only_at_its_end(db: Database, receiver: Receiver) -> None:
    project_id = await _project(db)
    await _hook_up(db, project_id, receiver)
    quiet = await _project(db)  # no webhook: nothing recorded
    attempts: list[str] = []

    def flaky(job: Job) -> None:
        attempts.append(job.id)
        raise RuntimeError("try again")

    outbox = _outbox(db)
    retried = await _add_job(db, project_id)  # max_attempts=2: fails twice, then for good
    await _add_job(db, quiet)
    await _drain(JobRunner(db, _echo_registry(flaky), FAST_JOBS, on_end=outbox.record))
    assert attempts.count(retried) == 2
    [row] = await _deliveries(db)
    assert row.job_id == retried and row.event == "job.failed" and row.status == "pending"


async def test_racing_senders_post_each_event_once(db: Database, receiver: Receiver) -> None:
    project_id = await _project(db)
    await _hook_up(db, project_id, receiver)
    outboxes = [_outbox(db, concurrency=3, poll_seconds=0.01) for _ in range(2)]
    ids = [await _add_job(db, project_id) for _ in range(8)]
    await _drain(JobRunner(db, _echo_registry(), FAST_JOBS, on_end=outboxes[0].record))
    for outbox in outboxes:
        outbox.start()
    try:
        await _deliveries_when(
            db, lambda rows: len(rows) == 8 and {r.status for r in rows} == {"delivered"}
        )
    finally:
        for outbox in outboxes:
            await outbox.stop()
    posted = [r.headers["x-webhook-id"] for r in receiver.received]
    assert len(posted) == len(set(posted)) == 8  # each event once, none twice
    assert sorted(r.json()["data"]["job"]["id"] for r in receiver.received) == sorted(ids)


async def test_turning_the_webhook_off_drops_pending_events(
    db: Database, receiver: Receiver
) -> None:
    from ogplatform.jobs.webhooks import clear_webhook

    project_id = await _project(db)
    await _hook_up(db, project_id, receiver)
    outbox = _outbox(db)
    await _add_job(db, project_id)
    await _drain(JobRunner(db, _echo_registry(), FAST_JOBS, on_end=outbox.record))
    async with db.session() as session:
        await clear_webhook(session, project_id)
    outbox.start()
    try:
        [row] = await _deliveries_when(db, _only("failed"))
    finally:
        await outbox.stop()
    assert receiver.received == [] and row.last_error == "the project's webhook is turned off"


async def test_the_worker_records_and_sends_events(
    database_url: str, tmp_path: Path, db: Database, receiver: Receiver
) -> None:
    from ogplatform.worker import run_worker

    project_id = await _project(db)
    await _hook_up(db, project_id, receiver)
    job_id = await _add_job(db, project_id)

    echo = _echo_registry().get("echo")
    assert echo is not None

    def echo_jobs(registry: HandlerRegistry, _: Any) -> None:
        registry.register("echo", echo)

    settings = make_settings(database_url, tmp_path, webhooks=FAST_HOOKS)
    worker = asyncio.create_task(run_worker(settings, registrars=[echo_jobs], grace=1.0))
    try:
        [request] = await receiver.wait_for(1)
    finally:
        if not worker.done():  # its SIGTERM handler is in place: it started the runner
            os.kill(os.getpid(), signal.SIGTERM)
        await worker
    assert request.verified and request.json()["data"]["job"]["id"] == job_id
    assert request.json()["event"] == "job.completed"


# -- the CLI ------------------------------------------------------------------------------------


def test_cli_sets_and_clears_a_webhook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/cli.db"
    monkeypatch.setenv("OGP_DATABASE__URL", url)
    runner = CliRunner()
    created = runner.invoke(main, ["projects", "create", "Hooks"])
    project_id = re.search(r"project: (\S+)", created.output).group(1)  # type: ignore[union-attr]

    def webhook(*args: str) -> Any:
        return runner.invoke(main, ["projects", "webhook", project_id, *args])

    assert webhook().output.strip() == "webhook: off"
    for bad in ("ftp://example.com/x", "file:///etc/passwd", "javascript:alert(1)"):
        refused = webhook("--url", bad)
        assert refused.exit_code == 2 and "http:// or https://" in refused.output, refused.output
    done = webhook("--url", "https://hooks.example.com/og")
    assert done.exit_code == 0, done.output
    secret = re.search(r"secret:\s+(\S+)", done.output).group(1)  # type: ignore[union-attr]
    assert re.fullmatch(r"whsec_[A-Za-z0-9_-]{32}", secret)
    assert webhook().output.strip() == "webhook: https://hooks.example.com/og"
    moved = webhook("--url", "https://other.example.com/og", "--keep-secret")
    assert f"secret:  {secret}" in moved.output
    rotated = webhook("--url", "https://other.example.com/og")
    assert "whsec_" in rotated.output and secret not in rotated.output
    project = asyncio.run(_load_project(url, project_id))
    assert project.webhook_url == "https://other.example.com/og"
    assert project.webhook_secret and project.webhook_secret in rotated.output
    assert webhook("--disable").exit_code == 0
    assert webhook().output.strip() == "webhook: off"
    cleared = asyncio.run(_load_project(url, project_id))
    assert cleared.webhook_url is None and cleared.webhook_secret is None
    unknown = runner.invoke(main, ["projects", "webhook", "nope", "--url", "https://x.example"])
    assert unknown.exit_code == 1 and "no project nope" in unknown.output
    delivery = WebhookDelivery(
        project_id=project_id,
        job_id="6f1c0d7e-0000-4000-8000-000000000000",
        event="job.failed",
        payload={},
        status="failed",
        attempts=10,
        last_status_code=500,
        last_error="HTTP 500",
    )
    asyncio.run(_add(url, delivery))
    listing = webhook().output.splitlines()
    assert listing[0] == "webhook: off"
    assert listing[1].startswith(delivery.id) and "job.failed" in listing[1]
    assert listing[1].endswith("failed  attempts 10  HTTP 500")


# -- small helpers ------------------------------------------------------------------------------


async def _add(url: str, row: Any) -> None:
    db = Database.from_url(url)
    try:
        async with db.session() as session:
            session.add(row)
            await session.commit()
    finally:
        await db.dispose()


async def _load_project(url: str, project_id: str) -> Project:
    db = Database.from_url(url)
    try:
        async with db.session() as session:
            project = await session.get(Project, project_id)
            assert project is not None
            return project
    finally:
        await db.dispose()
