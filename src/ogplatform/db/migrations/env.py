"""Alembic environment: migrates the database named by the config's ``sqlalchemy.url``.

Run through :mod:`ogplatform.db.migrate`, which builds the config; there is no ``alembic.ini``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import ogplatform.db.models  # noqa: F401  (declares the tables on SQLModel.metadata)
from ogplatform.db.migrate import (
    check_integrity,
    lock_transaction,
    migration_engine,
    migration_lock,
    render_item,
)

config = context.config
url = config.get_main_option("sqlalchemy.url") or ""
target_metadata = SQLModel.metadata


def _configure(**kwargs: Any) -> None:
    context.configure(
        target_metadata=target_metadata,
        compare_type=True,
        render_item=render_item,
        # SQLite cannot ALTER most things: batch mode rebuilds the table (copy, drop, rename).
        render_as_batch=url.startswith("sqlite"),
        **kwargs,
    )


def run_migrations_offline() -> None:
    """Print the SQL instead of running it (``--sql``)."""
    _configure(url=url, literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def _run_in_transaction(connection: Connection) -> None:
    # One transaction for the whole upgrade, begun before Alembic reads the current revision, so
    # the lock taken first covers that read and a racing upgrader sees our result.
    with connection.begin():
        lock_transaction(connection)
        _configure(connection=connection)
        context.run_migrations()
        check_integrity(connection)


async def run_migrations_online() -> None:
    """Connect and migrate."""
    engine = migration_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_in_transaction)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    with migration_lock(url):
        asyncio.run(run_migrations_online())
