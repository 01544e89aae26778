"""``GET /storage/{storage_path}``: a map's stored files (map, thumbnail, OG image) by storage
path, with the map's visibility applied, and the download URLs the APIs hand out.

Only paths that belong to a map are served; anything else in storage is a 404. Assets of
public and unlisted maps go to anyone; a private map's need a key of its project (or the admin
token) or a signed URL (``?expires=&signature=``, see :mod:`ogplatform.storage.signing`), which
is what the APIs give out for them so that an ``<img>`` or a download manager can fetch them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, urlencode

from litestar import Request, Response, Router, route
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ogplatform.db.models import Map
from ogplatform.errors import ApiError
from ogplatform.maps.access import caching_headers, is_owner, map_not_found
from ogplatform.maps.auth import optional_principal
from ogplatform.plugins.storage import InvalidKeyError
from ogplatform.runtime import Runtime
from ogplatform.storage import validate_key
from ogplatform.storage.http import object_response
from ogplatform.storage.signing import SignatureError, url_signer

__all__ = ["DOWNLOAD_MAX_AGE", "download_url", "downloads_router", "with_download_urls"]

DOWNLOAD_MAX_AGE = 3600
# The key schemes of maps.map_jobs (the job handler names the files it stores like this).
_OG_IMAGE = re.compile(r"maps/og-images/([0-9a-f-]{36})\.png")
_THUMBNAIL = re.compile(r"maps/thumbnails/([0-9a-f-]{36})\.png")
_MAP_FILE = re.compile(r"maps/[0-9A-Za-z-]{1,36}/([0-9a-f-]{36})/map\.[a-z0-9]{1,8}")


def download_url(runtime: Runtime, found: Map, key: str) -> str:
    """Where a client fetches ``key`` of ``found``: the storage backend's own public URL or
    ``/storage/<key>`` for public and unlisted maps; a signed ``/storage/`` URL (never the
    backend's public one) for private maps."""
    if found.visibility != "private":
        direct = runtime.storage.url(key)
        if direct:
            return direct
    url = runtime.settings.server.public_url.rstrip("/") + "/storage/" + quote(key, safe="/")
    if found.visibility == "private":
        url += "?" + urlencode(url_signer(runtime.settings.storage).sign(key))
    return url


async def with_download_urls(
    session: AsyncSession, runtime: Runtime, views: Iterable[dict[str, Any]]
) -> None:
    """Give the assets of completed job views the download URLs their map has now (its
    visibility may have changed since the job ran); views of deleted maps keep theirs."""
    views = [view for view in views if view.get("map_id") and view.get("assets")]
    if not views:
        return
    ids = {str(view["map_id"]) for view in views}
    rows = await session.exec(select(Map).where(col(Map.id).in_(ids)))
    maps = {found.id: found for found in rows.all()}
    for view in views:
        found = maps.get(str(view["map_id"]))
        if found is not None:
            view["assets"] = [
                {**asset, "url": download_url(runtime, found, asset["storage_path"])}
                for asset in view["assets"]
            ]


async def _map_of(session: AsyncSession, key: str) -> Map | None:
    """The map that stored ``key``, found through the key's scheme and then checked exactly."""
    if match := _OG_IMAGE.fullmatch(key):
        found = await session.get(Map, match[1])
        return found if found is not None and found.og_image_key == key else None
    if match := _THUMBNAIL.fullmatch(key):
        found = await session.get(Map, match[1])
        return found if found is not None and found.thumbnail_key == key else None
    if match := _MAP_FILE.fullmatch(key):
        found = (await session.exec(select(Map).where(Map.job_id == match[1]))).first()
        return found if found is not None and found.map_key == key else None
    return None


@route(
    "/storage/{storage_path:path}",
    http_method=["GET", "HEAD"],
    summary="Download a map's stored file (map, thumbnail, OG image); byte ranges supported",
)
async def download(
    request: Request[Any, Any, Any],
    storage_path: FromPath[str],
    db_session: NamedDependency[AsyncSession],
    runtime: NamedDependency[Runtime],
) -> Response[Any]:
    key = storage_path.removeprefix("/")
    try:
        validate_key(key)  # decoded '..', '%2e%2e', NUL...: refused before any lookup
    except InvalidKeyError:
        raise ApiError(400, "not a valid storage path", code="INVALID_PATH") from None
    query = request.query_params
    signed = "signature" in query or "expires" in query
    if signed:
        # Checked before the lookup, so the answer says nothing about whether the path exists.
        try:
            url_signer(runtime.settings.storage).verify(
                key, query.get("expires", ""), query.get("signature", "")
            )
        except SignatureError as exc:
            raise ApiError(403, str(exc), code="INVALID_SIGNATURE") from None
        principal = None
    else:
        principal = await optional_principal(request)
    found = await _map_of(db_session, key)
    if found is None:
        raise map_not_found()
    if found.visibility == "private" and not signed and not is_owner(principal, found):
        raise map_not_found()
    headers = caching_headers(found, DOWNLOAD_MAX_AGE)
    return await object_response(request, runtime.storage, key, headers, missing=map_not_found())


downloads_router = Router("/", route_handlers=[download], tags=["maps"])
