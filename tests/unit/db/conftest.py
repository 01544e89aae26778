"""Fixtures for the database tests: one empty database per test, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from ogplatform.db import Database


async def _reset_postgres(url: str) -> None:
    import asyncpg  # type: ignore[import-untyped]

    # The database belongs to this test run alone (see tests/conftest.py), so wiping it is safe.
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database: a fresh SQLite file, or the test run's PostgreSQL database
    with its schema wiped."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/t.db"
    url: str = request.getfixturevalue("postgres_url")
    asyncio.run(_reset_postgres(url))
    return url


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    """A :class:`Database` on ``db_url``, disposed after the test."""
    database = Database.from_url(db_url)
    yield database
    await database.dispose()
