"""Migrations: upgrade, downgrade, models in step with migrations, and racing upgraders."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.pool import NullPool
from sqlmodel import select

from ogplatform.db import (
    Database,
    Project,
    current_revision,
    downgrade,
    head_revision,
    metadata,
    migrate,
    revision,
    upgrade,
)
from ogplatform.db.engine import create_engine


async def _tables(url: str) -> set[str]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            return set(await conn.run_sync(lambda c: sa.inspect(c).get_table_names()))
    finally:
        await engine.dispose()


async def _project_names(url: str) -> list[str]:
    db = Database.from_url(url)
    try:
        async with db.session() as session:
            return list((await session.exec(select(Project.name))).all())
    finally:
        await db.dispose()


async def test_upgrade_creates_schema_and_is_idempotent(db_url: str) -> None:
    assert await current_revision(db_url) is None

    await upgrade(db_url)
    assert {"projects", "alembic_version"} <= await _tables(db_url)
    assert await current_revision(db_url) == head_revision() == "0004"

    db = Database.from_url(db_url)
    async with db.session() as session:
        session.add(Project(name="kept"))
        await session.commit()
    await db.dispose()

    await upgrade(db_url)
    assert await current_revision(db_url) == head_revision()
    assert await _project_names(db_url) == ["kept"]


async def _schema_diff(url: str, target: sa.MetaData) -> list[Any]:
    """What autogenerate would write to bring the database at ``url`` to ``target``."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(
                lambda c: compare_metadata(
                    MigrationContext.configure(c, opts={"compare_type": True}), target
                )
            )
    finally:
        await engine.dispose()


async def test_models_and_migrations_agree(db_url: str) -> None:
    await upgrade(db_url)
    assert await _schema_diff(db_url, metadata) == []

    # The check is not vacuous: a model change without a migration shows up.
    changed = sa.MetaData(naming_convention=metadata.naming_convention)
    for table in metadata.tables.values():
        table.to_metadata(changed)
    changed.tables["projects"].append_column(sa.Column("extra", sa.Integer))
    assert [d[0] for d in await _schema_diff(db_url, changed)] == ["add_column"]


async def test_downgrade_to_base_then_upgrade_again(db_url: str) -> None:
    await upgrade(db_url)
    await downgrade(db_url, "base")
    assert "projects" not in await _tables(db_url)
    assert await current_revision(db_url) is None

    await upgrade(db_url)
    assert "projects" in await _tables(db_url)
    assert await current_revision(db_url) == head_revision()


async def _version_rows(url: str) -> list[str]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            result = await conn.execute(sa.text("SELECT version_num FROM alembic_version"))
            return [row[0] for row in result]
    finally:
        await engine.dispose()


async def test_concurrent_upgrades_in_one_process(db_url: str) -> None:
    await asyncio.gather(upgrade(db_url), upgrade(db_url), upgrade(db_url))
    assert await _version_rows(db_url) == [head_revision()]


# Each child imports everything, says "ready", then waits for the go file: the upgrades start
# together instead of being spread out by interpreter start-up.
RACER = """
import asyncio, pathlib, sys, time
from ogplatform.db import upgrade
print("ready", flush=True)
go = pathlib.Path(sys.argv[2])
while not go.exists():
    time.sleep(0.001)
asyncio.run(upgrade(sys.argv[1]))
"""


def test_concurrent_upgrades_in_separate_processes(db_url: str, tmp_path: Path) -> None:
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, db_url, str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "ready"
        go.touch()
        outcomes = [proc.communicate(timeout=60) for proc in procs]
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()
    assert [proc.returncode for proc in procs] == [0] * len(procs), outcomes
    assert asyncio.run(_version_rows(db_url)) == [head_revision()]


def test_migration_scripts_ship_inside_the_package() -> None:
    folder = Path(
        migrate.alembic_config("sqlite+aiosqlite:///x.db").get_main_option("script_location") or ""
    )
    assert folder == migrate.MIGRATIONS_DIR
    assert folder.is_relative_to(Path(migrate.__file__).parent)
    assert {"env.py", "script.py.mako"} <= {p.name for p in folder.iterdir()}


def test_revision_writes_the_next_numbered_script(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Work on a copy: the real versions folder must not change under the test.
    copy = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", copy)

    head = head_revision()
    following = f"{int(head) + 1:04d}"
    path = Path(revision("add nothing yet"))

    assert path.parent == copy / "versions"
    assert path.name == f"{following}_add_nothing_yet.py"
    text = path.read_text()
    assert f"revision: str = '{following}'" in text
    assert f"down_revision: str | Sequence[str] | None = '{head}'" in text
    # Models and migrations agree, so autogenerate found nothing to do.
    assert "op." not in text
