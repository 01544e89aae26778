"""``ogplatform worker`` processes on the real PostgreSQL and Redis: the app (``runner =
"redis"``) only enqueues, workers render; a worker killed mid-job is replaced and the job
completes once; racing workers run each job once; failures retry, then fail with the reason.

Job types of the tests' own come from ``worker_handlers.py``, loaded with ``--handlers``.
"""

from __future__ import annotations

import asyncio
import collections
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from PIL import Image

from ogplatform.db import Database, upgrade
from ogplatform.db.models import Job, Map
from ogplatform.jobs.saq_queue import SaqJobQueue
from ogplatform.maps.projects import create_project

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis]

BIN = Path(sys.executable).parent
HERE = Path(__file__).resolve().parent
REDIS_URL = os.environ.get("OGP_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
DEADLINE = 60.0  # seconds for anything to happen on a loaded 2-core machine
T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


def wait_until(what: str, check: Callable[[], T], explain: Callable[[], str] = str) -> T:
    """Poll ``check`` until it returns something truthy; fail after DEADLINE saying why."""
    deadline = time.monotonic() + DEADLINE
    while not (result := check()):
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}\n{explain()}")
        time.sleep(0.1)  # polling a condition, bounded by the deadline above
    return result


class Process:
    """An ``ogplatform`` command running in the background, its output in a file."""

    def __init__(self, argv: list[str], folder: Path, env: dict[str, str], name: str) -> None:
        self.log = folder / f"{name}.log"
        with self.log.open("wb") as sink:
            self.popen = subprocess.Popen(argv, cwd=folder, stdout=sink, stderr=subprocess.STDOUT,
                                          env=env, start_new_session=True)  # fmt: skip
        self.pid = self.popen.pid

    def events(self, event: str | None = None, **fields: Any) -> list[dict[str, Any]]:
        """The JSON log lines so far, those with ``event`` and ``fields`` when given."""
        found = []
        for line in self.log.read_text(errors="replace").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if not isinstance(entry, dict) or (event and entry.get("event") != event):
                continue
            if all(entry.get(key) == value for key, value in fields.items()):
                found.append(entry)
        return found

    def output(self) -> str:
        return f"--- {self.log.name} ---\n{self.log.read_text(errors='replace')[-6000:]}"

    def terminate(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)

    def stop(self) -> int:
        if self.popen.poll() is None:
            self.terminate()
            try:
                self.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.popen.kill()
        return self.popen.wait()


@dataclass
class Cluster:
    folder: Path
    database_url: str
    prefix: str
    base_url: str
    env: dict[str, str]
    app: Process
    workers: list[Process] = field(default_factory=list)
    project_id: str = ""
    auth: dict[str, str] = field(default_factory=dict)

    def launch_worker(self, registrar: str, **env: str) -> Process:
        """Start ``ogplatform worker --handlers worker_handlers:<registrar>``."""
        argv = [str(BIN / "ogplatform"), "worker", "--handlers", f"worker_handlers:{registrar}"]
        worker = Process(argv, self.folder, {**self.env, **env}, f"worker-{len(self.workers)}")
        self.workers.append(worker)
        return worker

    def started(self, worker: Process) -> str:
        """Wait until ``worker`` says it started; its runner name."""
        found = wait_until(f"{worker.log.stem} to start", lambda: worker.events("worker_started"),
                           self.logs)  # fmt: skip
        return str(found[0]["runner"])

    def start_worker(self, registrar: str, **env: str) -> tuple[Process, str]:
        worker = self.launch_worker(registrar, **env)
        return worker, self.started(worker)

    def logs(self) -> str:
        return "\n".join(process.output() for process in (self.app, *self.workers))

    def job(self, job_id: str) -> Job:
        return run(_job(self.database_url, job_id))

    def add_job(self, job_type: str, **fields: Any) -> str:
        return run(_add_job(self.database_url, job_type, **fields))


async def _job(url: str, job_id: str) -> Job:
    db = Database.from_url(url)
    try:
        async with db.session() as session:
            job = await session.get(Job, job_id)
            assert job is not None
            return job
    finally:
        await db.dispose()


async def _add_job(url: str, job_type: str, **fields: Any) -> str:
    db = Database.from_url(url)
    try:
        async with db.session() as session:
            job = Job(job_type=job_type, payload=fields.pop("payload", {}), **fields)
            session.add(job)
            await session.commit()
            return job.id
    finally:
        await db.dispose()


