"""Request bodies and responses of the user data API, as msgspec Structs (camelCase on the wire).

Bodies are lenient on purpose (``userKey``, ``payload`` and ``ids`` typed loosely): the handlers
check them and answer with this API's specific codes (``INVALID_USER_KEY``, ``INVALID_PAYLOAD``,
``INVALID_IDS``) instead of a generic validation failure.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from ogplatform.db import UserTemplate

__all__ = [
    "FavoritesBody",
    "FavoritesResponse",
    "RemovedFavoriteResponse",
    "RenameTemplateBody",
    "SaveTemplateBody",
    "SavedTemplate",
    "SuccessResponse",
    "TemplateListResponse",
    "TemplateResponse",
]


class SaveTemplateBody(msgspec.Struct, rename="camel", kw_only=True):
    """``POST /api/my-templates``: save a snapshot of the editor state."""

    user_key: str | None = None
    # The /api/og parameters as a JSON object of strings, e.g. {"template": "gradient", ...}.
    payload: Any = None
    name: str | None = None
    # The template plugin the payload renders with; defaults to the payload's ``template``.
    template_id: str | None = None


class RenameTemplateBody(msgspec.Struct, rename="camel", kw_only=True):
    """``PATCH /api/my-templates``: rename one saved template."""

    user_key: str | None = None
    id: str | None = None
    name: str | None = None


class FavoritesBody(msgspec.Struct, rename="camel", kw_only=True):
    """``POST /api/favorites``: replace the whole ordered set of favourite background ids."""

    user_key: str | None = None
    ids: Any = None


class SavedTemplate(msgspec.Struct, rename="camel", kw_only=True):
    """A saved template as the API shows it (the owner's key is never echoed)."""

    id: str
    name: str
    template_id: str
    payload: dict[str, str]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: UserTemplate) -> SavedTemplate:
        return cls(
            id=row.id,
            name=row.name,
            template_id=row.template_id,
            payload=dict(row.payload),
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


class TemplateResponse(msgspec.Struct, kw_only=True):
    success: bool
    template: SavedTemplate


class TemplateListResponse(msgspec.Struct, kw_only=True):
    success: bool
    templates: list[SavedTemplate]
    total: int
    limit: int
    offset: int


class SuccessResponse(msgspec.Struct, kw_only=True):
    success: bool


class FavoritesResponse(msgspec.Struct, kw_only=True):
    success: bool
    ids: list[str]


class RemovedFavoriteResponse(msgspec.Struct, kw_only=True):
    success: bool
    ids: list[str]
    # False when the id was not among the favourites (the DELETE still succeeds: idempotent).
    removed: bool
