"""Wire shapes of the locations API (``/api/v1/locations``), built from bundle records."""

from __future__ import annotations

from typing import Literal

import msgspec

from ogplatform.maps.geodata import Bounds, Feature, FeatureType, Location, LocationType

__all__ = [
    "BoundsOut",
    "FeatureList",
    "FeatureOut",
    "LocationDetails",
    "LocationList",
    "LocationOut",
    "LocationSummary",
    "PlaceType",
    "details_of",
    "feature_of",
    "summary_of",
    "world_details",
    "world_summary",
]


class BoundsOut(msgspec.Struct, frozen=True, rename="camel"):
    """Degrees. A box crossing the antimeridian has ``minLng > maxLng`` (Russia: 19.6 .. -169.0)."""

    min_lng: float
    max_lng: float
    min_lat: float
    max_lat: float


# "world": the whole map (``code`` world), which a map job may show; not in the bundle
PlaceType = LocationType | Literal["world"]


class LocationSummary(msgspec.Struct, frozen=True):
    """A location in a list: ``parent_id`` is null for countries (and the world)."""

    id: str
    code: str
    name: str
    type: PlaceType
    parent_id: str | None


class LocationDetails(msgspec.Struct, frozen=True, omit_defaults=True):
    """One location; ``subdivisions_count`` only for countries, ``population`` only for cities."""

    id: str
    code: str
    name: str
    type: PlaceType
    parent_id: str | None
    bounds: BoundsOut
    subdivisions_count: int | None = None
    population: int | None = None


class FeatureOut(msgspec.Struct, frozen=True):
    """A river or lake; ``code`` is what ``selected_features`` takes. ``importance`` is Natural
    Earth's scalerank: 0 is the most important."""

    code: str
    name: str | None
    type: FeatureType
    importance: int


class LocationList(msgspec.Struct, frozen=True):
    success: bool
    locations: list[LocationSummary]
    total: int
    limit: int
    offset: int


class LocationOut(msgspec.Struct, frozen=True):
    success: bool
    location: LocationDetails


class FeatureList(msgspec.Struct, frozen=True):
    success: bool
    features: list[FeatureOut]
    total: int


def summary_of(location: Location) -> LocationSummary:
    return LocationSummary(
        id=location.id,
        code=location.code,
        name=location.name,
        type=location.type,
        parent_id=location.parent_id,
    )


def details_of(location: Location) -> LocationDetails:
    return LocationDetails(
        id=location.id,
        code=location.code,
        name=location.name,
        type=location.type,
        parent_id=location.parent_id,
        bounds=_bounds_of(location.bounds),
        subdivisions_count=location.subdivisions_count if location.type == "country" else None,
        population=location.population if location.type == "city" else None,
    )


def world_summary(world_id: str) -> LocationSummary:
    """The world as a list entry (``type=world``, or a search for its name)."""
    return LocationSummary(id=world_id, code="world", name="World", type="world", parent_id=None)


def world_details(world_id: str) -> LocationDetails:
    """The world: every longitude and latitude."""
    return LocationDetails(
        id=world_id,
        code="world",
        name="World",
        type="world",
        parent_id=None,
        bounds=BoundsOut(-180.0, 180.0, -90.0, 90.0),
    )


def feature_of(feature: Feature) -> FeatureOut:
    assert feature.code is not None  # only named (coded) features are listed
    return FeatureOut(
        code=feature.code, name=feature.name, type=feature.type, importance=feature.scalerank
    )


def _bounds_of(bounds: Bounds) -> BoundsOut:
    return BoundsOut(bounds.min_lng, bounds.max_lng, bounds.min_lat, bounds.max_lat)
