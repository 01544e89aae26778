"""The user data operations on the database: no HTTP, one transaction per write.

Users are identified by :func:`~ogplatform.userdata.keys.owner_hash` of their key; every query
filters on it, so one user's calls can never read or change another's rows.

Every write first takes the owner's lock (:func:`lock_owner`) and commits once at the end, so
concurrent writes of one user run one after another, limits are checked against what is really
there, and a crash mid-request leaves the previous state intact.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ogplatform.db import FavoriteSet, UserTemplate
from ogplatform.db.models import utcnow
from ogplatform.errors import ApiError
from ogplatform.userdata.keys import is_template_id, new_template_id
from ogplatform.userdata.validate import MAX_TEMPLATES

__all__ = [
    "create_template",
    "delete_template",
    "favorite_ids",
    "find_template",
    "list_templates",
    "lock_owner",
    "remove_favorite",
    "rename_template",
    "replace_favorites",
]

# First key of PostgreSQL's two-key advisory locks taken for user data ("ogud"); the second is
# drawn from the owner's hash. Two owners sharing a second key merely wait for each other.
PG_LOCK_NAMESPACE = 0x6F67_7564


async def lock_owner(session: AsyncSession, owner: str) -> None:
    """Begin the session's write transaction holding the lock on ``owner``'s data.

    PostgreSQL: a transaction-scoped advisory lock per owner. SQLite: ``BEGIN IMMEDIATE``, which
    takes the database's write lock up front (waiting out the busy timeout), so no other writer
    can slip in between this transaction's reads and its writes. Either is released by the
    commit or rollback. Call it before anything else in the session.
    """
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        key = int(owner[:8], 16) - 0x8000_0000  # the hash's first 32 bits, as a signed int4
        await connection.execute(
            sa.text("SELECT pg_advisory_xact_lock(:namespace, :key)"),
            {"namespace": PG_LOCK_NAMESPACE, "key": key},
        )
    else:
        await connection.exec_driver_sql("BEGIN IMMEDIATE")


async def list_templates(
    session: AsyncSession, owner: str, limit: int, offset: int
) -> tuple[list[UserTemplate], int]:
    """One page of the owner's templates, newest first, and how many they have in all."""
    page = await session.exec(
        select(UserTemplate)
        .where(col(UserTemplate.owner_hash) == owner)
        .order_by(col(UserTemplate.created_at).desc(), col(UserTemplate.id).desc())
        .limit(limit)
        .offset(offset)
    )
    rows = list(page.all())
    total = await _count_templates(session, owner)
    return rows, total


async def _count_templates(session: AsyncSession, owner: str) -> int:
    result = await session.exec(
        select(sa.func.count()).select_from(UserTemplate).where(UserTemplate.owner_hash == owner)
    )
    return result.one()


async def find_template(session: AsyncSession, owner: str, template_id: str) -> UserTemplate:
    """The owner's template ``template_id``; 404 ``TEMPLATE_NOT_FOUND`` if they have none such."""
    row = None
    if is_template_id(template_id):
        result = await session.exec(
            select(UserTemplate).where(
                col(UserTemplate.id) == template_id, col(UserTemplate.owner_hash) == owner
            )
        )
        row = result.first()
    if row is None:
        raise _template_not_found(template_id)
    return row


async def create_template(
    session: AsyncSession, owner: str, *, name: str, template_id: str, payload: dict[str, str]
) -> UserTemplate:
    """Save a new template for ``owner`` (already validated); 409 ``TOO_MANY_TEMPLATES`` when
    they have :data:`MAX_TEMPLATES` already."""
    await lock_owner(session, owner)
    if await _count_templates(session, owner) >= MAX_TEMPLATES:
        raise ApiError(
            409,
            f"at most {MAX_TEMPLATES} saved templates per userKey; delete some first",
            code="TOO_MANY_TEMPLATES",
        )
    now = utcnow()
    row = UserTemplate(
        id=new_template_id(),
        owner_hash=owner,
        name=name,
        template_id=template_id,
        payload=payload,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    await session.commit()
    return row


async def rename_template(
    session: AsyncSession, owner: str, template_id: str, name: str
) -> UserTemplate:
    """Rename the owner's template; 404 ``TEMPLATE_NOT_FOUND`` if they have none such."""
    await lock_owner(session, owner)
    row = await find_template(session, owner, template_id)
    row.name = name
    row.updated_at = utcnow()
    session.add(row)
    await session.commit()
    return row


async def delete_template(session: AsyncSession, owner: str, template_id: str) -> None:
    """Delete the owner's template; 404 ``TEMPLATE_NOT_FOUND`` if they have none such."""
    await lock_owner(session, owner)
    result = await session.exec(
        sa.delete(UserTemplate).where(
            col(UserTemplate.id) == template_id, col(UserTemplate.owner_hash) == owner
        )
    )
    if result.rowcount != 1:
        raise _template_not_found(template_id)
    await session.commit()


async def favorite_ids(session: AsyncSession, owner: str) -> list[str]:
    """The owner's favourite background ids, in their order (one row: a consistent read)."""
    row = await session.get(FavoriteSet, owner)
    return list(row.background_ids) if row is not None else []


async def replace_favorites(session: AsyncSession, owner: str, ids: list[str]) -> list[str]:
    """Make ``ids`` (already validated and folded) the owner's whole favourite list."""
    await lock_owner(session, owner)
    row = await session.get(FavoriteSet, owner)
    if row is None:
        row = FavoriteSet(owner_hash=owner, background_ids=list(ids))
    else:
        row.background_ids = list(ids)
        row.updated_at = utcnow()
    session.add(row)
    await session.commit()
    return list(ids)


async def remove_favorite(
    session: AsyncSession, owner: str, background_id: str
) -> tuple[list[str], bool]:
    """Remove one id from the owner's favourites; return what is left and whether it was there.

    Any id may be removed, also one the catalog no longer has.
    """
    await lock_owner(session, owner)
    row = await session.get(FavoriteSet, owner)
    current = list(row.background_ids) if row is not None else []
    if row is None or background_id not in current:
        await session.rollback()  # nothing to write: release the lock now
        return current, False
    row.background_ids = [i for i in current if i != background_id]
    row.updated_at = utcnow()
    session.add(row)
    await session.commit()
    return list(row.background_ids), True


def _template_not_found(template_id: str) -> ApiError:
    return ApiError(
        404, f"no saved template {template_id[:64]!r} for this userKey", code="TEMPLATE_NOT_FOUND"
    )
