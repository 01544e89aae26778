"""Rendering a saved template: ``GET /api/og?savedId=tpl_…&userKey=…``.

The card route asks :func:`saved_card_query` for the query a saved template stands for and then
renders it like any other ``/api/og`` request.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import parse_qsl

from sqlmodel.ext.asyncio.session import AsyncSession

from ogplatform.cards.params import ALIASES
from ogplatform.errors import ApiError
from ogplatform.runtime import Runtime
from ogplatform.userdata.keys import owner_hash, validate_user_key
from ogplatform.userdata.service import find_template
from ogplatform.userdata.validate import payload_query

__all__ = ["SAVED_CACHE_CONTROL", "saved_card_query", "saved_query"]

# The URL of a saved render carries the userKey: no shared cache (or its logs) may keep it.
SAVED_CACHE_CONTROL = "private, no-store"


async def saved_query(session: AsyncSession, user_key: str, saved_id: str) -> bytes:
    """The raw ``/api/og`` query string of the user's saved template ``saved_id``.

    Raises:
        ApiError: 400 ``INVALID_USER_KEY``; 404 ``TEMPLATE_NOT_FOUND`` when this user has no
            such template (another user's id included).
    """
    owner = owner_hash(validate_user_key(user_key))
    row = await find_template(session, owner, saved_id)
    return payload_query(row.payload)


async def saved_card_query(runtime: Runtime, raw_query: bytes) -> bytes | None:
    """For an ``/api/og`` request naming ``savedId``: the query to render; else ``None``.

    The saved payload is the base; the request's other parameters (``format``, ``size``, ...)
    override it. ``savedId`` and ``userKey`` are dropped. Render the result with
    ``Cache-Control:`` :data:`SAVED_CACHE_CONTROL`.

    Raises:
        ApiError: 501 ``DB_UNAVAILABLE`` without a database, and those of :func:`saved_query`.
    """
    if b"savedId" not in raw_query:
        return None
    try:
        pairs = parse_qsl(raw_query.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        return None  # the card parser reports INVALID_ENCODING for the request as given
    request = dict(pairs)
    saved_id = request.pop("savedId", "")
    user_key = request.pop("userKey", None)
    if not saved_id:
        return None
    user_key = validate_user_key(user_key)
    if runtime.database is None:
        raise ApiError(501, "savedId needs a database: set database.url", code="DB_UNAVAILABLE")
    async with runtime.database.session() as session:
        saved = await saved_query(session, user_key, saved_id)
    merged = _folded(parse_qsl(saved.decode("ascii"), keep_blank_values=True))
    merged.update(_folded(request.items()))
    return payload_query(merged)


def _folded(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Parameters under their canonical names (``subtitle`` → ``description``, ...)."""
    return {ALIASES.get(key, key): value for key, value in pairs}
