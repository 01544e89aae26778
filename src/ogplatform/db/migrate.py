"""Schema migrations from Python: Alembic with the package's own scripts, no ``alembic.ini``.

Upgrades are safe to start from several processes at once: on PostgreSQL each migration
transaction first takes an advisory lock; on SQLite a lock file beside the database and an
immediate (write-locking) transaction serialise them. The loser then finds the schema at head and
does nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import NullPool

from ogplatform.db.engine import create_engine, parse_url

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: the immediate transaction still serialises
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "MIGRATIONS_DIR",
    "alembic_config",
    "check_integrity",
    "current_revision",
    "downgrade",
    "head_revision",
    "lock_transaction",
    "migration_engine",
    "migration_lock",
    "render_item",
    "revision",
    "upgrade",
]

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# Key of the PostgreSQL advisory lock; any constant works if every upgrader uses the same one.
PG_MIGRATION_LOCK = 0x6F67_706C_6462  # "ogpldb"

# Alembic installs its `context` and `op` proxies as module globals while a command runs, so two
# commands in one process (two threads) would drive each other's migrations: run one at a time.
_alembic_lock = threading.Lock()


def alembic_config(url: str) -> Config:
    """An Alembic config for the package's migrations against the database at ``url``.

    Raises:
        ValueError: ``url`` is empty or does not use a supported async driver.
    """
    parse_url(url)
    config = _base_config()
    # ConfigParser interpolates "%": escape it (percent-encoded passwords use it).
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _base_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    return config


async def upgrade(url: str, revision: str = "head") -> None:
    """Apply pending migrations up to ``revision``; a no-op when the database is there already.

    Alembic's environment runs its own event loop, so the command runs in a worker thread and
    this coroutine may be awaited from inside a running loop.
    """
    await asyncio.to_thread(_run_command, command.upgrade, alembic_config(url), revision)


async def downgrade(url: str, revision: str) -> None:
    """Revert migrations down to ``revision`` (``"base"`` empties the schema)."""
    await asyncio.to_thread(_run_command, command.downgrade, alembic_config(url), revision)


def _run_command(func: Any, *args: Any, **kwargs: Any) -> Any:
    with _alembic_lock:
        return func(*args, **kwargs)


async def current_revision(url: str) -> str | None:
    """The revision the database is at, or ``None`` before the first migration."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(
                lambda sync: MigrationContext.configure(sync).get_current_revision()
            )
    finally:
        await engine.dispose()


def head_revision() -> str:
    """The newest revision among the package's migration scripts."""
    head = ScriptDirectory.from_config(_base_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships revision 0001
        raise RuntimeError(f"no migrations in {MIGRATIONS_DIR}")
    return head


def revision(message: str, autogenerate: bool = True, url: str | None = None) -> str:
    """Write a new migration script into the package and return its path.

    With ``autogenerate`` the script holds the difference between the models and a database at
    head: ``url`` if given, else a scratch SQLite database migrated for the purpose. Always
    review the result before committing it.
    """
    scripts = ScriptDirectory.from_config(_base_config())
    numbers = [int(s.revision) for s in scripts.walk_revisions() if s.revision.isdigit()]
    rev_id = f"{max(numbers, default=0) + 1:04d}"
    with tempfile.TemporaryDirectory() as scratch:
        if url is None:
            url = f"sqlite+aiosqlite:///{scratch}/scratch.db"
            if autogenerate:
                _run_command(command.upgrade, alembic_config(url), "head")
        config = alembic_config(url)
        script = _run_command(
            command.revision, config, message=message, autogenerate=autogenerate, rev_id=rev_id
        )
    return str(script.path)


def migration_engine(url: str) -> AsyncEngine:
    """An engine for running migrations: no pool and, on SQLite, transactional DDL.

    Used by ``migrations/env.py``.
    """
    engine = create_engine(url, poolclass=NullPool)
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine.sync_engine, "connect", _sqlite_migration_connect)
        sa.event.listen(engine.sync_engine, "begin", _sqlite_begin_immediate)
    return engine


def _sqlite_migration_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        # Batch ALTERs rebuild tables (copy, drop, rename). With foreign keys enforced, dropping a
        # parent table would cascade-delete child rows; integrity is checked before commit instead.
        cursor.execute("PRAGMA foreign_keys=OFF")
    finally:
        cursor.close()
    # The driver would commit before each DDL statement; leave BEGIN to us so a failed upgrade
    # rolls back whole.
    dbapi_connection.isolation_level = None


def _sqlite_begin_immediate(connection: Connection) -> None:
    # Take the write lock up front, so a concurrent writer waits rather than failing mid-upgrade.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


@contextlib.contextmanager
def migration_lock(url: str) -> Iterator[None]:
    """Hold a lock on ``<file>.migrate.lock`` beside a SQLite database; no-op for others.

    The immediate transaction alone would give up after the busy timeout; the file lock lets a
    second upgrader wait as long as the first one takes.
    """
    parsed = parse_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        yield
        return
    if fcntl is None:  # pragma: no cover
        yield
        return
    lock_path = Path(f"{database}.migrate.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    # Never deleted: removing a lock file while another process waits on it would split the lock.
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def lock_transaction(connection: Connection) -> None:
    """Serialise concurrent upgraders inside the migration transaction (PostgreSQL)."""
    if connection.dialect.name == "postgresql":
        connection.execute(
            sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_MIGRATION_LOCK}
        )


def check_integrity(connection: Connection) -> None:
    """Fail the migration transaction if it left rows pointing at missing parents (SQLite)."""
    if connection.dialect.name != "sqlite":
        return
    violations = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if violations:
        raise RuntimeError(f"migration broke foreign keys: {violations[:5]}")


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Render our column types as plain SQLAlchemy ones in generated migrations.

    Migrations must not import the models: the models change, old migrations must not.
    """
    from sqlmodel.sql.sqltypes import AutoString

    from ogplatform.db.models import UTCDateTime

    if type_ != "type":
        return False
    if isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if isinstance(obj, AutoString):
        return f"sa.String(length={obj.length})" if obj.length else "sa.String()"
    return False
