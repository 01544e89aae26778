"""Helpers for the maps resource and download tests (imported as ``maps_support``).

``Site`` is the app with its client and a real HTTP receiver standing in for the CDN's purge
endpoint (``[cache] cdn_purge_urls``), so purges are observed as the CDN would see them.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from jobs_support import ADMIN_TOKEN, Tenant, serve, wait_for_job
from litestar import Litestar

from ogplatform.db import Database
from ogplatform.db.models import Map
from ogplatform.runtime import Runtime

SMALL = {"location_id": "lu", "width": 400, "height": 300}
SIGNING_SECRET = "test-signing-secret-0123456789abcdef"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@dataclass
class PurgeReceiver:
    """A tiny HTTP server that answers 200 to anything and remembers what it was sent."""

    received: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    url: str = ""

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        method, path, _ = head[0].split(" ", 2)
        headers = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            if name:
                headers[name.strip().lower()] = value.strip()
        self.received.append((method, path, headers))
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        await writer.drain()
        writer.close()

    def purged_tags(self) -> list[str]:
        """The ``xkey-purge`` header of every PURGE received, in order."""
        return [h.get("xkey-purge", "") for method, _, h in self.received if method == "PURGE"]


@asynccontextmanager
async def purge_receiver() -> AsyncIterator[PurgeReceiver]:
    receiver = PurgeReceiver()
    server = await asyncio.start_server(receiver._handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    receiver.url = f"http://127.0.0.1:{port}/"
    try:
        yield receiver
    finally:
        server.close()
        await server.wait_closed()


@dataclass
class Site:
    app: Litestar
    client: httpx.AsyncClient
    cdn: PurgeReceiver
    storage_root: Path
    database_url: str

    @property
    def runtime(self) -> Runtime:
        runtime: Runtime = self.app.state.runtime
        return runtime

    async def new_map(self, tenant: Tenant, **fields: Any) -> dict[str, Any]:
        """Run a small map job to completion; return the job view (``map_id``, ``assets``)."""
        created = await self.client.post(
            tenant.jobs_url, json={**SMALL, **fields}, headers=tenant.auth
        )
        assert created.status_code == 201, created.text
        done = await wait_for_job(self.client, tenant, created.json()["job"]["id"])
        assert done["status"] == "completed", done
        return done

    async def set_visibility(self, map_id: str, visibility: str) -> None:
        """Behind the API's back (no purge): the state a test starts from."""
        db = Database.from_url(self.database_url)
        try:
            async with db.session() as session:
                await session.exec(
                    sa.update(Map).where(sa.column("id") == map_id).values(visibility=visibility)
                )
                await session.commit()
        finally:
            await db.dispose()

    async def job_view(self, tenant: Tenant, job_id: str) -> dict[str, Any]:
        response = await self.client.get(f"{tenant.jobs_url}/{job_id}", headers=tenant.auth)
        assert response.status_code == 200, response.text
        job: dict[str, Any] = response.json()["job"]
        return job


@asynccontextmanager
async def running_site(
    app: Litestar, cdn: PurgeReceiver, tmp_path: Path, url: str
) -> AsyncIterator[Site]:
    async with serve(app) as client:
        yield Site(app, client, cdn, tmp_path / "storage", url)


def site_sections(cdn: PurgeReceiver, **storage: Any) -> dict[str, dict[str, Any]]:
    """Settings for a Site: purges go to ``cdn``; signed URLs use a fixed secret."""
    return {
        "cache": {"cdn_purge_urls": [cdn.url], "disk": False},
        "storage": {"signing_secret": SIGNING_SECRET, **storage},
    }


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """An RFC 9457 problem of ``status``, never cached, without purge tags."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["cache-control"] == "no-store"
    assert "surrogate-key" not in response.headers
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["type"] == "about:blank"
    assert body["title"] and body["detail"]
    return body
