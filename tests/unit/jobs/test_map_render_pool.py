"""Map renders in the render pool (``[jobs] render_processes``, the default): the event loop of
the serving process stays responsive while a map renders, the pool closes with the app, and
its processes never outlive a parent that was killed outright."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from jobs_support import Tenant, serve
from litestar import Litestar

from ogplatform.jobs import PermanentJobError
from ogplatform.maps.map_jobs import RenderPool, render_job_files

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, dead but not yet reaped, does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2 :].split()[0] != "Z"


def pool_children(parent: int | None = None) -> set[int]:
    """The running children of ``parent`` (this process) that are multiprocessing "spawn"
    workers (or their watchdogs, forked from them)."""
    parent = os.getpid() if parent is None else parent
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        state, ppid = stat[stat.rindex(")") + 2 :].split()[:2]
        if int(ppid) == parent and state != "Z" and b"spawn_main" in command:
            found.add(int(entry.name))
    return found


def gone(pids: set[int], limit: float = 10.0) -> set[int]:
    """Wait up to ``limit`` seconds for ``pids`` to end; return those still running."""
    deadline = time.monotonic() + limit
    while (left := {pid for pid in pids if _alive(pid)}) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


async def test_the_event_loop_answers_while_a_map_renders(
    app_factory: Callable[..., Litestar], tenant: Tenant
) -> None:
    """Before the pool, a map rendered in a thread; resvg holds the GIL, so the app's own
    event loop (and every request) waited up to seconds. Now `/healthz` answers at once."""
    before = pool_children()
    app = app_factory(jobs={"render_processes": True})
    async with serve(app) as client:
        body = {
            "location_id": "us",
            "width": 1800,
            "height": 1150,
            "theme": "vintage",
            "configuration": {"show_features": True, "show_river_labels": True},
        }
        created = await client.post(tenant.jobs_url, json=body, headers=tenant.auth)
        assert created.status_code == 201, created.text
        job_url = f"{tenant.jobs_url}/{created.json()['job']['id']}"
        pings: list[float] = []  # /healthz while the job is processing
        lags: list[float] = []  # how late the loop wakes a 10 ms sleep, all along
        children: set[int] = set()

        async def heartbeat() -> None:
            while True:
                started = time.perf_counter()
                await asyncio.sleep(0.01)
                lags.append(time.perf_counter() - started - 0.01)

        beating = asyncio.create_task(heartbeat())
        try:
            async with asyncio.timeout(180):
                while True:
                    started = time.perf_counter()
                    ping = await client.get("/healthz")
                    elapsed = time.perf_counter() - started
                    assert ping.status_code == 200
                    job = (await client.get(job_url, headers=tenant.auth)).json()["job"]
                    if job["status"] == "processing":
                        pings.append(elapsed)
                        children |= pool_children() - before
                    elif job["status"] in ("completed", "failed"):
                        break
                    await asyncio.sleep(0.02)
        finally:
            beating.cancel()
        assert job["status"] == "completed", job
        assert children, "the map was not rendered in a pool process"
        assert len(pings) >= 10, pings  # the pings overlapped the render
        # A behaviour check, not a benchmark: rendered in this process's thread pool, the same
        # job stalled the loop for 1-4 s at a time (resvg, Pillow and the first font and
        # shape loads hold the GIL).
        assert max(pings) < 0.5, sorted(pings)[-5:]
        assert max(lags) < 0.5, sorted(lags)[-5:]
    assert not await asyncio.to_thread(gone, children), "the pool outlived the app"


def test_a_permanent_error_crosses_the_process_boundary() -> None:
    pool = RenderPool(1)
    assert pool.processes() == []  # lazy: nothing started before the first render
    payload = {
        "location": {"id": "00000000-0000-4000-8000-000000000000"},
        "theme": {"name": "modern"},
        "dimensions": {"width": 400, "height": 300, "dpi": 72},
        "output_format": "png",
    }
    try:
        future = pool.submit(render_job_files, payload)
        with pytest.raises(PermanentJobError, match=r"^Location not found$"):
            future.result(60)
        started = set(pool.processes())
        assert len(started) == 1
    finally:
        pool.shutdown()
    assert not gone(started)


_PARENT = textwrap.dedent(
    """
    import time
    from ogplatform.maps.map_jobs import RenderPool

    pool = RenderPool(2)
    # both processes at work, holding the GIL (a C loop) as resvg does for seconds at a time
    busy = [pool.submit(sum, range(10**12)) for _ in range(2)]
    while len(pool.processes()) < 2:
        time.sleep(0.05)
    print(" ".join(map(str, pool.processes())), flush=True)
    time.sleep(120)
    """
)


def test_pool_processes_exit_when_their_parent_is_killed() -> None:
    """SIGKILL leaves no chance to shut the pool down; its processes must end on their own
    (they hold their call queue's write end, so they would never see EOF there), at once even
    while a render holds the GIL, and their watchdogs with them."""
    parent = subprocess.Popen(
        [sys.executable, "-c", _PARENT], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        assert parent.stdout is not None
        line = parent.stdout.readline()
        children = {int(pid) for pid in line.split()}
        assert len(children) == 2 and all(_alive(pid) for pid in children), line
        deadline = time.monotonic() + 60  # until the initializers have run (imports first)
        while len(watchdogs := {dog for pid in children for dog in pool_children(pid)}) < 2:
            assert time.monotonic() < deadline, "no watchdog processes"
            time.sleep(0.05)
        time.sleep(0.2)  # the workers are into their GIL-holding task
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    assert not gone(children | watchdogs, limit=2.0), "pool processes outlived their parent"
