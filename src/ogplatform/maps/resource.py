"""The maps resource: a map's stored images, served with the map's visibility applied.

Public and unlisted maps are served to anyone and may be cached by CDNs (OG image a day,
thumbnail an hour); a private map is served only to a key of its project (or the operator),
never cached, and is a 404 to everyone else, so its existence does not leak. Errors are RFC 9457
problem details (this path is outside ``/api``).
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Response, Router, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlmodel.ext.asyncio.session import AsyncSession

from ogplatform.cache.http import matches
from ogplatform.db.models import Map
from ogplatform.errors import ApiError
from ogplatform.maps.auth import optional_principal
from ogplatform.plugins.storage import ObjectNotFoundError
from ogplatform.runtime import Runtime

__all__ = ["maps_router"]

OG_IMAGE_MAX_AGE = 86400  # OG images change less often than thumbnails
THUMBNAIL_MAX_AGE = 3600
IMAGE_MAX_AGE = 3600


async def _visible_map(
    request: Request[Any, Any, Any], session: AsyncSession, map_id: str
) -> tuple[Map, bool]:
    """The map if the caller may see it, and whether it is private; 404 otherwise."""
    try:
        key = str(uuid.UUID(map_id))
    except ValueError:
        raise ApiError(422, "map_id must be a UUID", code="VALIDATION_ERROR") from None
    principal = await optional_principal(request)
    found = await session.get(Map, key)
    if found is None:
        raise _not_found()
    if found.visibility == "private":
        if principal is None or principal.project_id not in (None, found.project_id):
            raise _not_found()
        return found, True
    return found, False


def _not_found() -> ApiError:
    return ApiError(404, "Map not found", code="MAP_NOT_FOUND")


async def _serve(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    runtime: Runtime,
    map_id: str,
    attribute: str,
    max_age: int,
    what: str,
) -> Response[bytes]:
    found, private = await _visible_map(request, session, map_id)
    storage_key: str | None = getattr(found, attribute)
    if not storage_key:
        raise ApiError(409, f"The {what} of this map is not generated yet", code="NOT_GENERATED")
    try:
        stored, body = await runtime.storage.get(storage_key)
    except ObjectNotFoundError:
        raise ApiError(409, f"The {what} of this map is not stored", code="NOT_GENERATED") from None
    etag = f'"{stored.etag}"'
    headers = {
        "ETag": etag,
        "Cache-Control": "private, no-store" if private else f"public, max-age={max_age}",
        "Surrogate-Key": f"map-{found.id}",
        "Cache-Tag": f"map-{found.id}",
        "Vary": "Authorization",
    }
    if matches(request.headers.get("if-none-match"), etag):
        return Response(b"", status_code=304, headers=headers, media_type=stored.content_type)
    return Response(body, headers=headers, media_type=stored.content_type)


@get("/{map_id:str}/og-image/", summary="The map's OG social-card image (1200x630 PNG)")
async def get_og_image(
    request: Request[Any, Any, Any],
    map_id: FromPath[str],
    db_session: NamedDependency[AsyncSession],
    runtime: NamedDependency[Runtime],
) -> Response[bytes]:
    return await _serve(
        request, db_session, runtime, map_id, "og_image_key", OG_IMAGE_MAX_AGE, "OG image"
    )


@get("/{map_id:str}/thumbnail/", summary="The map's thumbnail (400 px wide PNG)")
async def get_thumbnail(
    request: Request[Any, Any, Any],
    map_id: FromPath[str],
    db_session: NamedDependency[AsyncSession],
    runtime: NamedDependency[Runtime],
) -> Response[bytes]:
    return await _serve(
        request, db_session, runtime, map_id, "thumbnail_key", THUMBNAIL_MAX_AGE, "thumbnail"
    )


@get("/{map_id:str}/image/", summary="The rendered map itself (PNG or SVG)")
async def get_map_image(
    request: Request[Any, Any, Any],
    map_id: FromPath[str],
    db_session: NamedDependency[AsyncSession],
    runtime: NamedDependency[Runtime],
) -> Response[bytes]:
    return await _serve(request, db_session, runtime, map_id, "map_key", IMAGE_MAX_AGE, "image")


maps_router = Router(
    "/maps",
    route_handlers=[get_og_image, get_thumbnail, get_map_image],
    tags=["maps"],
)
