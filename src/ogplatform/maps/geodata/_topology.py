"""Build-time geometry: coverage simplification, grid quantization, encoding and bounds."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from ogplatform.maps.geodata._codec import encode_rings
from ogplatform.maps.geodata._format import KIND_LINE, KIND_POLYGON, SCALE, EncodedShape
from ogplatform.maps.geodata.model import Bounds

__all__ = [
    "GRID",
    "encode",
    "quantize",
    "simplify_coverage",
    "simplify_lines",
    "wrapped_bounds",
]

GRID = 1.0 / SCALE  # degrees; identical input vertices land on identical grid points


def simplify_coverage(geoms: Sequence[BaseGeometry], tolerance: float) -> list[BaseGeometry]:
    """Simplify polygons that tile the plane together, so shared borders stay shared."""
    simplified = shapely.coverage_simplify(np.asarray(geoms, dtype=object), tolerance)
    return [quantize(g) for g in simplified]


def simplify_lines(geoms: Sequence[BaseGeometry], tolerance: float) -> list[BaseGeometry]:
    """Douglas-Peucker simplification of lines, then quantization."""
    simplified = shapely.simplify(
        np.asarray(geoms, dtype=object), tolerance, preserve_topology=True
    )
    return [quantize(g) for g in simplified]


def quantize(geom: BaseGeometry) -> BaseGeometry:
    """Snap to the grid, keeping polygons valid and dropping collapsed rings and parts."""
    snapped = shapely.set_precision(geom, GRID)
    if snapped.geom_type == "GeometryCollection":  # a polygon that met a line; keep the area
        polys = [g for g in shapely.get_parts(snapped) if g.geom_type.endswith("Polygon")]
        snapped = shapely.union_all(polys) if polys else shapely.Polygon()
    return snapped


def encode(geom: BaseGeometry) -> EncodedShape:
    """Encode a (multi)polygon or (multi)line on the grid."""
    parts: list[list[list[tuple[int, int]]]] = []
    kind = KIND_LINE if "Line" in geom.geom_type else KIND_POLYGON
    for part in shapely.get_parts(geom):
        if part.is_empty:
            continue
        if kind == KIND_LINE:
            parts.append([_grid(part.coords)])
        else:
            rings = [part.exterior, *part.interiors]
            parts.append([_grid(ring.coords) for ring in rings])
    return encode_rings(kind, parts)


def _grid(coords: shapely.coords.CoordinateSequence) -> list[tuple[int, int]]:
    arr = np.rint(np.asarray(coords)[:, :2] * SCALE).astype(np.int64)
    return [(int(x), int(y)) for x, y in arr]


def wrapped_bounds(geom: BaseGeometry) -> Bounds:
    """Bounds that wrap across 180 degrees when that gives the narrower box (Russia, Fiji, USA).

    The longitude spans of the parts are laid on the circle; the box is the complement of the
    widest gap between them. When that gap is the one through 180 the box is the ordinary one.
    """
    parts = [p for p in shapely.get_parts(geom) if not p.is_empty]
    boxes = shapely.bounds(np.asarray(parts, dtype=object))
    min_lat, max_lat = float(boxes[:, 1].min()), float(boxes[:, 3].max())
    spans = sorted((float(b[0]), float(b[2])) for b in boxes)
    merged: list[list[float]] = []
    for lo, hi in spans:
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    # Gaps between consecutive spans, plus the gap that wraps from the last span to the first.
    best_gap = (merged[0][0] + 360.0) - merged[-1][1]
    west, east = merged[0][0], merged[-1][1]
    for (_, hi), (lo, _) in pairwise(merged):
        if lo - hi > best_gap:
            best_gap, west, east = lo - hi, lo, hi
    return Bounds(min_lng=west, max_lng=east, min_lat=min_lat, max_lat=max_lat)
