"""Projects and their API keys: creation, listing, revocation, and checking a presented key.

A key is ``sma_`` plus 32 URL-safe random characters. It is shown once, when created; the
database keeps only its SHA-256 and a short prefix for display, so a leaked database does not
leak usable keys.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ogplatform.db.models import ApiKey, Project, utcnow

__all__ = [
    "KEY_PREFIX",
    "IssuedKey",
    "create_key",
    "create_project",
    "find_key",
    "hash_key",
    "list_keys",
    "revoke_key",
]

KEY_PREFIX = "sma_"
_RANDOM_CHARS = 32
_DISPLAY_CHARS = 12  # "sma_" + 8 characters: enough to tell keys apart in a listing
# last_used_at is written at most this often per key, so polling does not write on every call.
_TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class IssuedKey:
    """A freshly created key: the only moment its secret is known."""

    id: str
    project_id: str
    secret: str
    prefix: str


def hash_key(secret: str) -> str:
    """The hex SHA-256 stored for a key."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_secret() -> str:
    # token_urlsafe(24) gives exactly 32 characters of [A-Za-z0-9_-].
    return KEY_PREFIX + secrets.token_urlsafe(_RANDOM_CHARS * 3 // 4)


async def create_project(
    session: AsyncSession, name: str, *, token_balance: int | None = None
) -> tuple[Project, IssuedKey]:
    """A new project and its first key (committed)."""
    project = Project(name=name, token_balance=token_balance)
    session.add(project)
    await session.flush()
    issued = await create_key(session, project.id)
    return project, issued


async def create_key(session: AsyncSession, project_id: str) -> IssuedKey:
    """Issue a key for ``project_id`` (committed). Raises LookupError for an unknown project."""
    if await session.get(Project, project_id) is None:
        raise LookupError(f"no project {project_id}")
    secret = _new_secret()
    key = ApiKey(project_id=project_id, prefix=secret[:_DISPLAY_CHARS], key_hash=hash_key(secret))
    session.add(key)
    await session.commit()
    return IssuedKey(id=key.id, project_id=project_id, secret=secret, prefix=key.prefix)


async def list_keys(session: AsyncSession, project_id: str) -> list[ApiKey]:
    """The project's keys, revoked ones included, oldest first."""
    rows = await session.exec(
        select(ApiKey).where(ApiKey.project_id == project_id).order_by(col(ApiKey.created_at))
    )
    return list(rows.all())


async def revoke_key(session: AsyncSession, key_id: str) -> bool:
    """Revoke a key for good; False when there is no such (unrevoked) key."""
    result = await session.exec(
        sa.update(ApiKey)
        .where(col(ApiKey.id) == key_id, col(ApiKey.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )
    await session.commit()
    return bool(result.rowcount == 1)


async def find_key(session: AsyncSession, secret: str) -> ApiKey | None:
    """The live key whose secret is ``secret``, or None; notes when it was last used.

    The lookup is by hash (an index probe that reveals nothing about near misses), and the
    stored hash is compared again in constant time.
    """
    if not secret.startswith(KEY_PREFIX) or len(secret) > 200:
        return None
    digest = hash_key(secret)
    key = (await session.exec(select(ApiKey).where(ApiKey.key_hash == digest))).first()
    if key is None or not hmac.compare_digest(key.key_hash, digest) or key.revoked_at:
        return None
    now = utcnow()
    if key.last_used_at is None or now - key.last_used_at > _TOUCH_EVERY:
        await session.exec(
            sa.update(ApiKey).where(col(ApiKey.id) == key.id).values(last_used_at=now)
        )
        await session.commit()
    return key
