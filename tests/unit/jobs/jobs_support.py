"""Helpers for the jobs tests (imported as ``jobs_support``; fixtures are in conftest.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import msgspec
from litestar import Litestar

from ogplatform.db import Database, upgrade
from ogplatform.maps.projects import create_project
from ogplatform.settings import Settings

ADMIN_TOKEN = "admin-secret-token"


def make_settings(url: str, tmp_path: Path, **sections: dict[str, Any]) -> Settings:
    raw: dict[str, Any] = {
        "database": {"url": url},
        "storage": {"options": {"root": str(tmp_path / "storage")}},
        "render": {"workers": 0},
        "ratelimit": {"enabled": False},
        "auth": {"admin_token": ADMIN_TOKEN},
        # Renders in a thread: no process pool to start per test (test_map_render_pool.py
        # runs the default), and monkeypatched renderers take effect.
        "jobs": {
            "poll_seconds": 0.05,
            "retry_backoff_seconds": 0.0,
            "lease_seconds": 5.0,
            "render_processes": False,
        },
    }
    for name, values in sections.items():
        raw[name] = {**raw.get(name, {}), **values}
    return msgspec.convert(raw, Settings)


@asynccontextmanager
async def serve(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """Run the app's lifespan (and so its job runner) and talk to it in this event loop."""
    started, stop = asyncio.Event(), asyncio.Event()

    async def lifespan() -> None:
        async with app.lifespan():
            started.set()
            await stop.wait()

    task = asyncio.create_task(lifespan())
    waiter = asyncio.create_task(started.wait())
    await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        waiter.cancel()
        task.result()
    try:
        asgi: Any = app  # Litestar is an ASGI app; httpx types it narrowly
        transport = httpx.ASGITransport(app=asgi)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
    finally:
        stop.set()
        await task


@dataclass
class Tenant:
    """A project and one of its keys."""

    project_id: str
    key: str
    key_id: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}

    @property
    def jobs_url(self) -> str:
        return f"/api/v1/projects/{self.project_id}/jobs/maps"


async def new_tenant(url: str, name: str = "demo", tokens: int | None = None) -> Tenant:
    await upgrade(url)
    db = Database.from_url(url)
    try:
        async with db.session() as session:
            project, key = await create_project(session, name, token_balance=tokens)
        return Tenant(project.id, key.secret, key.id)
    finally:
        await db.dispose()


async def wait_for_job(
    client: httpx.AsyncClient, tenant: Tenant, job_id: str, limit: float = 30.0
) -> dict[str, Any]:
    """Poll the job until it is completed or failed; return its view."""
    async with asyncio.timeout(limit):
        while True:
            response = await client.get(f"{tenant.jobs_url}/{job_id}", headers=tenant.auth)
            assert response.status_code == 200, response.text
            job: dict[str, Any] = response.json()["job"]
            if job["status"] in ("completed", "failed"):
                return job
            await asyncio.sleep(0.05)
