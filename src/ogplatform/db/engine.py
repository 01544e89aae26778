"""The async engine and session factory: one :class:`Database` per process, built from a URL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

__all__ = ["Database", "create_engine", "parse_url"]

# The one async driver we support for each backend.
ASYNC_DRIVERS = {"sqlite": "aiosqlite", "postgresql": "asyncpg"}
# Milliseconds a SQLite connection waits for another process's write lock before failing.
SQLITE_BUSY_TIMEOUT_MS = 5000
# Seconds asyncpg waits for a connection, so an unreachable server fails readiness fast.
PG_CONNECT_TIMEOUT = 5
# Seconds Database.check() may take; wrap the call in asyncio.timeout() for a tighter bound.
CHECK_TIMEOUT = 5.0


def parse_url(url: str) -> URL:
    """Check that ``url`` names a supported backend through its async driver.

    Raises:
        ValueError: The URL is empty, malformed, uses a sync driver or an unsupported backend.
    """
    if not url:
        raise ValueError("no database configured")
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ValueError(f"malformed database URL: {exc}") from None
    backend = {"postgres": "postgresql"}.get(parsed.get_backend_name(), parsed.get_backend_name())
    driver = ASYNC_DRIVERS.get(backend)
    if driver is None:
        raise ValueError(
            f"unsupported database {backend!r}: use sqlite+aiosqlite:// or postgresql+asyncpg://"
        )
    if parsed.drivername != f"{backend}+{driver}":
        raise ValueError(
            f"database URL {parsed.drivername}:// needs an async driver: use {backend}+{driver}://"
        )
    return parsed


def create_engine(url: str, *, echo: bool = False, **kwargs: Any) -> AsyncEngine:
    """Build an :class:`AsyncEngine` for ``url`` with our per-backend connection settings.

    SQLite: the file's folder is created, and each connection turns on foreign keys, WAL and a
    busy timeout so several processes can share the file. PostgreSQL: connections are pinged
    before use and connecting gives up after a few seconds. ``kwargs`` go to
    :func:`~sqlalchemy.ext.asyncio.create_async_engine`.
    """
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(parsed, echo=echo, **kwargs)
        sa.event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
        return engine
    connect_args = {"timeout": PG_CONNECT_TIMEOUT, **kwargs.pop("connect_args", {})}
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(parsed, echo=echo, connect_args=connect_args, **kwargs)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        # busy_timeout first: switching to WAL needs a lock another process may hold.
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        # WAL lets readers in other processes work while one process writes.
        cursor.execute("PRAGMA journal_mode=WAL")
    finally:
        cursor.close()


class Database:
    """An async engine and the sqlmodel session factory bound to it.

    Example:
        >>> db = Database.from_url("sqlite+aiosqlite:///var/ogplatform.db")
        >>> async with db.session() as session:
        ...     projects = (await session.exec(select(Project))).all()
    """

    __slots__ = ("_engine", "_sessions")

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        # Objects stay readable after commit: handlers serialise them once the session is done.
        self._sessions = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)

    @classmethod
    def from_url(cls, url: str, *, echo: bool = False) -> Database:
        """Connect lazily to ``url`` (``sqlite+aiosqlite://…`` or ``postgresql+asyncpg://…``).

        Raises:
            ValueError: The URL is empty or does not use a supported async driver.
        """
        return cls(create_engine(url, echo=echo))

    @property
    def engine(self) -> AsyncEngine:
        """The underlying SQLAlchemy engine."""
        return self._engine

    @property
    def dialect(self) -> str:
        """The backend's name: ``"sqlite"`` or ``"postgresql"``."""
        return self._engine.dialect.name

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """Open a session; it is closed (rolling back anything uncommitted) on exit."""
        async with self._sessions() as session:
            yield session

    async def check(self) -> None:
        """Run ``SELECT 1``; raise if the database cannot answer within :data:`CHECK_TIMEOUT`."""
        async with asyncio.timeout(CHECK_TIMEOUT), self._engine.connect() as connection:
            await connection.execute(sa.text("SELECT 1"))

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self._engine.dispose()
