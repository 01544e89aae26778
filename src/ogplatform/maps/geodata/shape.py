"""A shapely-free geometry: what the loader hands out, convertible to shapely or GeoJSON."""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry

__all__ = ["Shape"]


@dataclass(frozen=True, slots=True)
class Shape:
    """A multipolygon (``kind="polygon"``) or multiline (``kind="line"``) in lng/lat degrees.

    ``parts`` holds, per polygon, its rings (exterior first, then holes) — or, per line, a
    one-element tuple with its path. Each ring is a flat ``array('d')`` ``x0, y0, x1, y1, ...``
    (``numpy.frombuffer(ring).reshape(-1, 2)`` views it without copying).
    """

    kind: Literal["polygon", "line"]
    parts: tuple[tuple[array[float], ...], ...]

    def rings(self) -> Iterator[list[tuple[float, float]]]:
        """Every ring (or line path) as a list of (lng, lat) tuples."""
        for part in self.parts:
            for ring in part:
                yield list(zip(ring[0::2], ring[1::2], strict=True))

    @property
    def num_points(self) -> int:
        """Number of stored vertices."""
        return sum(len(ring) // 2 for part in self.parts for ring in part)

    @property
    def __geo_interface__(self) -> dict[str, Any]:
        """GeoJSON-like mapping (``shapely.geometry.shape(s)`` accepts it)."""
        if self.kind == "polygon":
            return {
                "type": "MultiPolygon",
                "coordinates": [[_pairs(r) for r in part] for part in self.parts],
            }
        return {"type": "MultiLineString", "coordinates": [_pairs(p[0]) for p in self.parts]}

    def to_shapely(self) -> BaseGeometry:
        """The shape as a shapely geometry (needs shapely installed)."""
        import shapely.geometry

        return shapely.geometry.shape(self)


def _pairs(ring: array[float]) -> list[tuple[float, float]]:
    return list(zip(ring[0::2], ring[1::2], strict=True))
