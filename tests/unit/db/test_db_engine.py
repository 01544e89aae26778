"""Database: URL checks, per-backend connection settings, sessions and the UTC timestamp type."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, StatementError
from sqlmodel import col, select

from ogplatform.db import Database, Project, upgrade


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "no database configured"),
        ("sqlite:///x.db", r"use sqlite\+aiosqlite://"),
        ("sqlite+pysqlite:///x.db", r"use sqlite\+aiosqlite://"),
        ("postgresql://u@h/db", r"use postgresql\+asyncpg://"),
        ("postgres://u@h/db", r"use postgresql\+asyncpg://"),
        ("postgresql+psycopg2://u@h/db", r"use postgresql\+asyncpg://"),
        ("mysql+aiomysql://u@h/db", "unsupported database 'mysql'"),
        ("not a url", "malformed database URL"),
    ],
)
def test_rejects_urls_without_a_supported_async_driver(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Database.from_url(url)


async def test_sqlite_creates_folder_and_sets_pragmas(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "deeper" / "app.db"
    db = Database.from_url(f"sqlite+aiosqlite:///{path}")
    try:
        assert path.parent.is_dir()
        assert db.dialect == "sqlite"
        async with db.engine.connect() as conn:
            pragmas = {
                name: (await conn.exec_driver_sql(f"PRAGMA {name}")).scalar()
                for name in ("foreign_keys", "journal_mode", "busy_timeout")
            }
        assert pragmas == {"foreign_keys": 1, "journal_mode": "wal", "busy_timeout": 5000}
    finally:
        await db.dispose()


async def test_dialect_names_the_backend(db: Database, db_url: str) -> None:
    assert db.dialect == ("sqlite" if db_url.startswith("sqlite") else "postgresql")


async def test_check_succeeds_on_a_live_database(db: Database) -> None:
    await db.check()


async def test_check_fails_fast_when_nothing_listens() -> None:
    db = Database.from_url("postgresql+asyncpg://postgres@127.0.0.1:1/x")
    started = time.monotonic()
    try:
        with pytest.raises((OSError, DBAPIError, TimeoutError)):
            await db.check()
    finally:
        await db.dispose()
    assert time.monotonic() - started < 3


async def test_project_round_trip(db: Database, db_url: str) -> None:
    await upgrade(db_url)
    # A non-UTC offset: what comes back must be the same instant, in UTC.
    made = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=timezone(timedelta(hours=2)))
    async with db.session() as session:
        project = Project(name="Harbour walks", created_at=made)
        default = Project(name="Defaults")
        session.add_all([project, default])
        await session.commit()
        # expire_on_commit=False: attributes stay readable without a new query.
        project_id, default_id = project.id, default.id

    async with db.session() as session:
        found = (await session.exec(select(Project).where(col(Project.id) == project_id))).one()
        other = (await session.exec(select(Project).where(col(Project.id) == default_id))).one()

    assert len(project_id) == 36
    assert found.name == "Harbour walks"
    assert found.created_at == made
    assert found.created_at.tzinfo is UTC
    assert found.created_at.hour == 5
    assert other.created_at.tzinfo is UTC
    assert abs(datetime.now(UTC) - other.created_at) < timedelta(minutes=1)


async def test_naive_datetimes_are_refused(db: Database, db_url: str) -> None:
    await upgrade(db_url)
    async with db.session() as session:
        session.add(Project(name="naive", created_at=datetime(2024, 1, 1)))
        with pytest.raises(StatementError, match="naive datetime"):
            await session.commit()


async def test_uncommitted_work_is_rolled_back(db: Database, db_url: str) -> None:
    await upgrade(db_url)
    async with db.session() as session:
        session.add(Project(name="draft"))
        await session.flush()
    async with db.session() as session:
        count = (await session.exec(select(sa.func.count()).select_from(Project))).one()
    assert count == 0
