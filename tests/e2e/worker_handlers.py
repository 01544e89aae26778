"""Job types for the worker end-to-end tests, loaded into real ``ogplatform worker`` processes
with ``--handlers worker_handlers:FUNCTION`` (``PYTHONPATH=tests/e2e``)."""

from __future__ import annotations

import asyncio
import os

from ogplatform.db.models import Job
from ogplatform.jobs import HandlerRegistry, JobOutcome
from ogplatform.runtime import Runtime

LEDGER = "OGP_TEST_LEDGER"  # a file each run of `count` appends "<job id> <pid>" to


def register(registry: HandlerRegistry, runtime: Runtime) -> None:
    """``count``: writes its job id and the worker's pid to the ledger; ``broken``: always
    fails (a retryable error)."""

    async def count(job: Job) -> JobOutcome:
        await asyncio.sleep(0.05)  # long enough for the two workers to overlap
        with open(os.environ[LEDGER], "a") as ledger:  # noqa: ASYNC230 - one short line
            ledger.write(f"{job.id} {os.getpid()}\n")
        return JobOutcome(result={"pid": os.getpid()})

    async def broken(job: Job) -> JobOutcome:
        raise RuntimeError(f"the renderer fell over (attempt {job.attempts})")

    registry.register("count", count)
    registry.register("broken", broken)


def register_slow(registry: HandlerRegistry, runtime: Runtime) -> None:
    """``slow_map``: the real map handler, but the first attempt hangs until its worker is
    killed; ``nap``: a second's work."""
    render_map = registry.get("map")  # the app's own wiring registered it before us
    assert render_map is not None

    async def slow_map(job: Job) -> JobOutcome:
        if job.attempts == 1:
            await asyncio.sleep(3600)
        return await render_map(job)

    async def nap(job: Job) -> JobOutcome:
        await asyncio.sleep(1.0)
        return JobOutcome(result={"pid": os.getpid()})

    registry.register("slow_map", slow_map)
    registry.register("nap", nap)
