"""The app on each database engine: migrations at start-up, a session per request, 501 without."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.testing import AsyncTestClient
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ogplatform.app import create_app
from ogplatform.db import Project, current_revision, head_revision
from ogplatform.settings import Settings


@post("/api/demo/projects")
async def create_project(
    db_session: NamedDependency[AsyncSession], data: JSONBody[dict[str, str]]
) -> dict[str, Any]:
    project = Project(name=data["name"])
    db_session.add(project)
    await db_session.commit()
    return {"id": project.id}


@get("/api/demo/projects/{name:str}")
async def find_project(
    db_session: NamedDependency[AsyncSession], name: FromPath[str]
) -> dict[str, Any]:
    found = (await db_session.exec(select(Project).where(Project.name == name))).one()
    return {"id": found.id, "created_at": found.created_at.isoformat()}


def settings_for(url: str, tmp_path) -> Settings:
    return msgspec.convert(
        {"database": {"url": url}, "storage": {"options": {"root": str(tmp_path / "s")}}},
        Settings,
    )


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/app.db"
    return request.getfixturevalue("postgres_url")


async def test_round_trip_through_a_request_scoped_session(database_url, tmp_path):
    app = create_app(
        settings_for(database_url, tmp_path), route_handlers=[create_project, find_project]
    )
    name = f"atlas-{tmp_path.name}"
    async with AsyncTestClient(app) as client:
        created = await client.post("/api/demo/projects", json={"name": name})
        assert created.status_code == 201
        found = await client.get(f"/api/demo/projects/{name}")
        assert found.status_code == 200
        assert found.json()["id"] == created.json()["id"]
        assert found.json()["created_at"].endswith("+00:00")  # aware UTC on both engines
        ready = await client.get("/readyz")
        assert ready.json()["checks"]["database"] == "ok"
        assert app.state.runtime.database.dialect == database_url.split("+")[0]
    # The app migrated the database at start-up (the test client runs it in another loop, so
    # look with a connection of our own).
    assert await current_revision(database_url) == head_revision()


async def test_without_a_database_db_endpoints_answer_501(tmp_path):
    app = create_app(settings_for("", tmp_path), route_handlers=[create_project, find_project])
    async with AsyncTestClient(app) as client:
        response = await client.get("/api/demo/projects/x")
        healthy = await client.get("/readyz")
    assert response.status_code == 501
    assert response.json() == {
        "success": False,
        "error": {
            "code": "DB_UNAVAILABLE",
            "message": "this endpoint needs a database: set database.url",
        },
    }
    assert healthy.status_code == 200  # the rest of the service keeps working
