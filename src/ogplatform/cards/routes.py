"""The card API: ``GET /api/og``, ``/api/templates`` and ``/api/backgrounds``."""

from __future__ import annotations

import asyncio
import hashlib
from functools import lru_cache
from typing import Any

from litestar import Request, Response, Router, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery

from ogplatform.cache import CachedImage, cache_control, image_response
from ogplatform.cards.catalog import background_item, search_backgrounds, template_item
from ogplatform.cards.keys import resolve_card
from ogplatform.cards.rendering import CardRenderer
from ogplatform.errors import ApiError
from ogplatform.render import encode
from ogplatform.runtime import Runtime
from ogplatform.userdata import SAVED_CACHE_CONTROL, saved_card_query

__all__ = ["cards_router"]

# SVG is a document that could carry script: forbid everything but inline style and the
# embedded photo, and let no browser guess another type.
SVG_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
    "X-Content-Type-Options": "nosniff",
}
THUMBNAIL_CACHE_CONTROL = "public, max-age=86400"
CATALOG_CACHE_CONTROL = "public, max-age=300"


async def card_is_cached(scope: Any) -> bool:
    """Rate-limit probe: whether the cache can answer this request without a render."""
    runtime: Runtime = scope["app"].state.runtime
    try:
        card = resolve_card(runtime.plugins, scope.get("query_string", b""))
    except ApiError:
        return False  # let the handler answer (and count) the mistake
    return await runtime.cache.contains(card.key)


@get("/og", opt={"ratelimit": "cards", "ratelimit_probe": card_is_cached},
     summary="Render a card (PNG by default, or SVG/JPEG/WebP)")  # fmt: skip
async def render_og(
    request: Request[Any, Any, Any],
    runtime: NamedDependency[Runtime],
    card_renderer: NamedDependency[CardRenderer],
) -> Response[bytes]:
    raw = request.scope["query_string"]
    # A saved template (savedId + userKey): its payload is the query; the URL holds a secret.
    saved = await saved_card_query(runtime, raw)
    card = resolve_card(runtime.plugins, raw if saved is None else saved)

    async def render() -> CachedImage:
        try:
            rendered = await card_renderer.render(card.request)
        except TimeoutError:
            raise ApiError(503, "rendering took too long; try again", code="RENDER_TIMEOUT",
                           headers={"Retry-After": "5"}) from None  # fmt: skip
        return CachedImage.of(rendered.body, rendered.content_type, card.tags)

    result = await runtime.cache.get_or_render(card.key, render)
    settings = runtime.settings.cache
    return image_response(
        result.entry,
        if_none_match=request.headers.get("if-none-match"),
        cache_control=SAVED_CACHE_CONTROL
        if saved is not None
        else cache_control(
            settings.max_age, settings.stale_while_revalidate, settings.stale_if_error
        ),
        source=result.source,
        extra=SVG_HEADERS if card.request.format == "svg" else None,
    )


@get("/templates", opt={"ratelimit": "catalog"}, summary="The template catalog")
async def list_templates(
    runtime: NamedDependency[Runtime],
    id: FromQuery[str | None] = None,
    category: FromQuery[str | None] = None,
    search: FromQuery[str | None] = None,
) -> Response[dict[str, Any]]:
    records = runtime.plugins.plugins("templates")
    if id is not None:
        found = [r for r in records if r.id == id]
        if not found:
            raise ApiError(404, f"template {id[:64]!r} not found", code="TEMPLATE_NOT_FOUND")
        return _catalog({"success": True, "template": template_item(found[0])})
    items = [template_item(r) for r in records]
    if category:
        items = [t for t in items if t["category"] == category.lower()]
    if search:
        needle = search.casefold()
        fields = ("id", "name", "description")
        items = [t for t in items if any(needle in str(t[k]).casefold() for k in fields)]
    return _catalog({"success": True, "templates": items, "total": len(items)})


@get("/backgrounds", opt={"ratelimit": "catalog"}, summary="The background catalog")
async def list_backgrounds(
    runtime: NamedDependency[Runtime],
    id: FromQuery[str | None] = None,
    category: FromQuery[str | None] = None,
    search: FromQuery[str | None] = None,
    limit: FromQuery[str] = "30",
    offset: FromQuery[str] = "0",
) -> Response[dict[str, Any]]:
    records = runtime.plugins.plugins("backgrounds")
    if id is not None:
        found = [r for r in records if r.id == id]
        if not found:
            raise ApiError(404, f"background {id[:64]!r} not found", code="BACKGROUND_NOT_FOUND")
        return _catalog({"success": True, "background": background_item(found[0])})
    size, start = _bounded(limit, "limit", 1, 200), _bounded(offset, "offset", 0, 1_000_000)
    if category:
        records = [r for r in records if r.plugin.category == category.lower()]
    matches = search_backgrounds(records, search) if search else records
    page = matches[start : start + size]
    return _catalog({
        "success": True, "backgrounds": [background_item(r) for r in page],
        "total": len(matches), "limit": size, "offset": start,
    })  # fmt: skip


THUMBNAIL_SIZE = (400, 210)


@get("/backgrounds/{background_id:str}/thumbnail", opt={"ratelimit": "catalog"},
     summary="A 400x210 JPEG preview of a background")  # fmt: skip
async def background_thumbnail(
    runtime: NamedDependency[Runtime], background_id: FromPath[str]
) -> Response[bytes]:
    try:
        record = runtime.plugins.get("backgrounds", background_id)
    except KeyError:
        raise ApiError(404, f"background {background_id[:64]!r} not found",
                       code="BACKGROUND_NOT_FOUND") from None  # fmt: skip
    body = await asyncio.to_thread(_thumbnail, record.id, record.version, record.plugin)
    return Response(body, media_type="image/jpeg", headers={
        "Cache-Control": THUMBNAIL_CACHE_CONTROL,
        "ETag": '"' + hashlib.sha256(body).hexdigest()[:32] + '"',
    })  # fmt: skip


@lru_cache(maxsize=256)
def _thumbnail(background_id: str, version: str, background: Any) -> bytes:
    """Small enough to keep every catalog thumbnail in memory (about 20 KB each)."""
    return encode(background.image(*THUMBNAIL_SIZE), "jpeg")


def _bounded(value: str, name: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except ValueError:
        number = low - 1
    if not low <= number <= high:
        raise ApiError(400, f"{name} must be an integer from {low} to {high}",
                       code=f"INVALID_{name.upper()}")  # fmt: skip
    return number


def _catalog(body: dict[str, Any]) -> Response[dict[str, Any]]:
    return Response(body, headers={"Cache-Control": CATALOG_CACHE_CONTROL})


cards_router = Router("/api", route_handlers=[render_og, list_templates, list_backgrounds,
                                             background_thumbnail],
                      tags=["cards"])  # fmt: skip
