"""Checks on what clients send to the user data API; each failure is an ApiError with its code.

Pure: no database. Saved payloads go through the ``/api/og`` rules themselves
(:func:`~ogplatform.cards.params.parse_card_query`), so a template that saves is one that renders.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import msgspec
import regex

from ogplatform.cards.params import CardRequest, parse_card_query
from ogplatform.errors import ApiError
from ogplatform.plugins import PluginRegistry

__all__ = [
    "DEFAULT_NAME",
    "MAX_FAVORITES",
    "MAX_NAME",
    "MAX_PAYLOAD_BYTES",
    "MAX_TEMPLATES",
    "check_favorite_ids",
    "check_name",
    "check_payload",
    "default_name",
    "payload_query",
]

MAX_NAME = 80  # user-perceived characters, counted like a card's title
MAX_NAME_CODE_POINTS = 400  # and a hard bound on storage (combining marks add up)
MAX_PAYLOAD_BYTES = 16 * 1024  # the payload as compact JSON, UTF-8
MAX_TEMPLATES = 200  # per userKey
MAX_FAVORITES = 500  # per userKey
DEFAULT_NAME = "Untitled"
# Never stored in a payload: the key would sit there in clear text, savedId would loop.
RESERVED_PAYLOAD_KEYS = frozenset({"userKey", "savedId"})

_CONTROL = regex.compile(r"[\x00-\x1f\x7f-\x9f]")
_GRAPHEME = regex.compile(r"\X")


def check_name(value: str | None, *, default: str | None = None) -> str:
    """A template name, stripped; ``default`` when none is given (a rename passes no default).

    Raises:
        ApiError: 400 ``INVALID_NAME`` (control characters, or empty without a default),
            400 ``NAME_TOO_LONG`` (over :data:`MAX_NAME` characters).
    """
    name = (value or "").strip()
    if _CONTROL.search(name):
        raise ApiError(400, "name contains control characters", code="INVALID_NAME")
    if len(name) > MAX_NAME_CODE_POINTS or _graphemes(name, MAX_NAME + 1) > MAX_NAME:
        raise ApiError(400, f"name must be <= {MAX_NAME} characters", code="NAME_TOO_LONG")
    if name:
        return name
    if default is None:
        raise ApiError(400, "name must not be empty", code="INVALID_NAME")
    return default


def check_payload(
    payload: Any, template_id: str | None, plugins: PluginRegistry
) -> tuple[dict[str, str], CardRequest]:
    """Validate a saved template's payload as ``/api/og`` would; return it and its card.

    ``template_id``, when given, fills in the payload's ``template`` (or must agree with it).

    Raises:
        ApiError: 413 ``PAYLOAD_TOO_LARGE``; 400 ``INVALID_PAYLOAD`` (not an object of strings,
            or a reserved key); 400 ``CONFLICTING_PARAMETERS`` (templateId disagrees with the
            payload); any code of the card API (``TITLE_TOO_LONG``, ``INVALID_COLOR``, 404
            ``TEMPLATE_NOT_FOUND``, ``BACKGROUND_NOT_FOUND``, ...).
    """
    if payload is None:
        raise ApiError(
            400, "payload is required: an object of /api/og parameters", code="INVALID_PAYLOAD"
        )
    if len(msgspec.json.encode(payload)) > MAX_PAYLOAD_BYTES:
        raise ApiError(
            413, f"payload must be <= {MAX_PAYLOAD_BYTES} bytes as JSON", code="PAYLOAD_TOO_LARGE"
        )
    if not isinstance(payload, dict):
        raise ApiError(400, "payload must be a JSON object", code="INVALID_PAYLOAD")
    for key, value in payload.items():
        if not isinstance(value, str):
            raise ApiError(400, f"payload.{key[:64]} must be a string", code="INVALID_PAYLOAD")
        if key in RESERVED_PAYLOAD_KEYS:
            raise ApiError(400, f"payload must not contain {key}", code="INVALID_PAYLOAD")
    fields: dict[str, str] = dict(payload)
    if template_id is not None:
        if not fields.get("template"):
            fields["template"] = template_id
        elif fields["template"] != template_id:
            raise ApiError(
                400, "templateId and payload.template name different templates",
                code="CONFLICTING_PARAMETERS",
            )  # fmt: skip
    card = parse_card_query(payload_query(fields))
    try:
        plugins.get("templates", card.template)
    except KeyError:
        raise ApiError(
            404, f"template {card.template[:64]!r} not found", code="TEMPLATE_NOT_FOUND"
        ) from None
    if card.background_id is not None:
        try:
            plugins.get("backgrounds", card.background_id)
        except KeyError:
            raise ApiError(
                404, f"background {card.background_id!r} not found", code="BACKGROUND_NOT_FOUND"
            ) from None
    return fields, card


def default_name(card: CardRequest) -> str:
    """The name of a template saved without one: its card's title on one line, or "Untitled"."""
    title = " ".join(_CONTROL.sub(" ", card.card.title).split())
    return title[:MAX_NAME_CODE_POINTS] or DEFAULT_NAME


def payload_query(payload: Mapping[str, str]) -> bytes:
    """A payload as the raw ``/api/og`` query string it stands for."""
    return urlencode(payload).encode("ascii")


def check_favorite_ids(ids: Any, plugins: PluginRegistry) -> list[str]:
    """The ids in first-seen order, duplicates folded, every one a known background.

    Raises:
        ApiError: 400 ``INVALID_IDS`` (not an array of strings), 400 ``UNKNOWN_BACKGROUND``
            (naming the first unknown id), 409 ``TOO_MANY_FAVORITES``.
    """
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise ApiError(400, "ids must be an array of background id strings", code="INVALID_IDS")
    folded = list(dict.fromkeys(ids))
    for background_id in folded:
        try:
            plugins.get("backgrounds", background_id)
        except KeyError:
            raise ApiError(
                400, f"unknown background id {background_id[:64]!r}", code="UNKNOWN_BACKGROUND"
            ) from None
    if len(folded) > MAX_FAVORITES:
        raise ApiError(
            409, f"at most {MAX_FAVORITES} favourites per userKey", code="TOO_MANY_FAVORITES"
        )
    return folded


def _graphemes(value: str, stop: int) -> int:
    """User-perceived characters, counting no further than ``stop``."""
    count = 0
    for _ in _GRAPHEME.finditer(value):
        count += 1
        if count >= stop:
            break
    return count
