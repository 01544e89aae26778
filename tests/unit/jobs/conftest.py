"""Fixtures for jobs, projects and the maps resource: the app on an empty SQLite or PostgreSQL
database per test, and a project with a key. Helpers live in jobs_support.py."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
from jobs_support import Tenant, make_settings, new_tenant, serve
from litestar import Litestar

from ogplatform.app import create_app
from ogplatform.plugins import PluginRegistry
from ogplatform.settings import Settings


async def _reset_postgres(url: str) -> None:
    import asyncpg  # type: ignore[import-untyped]

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/jobs.db"
    url: str = request.getfixturevalue("postgres_url")
    asyncio.run(_reset_postgres(url))
    return url


@pytest.fixture(scope="session")
def plugins() -> PluginRegistry:
    return PluginRegistry.discover(msgspec.convert({}, Settings).plugins)


@pytest.fixture
def app_factory(
    database_url: str, tmp_path: Path, plugins: PluginRegistry
) -> Callable[..., Litestar]:
    def build(**sections: dict[str, Any]) -> Litestar:
        return create_app(make_settings(database_url, tmp_path, **sections), plugins=plugins)

    return build


@pytest.fixture
async def tenant(database_url: str) -> Tenant:
    return await new_tenant(database_url)


@pytest.fixture
async def client(app_factory: Callable[..., Litestar]) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(app_factory()) as http:
        yield http
