"""The maps resource: ``/maps/{map_id}/`` (read, change, delete) and its stored images.

Visibility is applied as :mod:`ogplatform.maps.access` says. Public and unlisted maps may be
cached by CDNs (metadata 5 minutes, OG image a day, thumbnail and image an hour) and carry the
purge tag ``map-<id>``; a change of title or visibility and a deletion purge that tag from the
render cache and the CDN, so a map made private is not served from a cache afterwards. Errors
are RFC 9457 problem details (this path is outside ``/api``).
"""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec
import sqlalchemy as sa
import structlog
from litestar import Request, Response, Router, delete, get, patch, route
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from ogplatform.admin import purge_everywhere
from ogplatform.cache.http import matches
from ogplatform.db.models import Job, Map
from ogplatform.errors import ApiError
from ogplatform.maps.access import (
    VISIBILITIES,
    caching_headers,
    map_not_found,
    owned_map,
    readable_map,
)
from ogplatform.maps.downloads import download_url
from ogplatform.maps.map_jobs import MAX_TITLE, iso
from ogplatform.plugins.storage import StorageError
from ogplatform.runtime import Runtime
from ogplatform.storage.http import object_response

__all__ = ["map_view", "maps_router"]

log = structlog.get_logger("ogplatform.maps")

METADATA_MAX_AGE = 300  # purged on change at the CDN; browsers may keep it this long
OG_IMAGE_MAX_AGE = 86400  # OG images change less often than thumbnails
THUMBNAIL_MAX_AGE = 3600
IMAGE_MAX_AGE = 3600
MAX_PATCH_BYTES = 16 * 1024
PATCH_FIELDS = ("title", "visibility")
_NO_STORE = {"Cache-Control": "private, no-store"}
_JSON_TYPES = ("application/json", "application/merge-patch+json")


def map_view(runtime: Runtime, found: Map, location: dict[str, Any]) -> dict[str, Any]:
    """A map as ``GET /maps/{id}/`` shows it."""
    base = f"{runtime.settings.server.public_url.rstrip('/')}/maps/{found.id}"
    files = {"map": found.map_key, "thumbnail": found.thumbnail_key, "og_image": found.og_image_key}
    return {
        "id": found.id,
        "project_id": found.project_id,
        "job_id": found.job_id,
        "title": found.title,
        "visibility": found.visibility,
        "location": location,
        "theme": found.theme,
        "width": found.width,
        "height": found.height,
        "output_format": found.output_format,
        "created_at": iso(found.created_at),
        "image_url": f"{base}/image/",
        "thumbnail_url": f"{base}/thumbnail/" if found.thumbnail_key else None,
        "og_image_url": f"{base}/og-image/" if found.og_image_key else None,
        # By storage path: signed (and expiring) for private maps, usable without a key.
        "download_urls": {
            kind: download_url(runtime, found, key) for kind, key in files.items() if key
        },
    }


async def _location(session: AsyncSession, found: Map) -> dict[str, Any]:
    """The location as the job that made the map recorded it."""
    job = await session.get(Job, found.job_id)
    recorded = (job.payload or {}).get("location") if job is not None else None
    if isinstance(recorded, dict):
        return {name: recorded.get(name) for name in ("id", "code", "name", "type")}
    return {"id": found.location_id, "code": None, "name": None, "type": None}


async def _metadata_response(
    request: Request[Any, Any, Any], session: AsyncSession, runtime: Runtime, found: Map
) -> Response[Any]:
    view = map_view(runtime, found, await _location(session, found))
    body = msgspec.json.encode(view)
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": etag, **caching_headers(found, METADATA_MAX_AGE)}
    if request.method == "PATCH":
        headers.update(_NO_STORE)  # a write's answer is for the writer alone
        headers.pop("Surrogate-Key", None)
        headers.pop("Cache-Tag", None)
    elif matches(request.headers.get("if-none-match"), etag):
        return Response(b"", status_code=304, headers=headers, media_type="application/json")
    return Response(body, headers=headers, media_type="application/json")


@get("/{map_id:str}/", summary="A map's metadata: title, visibility, location, image URLs")
async def get_map(
    request: Request[Any, Any, Any],
    map_id: FromPath[str],
    db_session: NamedDependency[AsyncSession],
    runtime: NamedDependency[Runtime],
) -> Response[Any]:
    found = await readable_map(request, db_session, map_id)
    return await _metadata_response(request, db_session, runtime, found)


def _parse_patch(raw: bytes, content_type: str | None) -> dict[str, str]:
    """The checked body of a PATCH: 400 when it is not a JSON object, 422 naming each field
    that is unknown or has a bad value (RFC 9457 ``errors`` with a JSON pointer each)."""
    media = (content_type or "application/json").partition(";")[0].strip().lower()
    if media not in _JSON_TYPES and not media.endswith("+json"):
        raise ApiError(415, "the body must be JSON (application/json)")
    try:
        body = msgspec.json.decode(raw) if raw.strip() else None
    except msgspec.DecodeError:
        raise ApiError(400, "the body must be valid JSON", code="INVALID_BODY") from None
    if not isinstance(body, dict):
        raise ApiError(400, "the body must be a JSON object", code="INVALID_BODY")
    problems: list[tuple[str, str]] = [
        (str(name)[:100], f"unknown field (allowed: {', '.join(PATCH_FIELDS)})")
        for name in body
        if name not in PATCH_FIELDS
    ]
    changes: dict[str, str] = {}
    if "title" in body:
        title = body["title"]
        if not isinstance(title, str):
            problems.append(("title", "must be a string"))
        elif not 1 <= len(title.strip()) <= MAX_TITLE:
            problems.append(("title", f"must be 1 to {MAX_TITLE} characters (spaces trimmed)"))
        elif any(ord(char) < 0x20 or ord(char) == 0x7F for char in title):
            problems.append(("title", "must not contain control characters"))
        else:
            changes["title"] = title.strip()
    if "visibility" in body:
        visibility = body["visibility"]
        if visibility not in VISIBILITIES:
            problems.append(("visibility", f"must be one of: {', '.join(VISIBILITIES)}"))
        else:
            changes["visibility"] = str(visibility)
    if problems:
        raise ApiError(
            422,
            "; ".join(f"{field} {reason}" for field, reason in problems),
            code="VALIDATION_FAILED",
            extra={
                "errors": [
                    {"field": field, "pointer": f"#/{field}", "detail": reason}
                    for field, reason in problems
                ]
            },
        )
    return changes


