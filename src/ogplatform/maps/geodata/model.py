"""The public records of the geodata bundle: locations, water features, bounds and ids."""

from __future__ import annotations

import uuid
from typing import Literal

import msgspec

__all__ = [
    "NAMESPACE",
    "Bounds",
    "Feature",
    "FeatureType",
    "Location",
    "LocationType",
    "location_id",
]

# Fixed for ever: location ids are uuid5(NAMESPACE, code), the same on every install.
NAMESPACE = uuid.UUID("3b1f8c52-7d4e-5a09-9c61-0f2e8a4b6d17")

LocationType = Literal["country", "subdivision", "city"]
FeatureType = Literal["river", "lake"]


def location_id(code: str) -> str:
    """The stable id of the location with ``code`` ("us", "us-ca", "city-us-new-york")."""
    return str(uuid.uuid5(NAMESPACE, code.lower()))


class Bounds(msgspec.Struct, frozen=True, array_like=True):
    """A longitude/latitude box in degrees.

    Boxes that cross the antimeridian have ``min_lng > max_lng``: Russia is (19.6, -169.0, ...),
    read as "from 19.6 E eastwards across 180 to 169.0 W". Geometry itself is never split or
    shifted; the renderer centres its projection on the box.
    """

    min_lng: float
    max_lng: float
    min_lat: float
    max_lat: float

    @property
    def crosses_antimeridian(self) -> bool:
        """Whether the box runs eastwards across 180 degrees."""
        return self.min_lng > self.max_lng

    @property
    def width(self) -> float:
        """Longitude span in degrees, across the antimeridian if need be."""
        span = self.max_lng - self.min_lng
        return span + 360.0 if span < 0 else span

    @property
    def center(self) -> tuple[float, float]:
        """(lng, lat) of the box centre, in -180..180."""
        lng = self.min_lng + self.width / 2.0
        return ((lng + 180.0) % 360.0 - 180.0, (self.min_lat + self.max_lat) / 2.0)

    def intersects(self, other: Bounds) -> bool:
        """Whether two boxes overlap (antimeridian-aware)."""
        if self.min_lat > other.max_lat or other.min_lat > self.max_lat:
            return False
        return any(a0 <= b1 and b0 <= a1 for a0, a1 in self._spans() for b0, b1 in other._spans())

    def _spans(self) -> tuple[tuple[float, float], ...]:
        if self.crosses_antimeridian:
            return ((self.min_lng, 180.0), (-180.0, self.max_lng))
        return ((self.min_lng, self.max_lng),)


class Location(msgspec.Struct, frozen=True, kw_only=True):
    """A country, an admin-1 subdivision or a city.

    ``parent_id`` is ``None`` for countries, the country for subdivisions, and for cities the
    subdivision when it is known, else the country. ``country_id`` is always the country (a
    country's own id for a country). ``iso_code`` is the ISO 3166-1 alpha-2 or 3166-2 code
    ("US", "US-CA"), or ``None`` for units no ISO code fits (their ``code`` then reads
    "<country>-x-<name>"). ``rank`` is Natural Earth's label rank (lower is more important).
    """

    id: str
    code: str
    name: str
    type: LocationType
    parent_id: str | None
    country_id: str
    iso_code: str | None = None
    bounds: Bounds
    label: tuple[float, float] | None = None  # (lng, lat) where a label should sit
    rank: int | None = None
    population: int | None = None  # cities
    capital: bool = False  # cities: national capital
    subdivisions_count: int | None = None  # countries
    long_name: str | None = None  # countries
    continent: str | None = None  # countries


class Feature(msgspec.Struct, frozen=True, kw_only=True):
    """A river or lake: several Natural Earth segments of one named water body.

    ``code`` ("river-mississippi", "lake-superior") is ``None`` for unnamed features, which are
    kept for drawing only. ``scalerank`` is Natural Earth's importance: 0 is the most important.
    """

    key: int  # position in the bundle's feature table; stable only within one bundle
    code: str | None
    name: str | None
    type: FeatureType
    scalerank: int
    bounds: Bounds
