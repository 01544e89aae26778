"""Rivers and lakes: Natural Earth segments grouped into named features with stable codes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from ogplatform.maps.geodata._admin import AdminArea
from ogplatform.maps.geodata._sources import SourceFeature
from ogplatform.maps.geodata._text import slugify
from ogplatform.maps.geodata._topology import quantize, simplify_lines, wrapped_bounds
from ogplatform.maps.geodata.model import Bounds

__all__ = ["WaterFeature", "build_water"]

LINE_TOLERANCE = 0.005  # degrees, Douglas-Peucker
LAKE_TOLERANCE = 0.005
_JOIN_DISTANCE = 0.5  # degrees: same-named segments closer than this are one river


@dataclass(slots=True)
class WaterFeature:
    """A river or lake being built."""

    type: str  # "river" | "lake"
    name: str | None
    code: str | None
    scalerank: int
    geometry: BaseGeometry
    bounds: Bounds
    places: list[str]  # codes of the countries and subdivisions it meets


def build_water(
    kind: str,
    sources: Sequence[SourceFeature],
    countries: Sequence[AdminArea],
    subdivisions: Sequence[AdminArea],
) -> list[WaterFeature]:
    """Group same-named, nearby segments; simplify; code; and note the places each one meets."""
    named: dict[str, list[SourceFeature]] = defaultdict(list)
    unnamed: list[SourceFeature] = []
    for f in sources:
        if f.geometry is None or f.geometry.is_empty:
            continue
        name = str(f.properties.get("name") or "").strip()
        (named[name] if name else unnamed).append(f)
    groups: list[tuple[str | None, list[SourceFeature]]] = []
    for name in sorted(named):
        groups += [(name, g) for g in _cluster(named[name])]
    groups += [(None, [f]) for f in unnamed]
    geoms = [shapely.union_all([f.geometry for f in g]) for _, g in groups]
    if kind == "river":
        merged = [shapely.line_merge(g) if g.geom_type == "MultiLineString" else g for g in geoms]
        geoms = simplify_lines(merged, LINE_TOLERANCE)
    else:
        geoms = [
            quantize(shapely.simplify(g, LAKE_TOLERANCE, preserve_topology=True)) for g in geoms
        ]
    areas = [*countries, *subdivisions]
    tree = shapely.STRtree(np.asarray([a.geometry for a in areas], dtype=object))
    features = []
    for (feature_name, group), geom in zip(groups, geoms, strict=True):
        if geom.is_empty:
            continue
        hits = tree.query(geom, predicate="intersects")
        features.append(
            WaterFeature(
                type=kind,
                name=feature_name,
                code=None,
                scalerank=min(_rank(f) for f in group),
                geometry=geom,
                bounds=wrapped_bounds(geom),
                places=sorted(areas[i].code for i in hits),
            )
        )
    _assign_codes(features, countries)
    features.sort(key=lambda w: (w.code is None, w.code or "", w.bounds.min_lng, w.bounds.min_lat))
    return features


def _rank(f: SourceFeature) -> int:
    value = f.properties.get("scalerank")
    return int(value) if isinstance(value, int | float) else 12


def _cluster(features: list[SourceFeature]) -> list[list[SourceFeature]]:
    """Split same-named segments into groups of ones near each other (union-find on boxes)."""
    boxes = [f.geometry.bounds for f in features if f.geometry is not None]
    parent = list(range(len(features)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    d = _JOIN_DISTANCE
    for i, a in enumerate(boxes):
        for j in range(i):
            b = boxes[j]
            if a[0] - d <= b[2] and b[0] - d <= a[2] and a[1] - d <= b[3] and b[1] - d <= a[3]:
                parent[find(i)] = find(j)
    clusters: dict[int, list[SourceFeature]] = defaultdict(list)
    for i, f in enumerate(features):
        clusters[find(i)].append(f)
    return list(clusters.values())


def _assign_codes(features: list[WaterFeature], countries: Sequence[AdminArea]) -> None:
    """``<type>-<slug>``; of namesakes the most important (then longest) keeps it, others add
    the country they mostly lie in, then a number."""
    country_codes = {c.code for c in countries}
    groups: dict[str, list[WaterFeature]] = defaultdict(list)
    for w in features:
        slug = _slug(w.type, w.name or "")
        if slug:
            groups[f"{w.type}-{slug}"].append(w)
    used: set[str] = set()
    for base in sorted(groups):
        ranked = sorted(
            groups[base], key=lambda w: (w.scalerank, -w.geometry.length, w.bounds.min_lng)
        )
        for i, w in enumerate(ranked):
            home = next((p for p in w.places if p in country_codes), "x")
            stem = code = base if i == 0 else f"{base}-{home}"
            n = 2
            while code in used:
                code = f"{stem}-{n}"
                n += 1
            w.code = code
            used.add(code)


def _slug(kind: str, name: str) -> str:
    """Slug without the feature word itself: "Lake Superior" -> "superior" (code lake-superior)."""
    words = slugify(name).split("-")
    if len(words) > 1 and words[0] == kind:
        words = words[1:]
    elif len(words) > 1 and words[-1] == kind:
        words = words[:-1]
    return "-".join(w for w in words if w)