async def _statuses(url: str, job_ids: list[str]) -> collections.Counter[str]:
    from sqlmodel import col, select

    db = Database.from_url(url)
    try:
        async with db.session() as session:
            rows = await session.exec(select(Job.status).where(col(Job.id).in_(job_ids)))
            return collections.Counter(rows.all())
    finally:
        await db.dispose()


async def _maps_of(url: str, job_id: str) -> int:
    from sqlmodel import select

    db = Database.from_url(url)
    try:
        async with db.session() as session:
            return len((await session.exec(select(Map).where(Map.job_id == job_id))).all())
    finally:
        await db.dispose()


async def _new_project(url: str) -> tuple[str, str]:
    await upgrade(url)
    db = Database.from_url(url)
    try:
        async with db.session() as session:
            project, key = await create_project(session, "workers")
            return project.id, key.secret
    finally:
        await db.dispose()


async def _postgres(admin_url: str, sql: str) -> None:
    import asyncpg  # type: ignore[import-untyped]

    conn = await asyncpg.connect(admin_url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _forget_redis(prefix: str) -> None:
    import redis.asyncio as redis

    client = redis.from_url(REDIS_URL)
    try:
        async for key in client.scan_iter(match=f"{prefix}*"):
            await client.delete(key)
    finally:
        await client.aclose()


def _require_redis() -> None:
    parts = urlsplit(REDIS_URL)
    try:
        socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), 2).close()
    except OSError as exc:
        reason = f"Redis is not reachable at {REDIS_URL} ({exc})"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"{reason}; CI must provide it", pytrace=False)
        pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def cluster(postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """The app (``serve``, runner = "redis") and two workers on a database and a Redis key
    prefix of their own; everything is stopped and removed afterwards."""
    _require_redis()
    folder = tmp_path_factory.mktemp("workers")
    name = f"{postgres_url.rsplit('/', 1)[1]}_workers"
    database_url = f"{postgres_url.rsplit('/', 1)[0]}/{name}"
    prefix = f"ogp-test:{uuid.uuid4().hex[:10]}:"
    run(_postgres(postgres_url, f'CREATE DATABASE "{name}"'))
    port = _free_port()
    (folder / "litestar.toml").write_text(
        f"""
[logging]
format = "json"
[database]
url = "{database_url}"
[storage.options]
root = "storage"
[render]
workers = 0
[redis]
url = "{REDIS_URL}"
key_prefix = "{prefix}"
[ratelimit]
enabled = false
[jobs]
runner = "redis"
lease_seconds = 3.0
poll_seconds = 0.2
retry_backoff_seconds = 0.1
max_attempts = 3
"""
    )
    project_id, key = run(_new_project(database_url))
    env = {**os.environ, "PATH": f"{BIN}:{os.environ.get('PATH', '')}", "PYTHONPATH": str(HERE)}
    env.pop("OGP_CONFIG", None)
    env["OGP_TEST_LEDGER"] = str(folder / "ledger.txt")
    app = Process([str(BIN / "ogplatform"), "serve", "--port", str(port)], folder, env, "app")
    cluster = Cluster(folder, database_url, prefix, f"http://127.0.0.1:{port}", env, app)
    cluster.project_id, cluster.auth = project_id, {"Authorization": f"Bearer {key}"}
    try:
        for worker in [cluster.launch_worker("register") for _ in range(2)]:
            cluster.started(worker)

        def answers() -> bool:
            try:
                return httpx.get(f"{cluster.base_url}/healthz", timeout=5).status_code == 200
            except httpx.TransportError:
                return False

        wait_until("the app to answer", answers, cluster.logs)
        yield cluster
    finally:
        for process in (*cluster.workers, app):
            process.terminate()  # all at once: each takes a second or two to wind down
        for process in (*cluster.workers, app):
            process.stop()
        run(_postgres(postgres_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        run(_forget_redis(prefix))


@pytest.fixture(scope="module")
def map_job(cluster: Cluster) -> dict[str, Any]:
    """A map job posted to the app over HTTP, once a worker has completed it."""
    body = {"location_id": "lu", "width": 400, "height": 300}
    url = f"{cluster.base_url}/api/v1/projects/{cluster.project_id}/jobs/maps"
    created = httpx.post(url, json=body, headers=cluster.auth, timeout=10)
    assert created.status_code == 201, created.text
    job_id = created.json()["job"]["id"]

    def finished() -> dict[str, Any] | None:
        job: dict[str, Any] = httpx.get(f"{url}/{job_id}", headers=cluster.auth).json()["job"]
        return job if job["status"] in ("completed", "failed") else None

    return wait_until(f"map job {job_id}", finished, cluster.logs)


def test_a_map_job_posted_to_the_app_is_rendered_by_one_worker(
    cluster: Cluster, map_job: dict[str, Any]
) -> None:
    assert map_job["status"] == "completed", map_job
    [image] = [asset for asset in map_job["assets"] if asset["kind"] == "map"]
    response = httpx.get(
        urljoin(cluster.base_url + "/", image["url"]), headers=cluster.auth, timeout=10
    )
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    with Image.open(io.BytesIO(response.content)) as png:
        png.load()  # decodes every pixel
        assert (png.format, png.size) == ("PNG", (400, 300))
    # One worker rendered it; the app, which runs no jobs with runner = "redis", did not.
    done = [w for w in cluster.workers if w.events("job_completed", job_id=map_job["id"])]
    assert len(done) == 1, cluster.logs()
    assert not cluster.app.events("job_completed")
    assert run(_maps_of(cluster.database_url, map_job["id"])) == 1


def test_two_racing_workers_run_each_job_once(cluster: Cluster) -> None:
    ids = [cluster.add_job("count") for _ in range(30)]

    async def wake() -> None:  # what the API does for each job it creates
        queue = SaqJobQueue(REDIS_URL, f"{cluster.prefix}jobs")
        try:
            for job_id in ids:
                await queue.notify(job_id)
        finally:
            await queue.close()

    run(wake())
    wait_until(
        "30 jobs to complete",
        lambda: run(_statuses(cluster.database_url, ids))["completed"] == len(ids),
        cluster.logs,
    )
    runs = [line.split() for line in (cluster.folder / "ledger.txt").read_text().splitlines()]
    per_job = collections.Counter(job_id for job_id, _ in runs)
    assert per_job == dict.fromkeys(ids, 1)  # each job ran exactly once
    # ...and both workers took part.
    assert {int(pid) for _, pid in runs} == {w.pid for w in cluster.workers[:2]}


def test_a_failing_job_is_retried_then_failed_with_the_reason(cluster: Cluster) -> None:
    # No wake-up: new jobs and due retries alike are found by the workers' poll.
    job_id = cluster.add_job("broken", max_attempts=3)
    job = wait_until(
        "the broken job to fail",
        lambda: (job := cluster.job(job_id)).status == "failed" and job,
        cluster.logs,
    )
    assert job.attempts == 3
    assert job.error == "RuntimeError: the renderer fell over (attempt 3)"
    tries = [e for w in cluster.workers for e in w.events("job_attempt_failed", job_id=job_id)]
    assert sorted(entry["attempt"] for entry in tries) == [1, 2, 3]


def test_a_worker_killed_mid_job_is_replaced_and_the_job_completes_once(
    cluster: Cluster, map_job: dict[str, Any]
) -> None:
    # A real map job whose first attempt hangs (worker_handlers.slow_map); a short lease.
    template = cluster.job(map_job["id"])
    job_id = cluster.add_job(
        "slow_map", payload=template.payload, project_id=cluster.project_id, max_attempts=3
    )
    first, first_name = cluster.start_worker("register_slow", OGP_JOBS__LEASE_SECONDS="2")

    def taken_by_first() -> bool:
        job = cluster.job(job_id)
        return job.status == "processing" and job.lease_owner == f"{first_name}/0"

    wait_until("the first worker to take the job", taken_by_first, cluster.logs)
    first.popen.send_signal(signal.SIGKILL)
    assert first.popen.wait(timeout=10) == -signal.SIGKILL
    job = cluster.job(job_id)
    assert (job.status, job.attempts, job.lease_owner) == ("processing", 1, f"{first_name}/0")

    second, second_name = cluster.start_worker("register_slow", OGP_JOBS__LEASE_SECONDS="2")
    job = wait_until(
        "the second worker to complete the job",
        lambda: (job := cluster.job(job_id)).status == "completed" and job,
        cluster.logs,
    )
    assert job.attempts == 2 and job.lease_owner is None
    assert run(_maps_of(cluster.database_url, job_id)) == 1
    assert not first.events("job_completed")
    [done] = second.events("job_completed", job_id=job_id)
    assert (done["runner"], done["attempt"]) == (f"{second_name}/0", 2)

    # SIGTERM while a job runs: the worker finishes it, then exits cleanly.
    nap = cluster.add_job("nap")
    wait_until(
        "the second worker to take a nap job",
        lambda: cluster.job(nap).lease_owner == f"{second_name}/0",
        cluster.logs,
    )
    assert second.stop() == 0, second.output()
    assert cluster.job(nap).status == "completed"
    assert second.events("worker_stopped")