@patch(
    "/{map_id:str}/",
    request_max_body_size=MAX_PATCH_BYTES,
    summary="Change a map's title or visibility (a key of its project)",
)
async def patch_map(
    request: Request[Any, Any, Any],
    map_id: FromPath[str],
    db_session: NamedDependency[AsyncSession],
    runtime: NamedDependency[Runtime],
) -> Response[Any]:
    found = await owned_map(request, db_session, map_id)
    changes = _parse_patch(await request.body(), request.headers.get("content-type"))
    changed = {name: value for name, value in changes.items() if getattr(found, name) != value}
    if changed:
        for name, value in changed.items():
            setattr(found, name, value)
        db_session.add(found)
        await db_session.commit()
        await db_session.refresh(found)
        # After the commit: from now on the origin answers with the new state, and the copies
        # cached before it (the render cache, the CDN) are dropped.
        await purge_everywhere(runtime, [f"map-{found.id}"])
        log.info("map_changed", map_id=found.id, fields=sorted(changed))
    return await _metadata_response(request, db_session, runtime, found)


@delete(
    "/{map_id:str}/",
    status_code=204,
    summary="Delete a map and its stored images (a key of its project)",
)
async def delete_map(
    request: Request[Any, Any, Any],
    map_id: FromPath[str],
    db_session: NamedDependency[AsyncSession],
    runtime: NamedDependency[Runtime],
) -> Response[None]:
    found = await owned_map(request, db_session, map_id)
    map_key, keys = found.id, [found.map_key, found.thumbnail_key, found.og_image_key]
    gone = await db_session.exec(sa.delete(Map).where(col(Map.id) == map_key))
    await db_session.commit()
    if gone.rowcount != 1:
        raise map_not_found()  # a concurrent DELETE won
    # The row goes first: a map is never listed with its files half gone. A file that cannot
    # be removed now is logged and stays behind as an orphan, unreachable through /storage.
    for key in filter(None, keys):
        try:
            await runtime.storage.delete(key)
        except StorageError as exc:
            log.warning("map_asset_delete_failed", map_id=map_key, key=key, error=repr(exc))
    await purge_everywhere(runtime, [f"map-{map_key}"])
    log.info("map_deleted", map_id=map_key)
    return Response(None, status_code=204, headers=_NO_STORE)


async def _serve(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    runtime: Runtime,
    map_id: str,
    attribute: str,
    max_age: int,
    what: str,
) -> Response[Any]:
    found = await readable_map(request, session, map_id)
    storage_key: str | None = getattr(found, attribute)
    not_stored = ApiError(409, f"The {what} of this map is not stored", code="NOT_GENERATED")
    if not storage_key:
        raise ApiError(409, f"The {what} of this map is not generated yet", code="NOT_GENERATED")
    headers = caching_headers(found, max_age)
    return await object_response(request, runtime.storage, storage_key, headers, missing=not_stored)


@route(
    "/{map_id:str}/og-image/",
    http_method=["GET", "HEAD"],
    summary="The map's OG social-card image (1200x630 PNG)",
)
async def get_og_image(
    request: Request[Any, Any, Any],
    map_id: FromPath[str],
    db_session: NamedDependency[AsyncSession],
    runtime: NamedDependency[Runtime],
) -> Response[Any]:
    return await _serve(
        request, db_session, runtime, map_id, "og_image_key", OG_IMAGE_MAX_AGE, "OG image"
    )


@route(
    "/{map_id:str}/thumbnail/",
    http_method=["GET", "HEAD"],
    summary="The map's thumbnail (400 px wide PNG)",
)
async def get_thumbnail(
    request: Request[Any, Any, Any],
    map_id: FromPath[str],
    db_session: NamedDependency[AsyncSession],
    runtime: NamedDependency[Runtime],
) -> Response[Any]:
    return await _serve(
        request, db_session, runtime, map_id, "thumbnail_key", THUMBNAIL_MAX_AGE, "thumbnail"
    )


@route(
    "/{map_id:str}/image/",
    http_method=["GET", "HEAD"],
    summary="The rendered map itself (PNG or SVG)",
)
async def get_map_image(
    request: Request[Any, Any, Any],
    map_id: FromPath[str],
    db_session: NamedDependency[AsyncSession],
    runtime: NamedDependency[Runtime],
) -> Response[Any]:
    return await _serve(request, db_session, runtime, map_id, "map_key", IMAGE_MAX_AGE, "image")


maps_router = Router(
    "/maps",
    route_handlers=[get_map, patch_map, delete_map, get_og_image, get_thumbnail, get_map_image],
    tags=["maps"],
)
