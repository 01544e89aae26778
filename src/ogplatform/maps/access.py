"""Who may see and change a map: the rules every map route and download shares.

Public and unlisted maps are readable by anyone; a private map only by a key of its project or
the operator's admin token, and it is a 404 to everyone else, so its existence does not leak.
Changing or deleting a map takes a key of its project (or the admin token): another project's
key gets the same 404 whatever the visibility.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request
from sqlmodel.ext.asyncio.session import AsyncSession

from ogplatform.db.models import Map
from ogplatform.errors import ApiError
from ogplatform.maps.auth import Principal, authenticate, optional_principal

__all__ = [
    "VISIBILITIES",
    "caching_headers",
    "is_owner",
    "map_not_found",
    "owned_map",
    "parse_map_id",
    "readable_map",
    "surrogate_keys",
]

VISIBILITIES = ("public", "unlisted", "private")
NO_STORE = "private, no-store"


def parse_map_id(map_id: str) -> str:
    """The canonical form of a map id, or 422 when it is not a UUID."""
    try:
        return str(uuid.UUID(map_id))
    except ValueError:
        raise ApiError(422, "map_id must be a UUID", code="VALIDATION_ERROR") from None


def map_not_found() -> ApiError:
    return ApiError(404, "Map not found", code="MAP_NOT_FOUND")


def is_owner(principal: Principal | None, found: Map) -> bool:
    """A key of the map's project, or the operator (whose principal has no project)."""
    return principal is not None and principal.project_id in (None, found.project_id)


async def readable_map(request: Request[Any, Any, Any], session: AsyncSession, map_id: str) -> Map:
    """The map if the caller may read it; 404 otherwise (401 for a presented but bad key)."""
    key = parse_map_id(map_id)
    principal = await optional_principal(request)
    found = await session.get(Map, key)
    if found is None or (found.visibility == "private" and not is_owner(principal, found)):
        raise map_not_found()
    return found


async def owned_map(request: Request[Any, Any, Any], session: AsyncSession, map_id: str) -> Map:
    """The map if the caller may change it: 401 without a valid key, 404 for anyone else's."""
    principal = await authenticate(request)
    found = await session.get(Map, parse_map_id(map_id))
    if found is None or not is_owner(principal, found):
        raise map_not_found()
    return found


def surrogate_keys(map_id: str) -> list[str]:
    """The purge tags of everything served for a map ("map" is the family, for purge --all)."""
    return ["map", f"map-{map_id}"]


def caching_headers(found: Map, max_age: int) -> dict[str, str]:
    """Cache-Control and purge tags: public maps are shared-cacheable, private ones never."""
    if found.visibility == "private":
        return {"Cache-Control": NO_STORE, "X-Robots-Tag": "noindex"}
    tags = surrogate_keys(found.id)
    headers = {
        "Cache-Control": f"public, max-age={max_age}",
        # Purge handles for CDNs: Varnish xkey and Fastly read Surrogate-Key, Cloudflare Cache-Tag.
        "Surrogate-Key": " ".join(tags),
        "Cache-Tag": ",".join(tags),
        "Vary": "Authorization",
    }
    if found.visibility == "unlisted":
        headers["X-Robots-Tag"] = "noindex"  # reachable by link, not meant to be found
    return headers
