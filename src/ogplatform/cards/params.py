"""The ``/api/og`` query: parsed, validated and normalized into a :class:`CardRequest`.

Every rule of the public API lives here, each failure with its own error code. Lengths count
user-perceived characters (grapheme clusters), not bytes or code points.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Literal
from urllib.parse import parse_qsl

import msgspec
import regex

from ogplatform.cards.colors import BackgroundError, parse_background, parse_color
from ogplatform.errors import ApiError
from ogplatform.plugins.templates import CardInput

__all__ = ["SIZES", "CardRequest", "for_template", "parse_card_query"]

Format = Literal["png", "svg", "jpeg", "webp"]
SIZES: dict[str, tuple[int, int]] = {
    "og": (1200, 630),
    "twitter": (1200, 600),
    "square": (1080, 1080),
}
FORMATS: dict[str, Format] = {
    "png": "png",
    "svg": "svg",
    "jpeg": "jpeg",
    "jpg": "jpeg",
    "webp": "webp",
}
LIMITS = {"title": 80, "description": 200, "icon": 12}
# One name per parameter; the seed's long names are aliases.
ALIASES = {
    "subtitle": "description",
    "backgroundColor": "bg",
    "background": "bg",
    "textColor": "text",
    "accentColor": "accent",
}
DEFAULT_OVERLAY = 0.55
# C0/C1 controls other than tab and newline are not text a card should draw. (Bidi
# overrides are allowed: the layout engine honours them and the SVG holds only outlines.)
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_GRAPHEME = regex.compile(r"\X")


class CardRequest(msgspec.Struct, frozen=True):
    """Everything that decides a card's bytes, defaults filled and aliases folded."""

    template: str
    background_id: str | None
    size: str
    format: Format
    card: CardInput


def parse_card_query(raw_query: bytes) -> CardRequest:
    """Validate the raw query string; raise ApiError (card API codes) on the first problem."""
    params = _decode(raw_query)
    text = {name: _text(name, params.get(name, "")) for name in LIMITS}
    size = params.get("size", "og").lower()
    if size not in SIZES:
        raise ApiError(400, f"size must be one of: {', '.join(SIZES)}", code="INVALID_SIZE")
    fmt = FORMATS.get(params.get("format", "png").lower())
    if fmt is None:
        raise ApiError(400, "format must be png, svg, jpeg or webp", code="INVALID_FORMAT")
    width, height = SIZES[size]
    background = None
    if params.get("bg"):
        try:
            background = parse_background(params["bg"])
        except (BackgroundError, ValueError) as exc:
            raise ApiError(400, str(exc), code="INVALID_BACKGROUND") from None
    bg_id = params.get("bgId") or None
    if bg_id is not None and not re.fullmatch(r"[A-Za-z0-9._-]{1,64}", bg_id):
        raise ApiError(404, f"background {bg_id[:64]!r} not found", code="BACKGROUND_NOT_FOUND")
    card = CardInput(
        width=width,
        height=height,
        title=text["title"],
        description=text["description"],
        icon=text["icon"],
        background=background,
        text_color=_color("text", params.get("text")),
        accent_color=_color("accent", params.get("accent")),
        overlay=_overlay(params.get("overlay")),
    )
    template = params.get("template", "gradient") or "gradient"
    return CardRequest(template, bg_id, size, fmt, card)


def for_template(request: CardRequest, params: Sequence[str]) -> CardRequest:
    """The request with what the template does not use reset to defaults, so URLs that
    differ only in parameters it ignores share one cache entry (and load no photo)."""
    card = request.card
    defaults = CardInput(card.width, card.height)
    used = set(params)
    changes = {
        field: getattr(defaults, field)
        for name, field in _PARAM_FIELDS.items()
        if name not in used and getattr(card, field) != getattr(defaults, field)
    }
    background_id = request.background_id if "bgId" in used else None
    if not changes and background_id == request.background_id:
        return request
    return msgspec.structs.replace(
        request, card=msgspec.structs.replace(card, **changes), background_id=background_id
    )


_PARAM_FIELDS = {"title": "title", "description": "description", "icon": "icon",
                 "bg": "background", "text": "text_color", "accent": "accent_color",
                 "overlay": "overlay"}  # fmt: skip


def _decode(raw: bytes) -> dict[str, str]:
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise ApiError(
            400, "the query string is not valid UTF-8", code="INVALID_ENCODING"
        ) from None
    params: dict[str, str] = {}
    for key, value in pairs:
        name = ALIASES.get(key, key)
        if name in params and params[name] != value:
            raise ApiError(
                400, f"{name} is given more than once with different values",
                code="CONFLICTING_PARAMETERS",
            )  # fmt: skip
        params[name] = value
    return params


def _text(name: str, value: str) -> str:
    value = value.replace("\r\n", "\n").replace("\t", " ")
    if _CONTROL.search(value):
        raise ApiError(400, f"{name} contains control characters", code="INVALID_TEXT")
    limit = LIMITS[name]
    length = _graphemes(value, limit + 1)
    if length > limit:
        raise ApiError(
            400, f"{name} must be <= {limit} characters", code=f"{name.upper()}_TOO_LONG"
        )
    return value.strip()


def _graphemes(value: str, stop: int) -> int:
    """User-perceived characters, counting no further than ``stop`` (long input stays cheap)."""
    count = 0
    for _ in _GRAPHEME.finditer(value):
        count += 1
        if count >= stop:
            break
    return count


def _color(name: str, value: str | None) -> str | None:
    if not value:
        return None
    colour = parse_color(value)
    if colour is None:
        raise ApiError(
            400, f"{name} must be a 6-digit hex colour like ff8800 or #ff8800",
            code="INVALID_COLOR",
        )  # fmt: skip
    return colour


def _overlay(value: str | None) -> float:
    if value is None or value == "":
        return DEFAULT_OVERLAY
    try:
        number = float(value)
    except ValueError:
        raise ApiError(
            400, "overlay must be a number between 0 and 1", code="INVALID_OVERLAY"
        ) from None
    if math.isnan(number):
        raise ApiError(400, "overlay must be a number between 0 and 1", code="INVALID_OVERLAY")
    return round(min(1.0, max(0.0, number)), 3)  # the seed: clamped to 0..1


def describe(request: CardRequest) -> Mapping[str, object]:
    """The normalized request as plain data (cache keys, logs)."""
    return msgspec.to_builtins(request)  # type: ignore[no-any-return]
