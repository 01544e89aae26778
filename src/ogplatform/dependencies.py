"""Request-scoped dependencies shared by the API modules (injected by name by Litestar)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from litestar.di import NamedDependency
from sqlmodel.ext.asyncio.session import AsyncSession

from ogplatform.errors import ApiError
from ogplatform.runtime import Runtime

__all__ = ["provide_db_session"]


async def provide_db_session(runtime: NamedDependency[Runtime]) -> AsyncIterator[AsyncSession]:
    """A database session for one request; 501 ``DB_UNAVAILABLE`` when none is configured.

    The handler commits what it wants kept; anything uncommitted is rolled back on exit.
    """
    if runtime.database is None:
        raise ApiError(
            501, "this endpoint needs a database: set database.url", code="DB_UNAVAILABLE"
        )
    async with runtime.database.session() as session:
        yield session
