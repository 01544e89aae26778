"""The read-only locations API (``/api/v1/locations``): countries, subdivisions, cities, and the
rivers and lakes in them, from the geodata bundle. See docs/locations.md.
"""

from __future__ import annotations

import re
import threading
from typing import Annotated, get_args

from litestar import Response, Router, get
from litestar.params import FromPath, QueryParameter

from ogplatform.errors import ApiError
from ogplatform.maps.auth import require_api_key
from ogplatform.maps.geodata import (
    Feature,
    FeatureType,
    Location,
    LocationIndex,
    LocationType,
    location_id,
)
from ogplatform.maps.geodata._text import fold
from ogplatform.maps.location_schemas import (
    FeatureList,
    LocationList,
    LocationOut,
    details_of,
    feature_of,
    summary_of,
    world_details,
    world_summary,
)

__all__ = [
    "WORLD_CODE",
    "WORLD_ID",
    "location_features",
    "location_index",
    "locations_router",
    "world_features",
]

# The world map's pseudo-location: not in the bundle; its id is derived like every other.
WORLD_CODE = "world"
WORLD_ID = location_id(WORLD_CODE)

# Responses need credentials: neither a shared cache nor the browser may keep them.
_PRIVATE = {"Cache-Control": "private, no-store"}
_OPT = {"ratelimit": "job_status"}  # per-API-key policy of the map API's read endpoints

LOCATION_TYPES: tuple[str, ...] = get_args(LocationType)
LISTED_TYPES = ("world", *LOCATION_TYPES)  # what ?type= takes
FEATURE_TYPES: tuple[str, ...] = get_args(FeatureType)
MAX_LIMIT, DEFAULT_LIMIT = 200, 50
MAX_QUERY_LENGTH = 100
_DIGITS = re.compile(r"[0-9]{1,18}")

LocationTypeQuery = Annotated[
    str | None, QueryParameter(name="type", description="world, country, subdivision or city")
]
FeatureTypeQuery = Annotated[str | None, QueryParameter(name="type", description="river or lake")]

_index: LocationIndex | None = None
_index_lock = threading.Lock()


def location_index() -> LocationIndex:
    """The packaged bundle's index, read on first use (about 0.05 s) and kept for the process."""
    global _index
    if _index is None:
        with _index_lock:
            if _index is None:
                _index = LocationIndex.load()
    return _index


# The handlers are synchronous and run in the thread pool (sync_to_thread=True): the first one
# loads the index, and a search scans every record (up to ~40 ms for a one-letter query),
# neither of which should stall the event loop.


@get(
    "/locations",
    sync_to_thread=True,
    opt=_OPT,
    summary="Find countries, subdivisions and cities",
)
def list_locations(
    kind: LocationTypeQuery = None,
    q: Annotated[
        str | None, QueryParameter(description="Name or alternative name, any case and accents")
    ] = None,
    parent_id: Annotated[
        str | None,
        QueryParameter(description="Id or code: keep this location's subdivisions and cities"),
    ] = None,
    limit: Annotated[str | None, QueryParameter(description="1..200, default 50")] = None,
    offset: Annotated[str | None, QueryParameter(description=">= 0, default 0")] = None,
) -> Response[LocationList]:
    location_type = _choice("type", kind, LISTED_TYPES)
    size = _integer("limit", limit, DEFAULT_LIMIT, 1, MAX_LIMIT)
    start = _integer("offset", offset, 0, 0, None)
    if q is not None and len(q) > MAX_QUERY_LENGTH:
        raise _invalid(f"q must be at most {MAX_QUERY_LENGTH} characters")
    index = location_index()
    parent = _find(index, parent_id) if parent_id else None
    # the world leads the list when asked for by type, or when q starts its name
    world = parent is None and (
        location_type == "world"
        or (location_type is None and bool(q) and WORLD_CODE.startswith(fold(q or "") or "-"))
    )
    found: list[Location] = []
    total = 0
    if location_type != "world":
        found, total = index.search(
            q=q or None,
            type=location_type,  # type: ignore[arg-type]  # checked against LOCATION_TYPES
            parent_id=parent.id if parent else None,
            limit=size if not world or start > 0 else max(size - 1, 0),
            offset=max(start - 1, 0) if world else start,
        )
    summaries = [summary_of(loc) for loc in found]
    if world and start == 0:
        summaries.insert(0, world_summary(WORLD_ID))
    body = LocationList(
        success=True,
        locations=summaries,
        total=total + (1 if world else 0),
        limit=size,
        offset=start,
    )
    return Response(body, headers=_PRIVATE)


