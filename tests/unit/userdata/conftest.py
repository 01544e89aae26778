"""Fixtures for the user data API: the app on an empty SQLite or PostgreSQL database per test.

Requests go through httpx's ASGI transport in the test's own event loop, so requests fired with
``asyncio.gather`` really run at the same time (Litestar's test client serialises them), and the
test can use the app's own database connection between requests.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
from litestar import Litestar

from ogplatform.app import create_app
from ogplatform.plugins import PluginRegistry
from ogplatform.settings import Settings


async def _reset_postgres(url: str) -> None:
    import asyncpg  # type: ignore[import-untyped]

    # The database belongs to this test run alone (see tests/conftest.py), so wiping it is safe.
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a fresh SQLite file, or the run's PostgreSQL database wiped."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/userdata.db"
    url: str = request.getfixturevalue("postgres_url")
    asyncio.run(_reset_postgres(url))
    return url


@pytest.fixture(scope="session")
def plugins() -> PluginRegistry:
    """The installed plugins, discovered once for the whole session."""
    return PluginRegistry.discover(msgspec.convert({}, Settings).plugins)


def userdata_settings(url: str, tmp_path: Path, **sections: dict[str, Any]) -> Settings:
    """Settings for a test app: this database, no render workers, no rate limits."""
    raw: dict[str, Any] = {
        "database": {"url": url},
        "storage": {"options": {"root": str(tmp_path / "storage")}},
        "render": {"workers": 0},
        "ratelimit": {"enabled": False},
    }
    for name, values in sections.items():
        raw[name] = {**raw.get(name, {}), **values}
    return msgspec.convert(raw, Settings)


@pytest.fixture
def settings_for() -> Callable[..., Settings]:
    """:func:`userdata_settings`, for tests that build their own app."""
    return userdata_settings


@asynccontextmanager
async def serve(app: Litestar, asgi: Any = None) -> AsyncIterator[httpx.AsyncClient]:
    """Run the app's lifespan and talk to it (or to ``asgi`` wrapping it) in this event loop."""
    # The lifespan runs in a task of its own: it holds an anyio task group, which must be left
    # by the task that entered it (a fixture's set-up and tear-down run in different tasks).
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
        task.result()  # start-up failed: raise its error
    try:
        transport = httpx.ASGITransport(app=asgi or app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
    finally:
        stop.set()
        await task


AppFactory = Callable[..., Litestar]


@pytest.fixture
def make_app(database_url: str, tmp_path: Path, plugins: PluginRegistry) -> AppFactory:
    """Build an app on the test's database; keyword arguments override settings sections."""

    def build(registry: PluginRegistry | None = None, **sections: dict[str, Any]) -> Litestar:
        settings = userdata_settings(database_url, tmp_path, **sections)
        return create_app(settings, plugins=registry or plugins)

    return build


@pytest.fixture
def app(make_app: AppFactory) -> Litestar:
    return make_app()


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(app) as http:
        yield http


ServeFn = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def served() -> ServeFn:
    """:func:`serve`, for tests that build their own app."""
    return serve