@get(
    "/locations/{location_id:str}",
    sync_to_thread=True,
    opt=_OPT,
    summary="One location with its bounds",
)
def get_location(location_id: FromPath[str]) -> Response[LocationOut]:
    if _is_world(location_id):
        details = world_details(WORLD_ID)
    else:
        details = details_of(_find(location_index(), location_id))
    return Response(LocationOut(success=True, location=details), headers=_PRIVATE)


@get(
    "/locations/{location_id:str}/features",
    sync_to_thread=True,
    opt=_OPT,
    summary="Rivers and lakes in a location, most important first",
)
def list_features(
    location_id: FromPath[str],
    kind: FeatureTypeQuery = None,
) -> Response[FeatureList]:
    feature_type = _choice("type", kind, FEATURE_TYPES)
    index = location_index()
    if _is_world(location_id):
        features = world_features(index, feature_type)
    else:
        features = location_features(index, _find(index, location_id), feature_type)
    body = FeatureList(
        success=True, features=[feature_of(f) for f in features], total=len(features)
    )
    return Response(body, headers=_PRIVATE)


def location_features(
    index: LocationIndex, location: Location, feature_type: str | None = None
) -> list[Feature]:
    """The named rivers and lakes a location's features list gives (``type`` river or lake,
    or both), most important first: what a map job's ``selected_features`` may name."""
    return index.features(location, feature_type)  # type: ignore[arg-type]


WORLD_FEATURE_RANK = 4  # the world's features list: Natural Earth scale ranks 0-4 (302 named)


def world_features(index: LocationIndex, feature_type: str | None = None) -> list[Feature]:
    """The rivers and lakes a world map may be asked to show (``selected_features``): the
    great ones, those of scale rank 0-4, most important first."""
    return index.ranked_features(WORLD_FEATURE_RANK, feature_type)  # type: ignore[arg-type]


def _is_world(id_or_code: str) -> bool:
    key = id_or_code.strip().lower()
    return key in (WORLD_CODE, WORLD_ID)


def _find(index: LocationIndex, id_or_code: str) -> Location:
    location = index.get(id_or_code) if len(id_or_code) <= MAX_QUERY_LENGTH else None
    if location is None:
        raise ApiError(404, "Location not found", code="LOCATION_NOT_FOUND")
    return location


def _choice(name: str, value: str | None, allowed: tuple[str, ...]) -> str | None:
    if value is None or value == "":
        return None
    if value not in allowed:
        raise _invalid(f"{name} must be one of: {', '.join(allowed)}")
    return value


def _integer(name: str, value: str | None, default: int, low: int, high: int | None) -> int:
    if value is None or value == "":
        return default
    number = int(value) if _DIGITS.fullmatch(value) else None
    if number is None or number < low or (high is not None and number > high):
        if high is None:
            raise _invalid(f"{name} must be an integer >= {low}")
        raise _invalid(f"{name} must be between {low} and {high}")
    return number


def _invalid(detail: str) -> ApiError:
    return ApiError(400, f"Validation failed: {detail}", code="VALIDATION_FAILED")


locations_router = Router(
    "/api/v1",
    route_handlers=[list_locations, get_location, list_features],
    guards=[require_api_key],
    tags=["locations"],
)
