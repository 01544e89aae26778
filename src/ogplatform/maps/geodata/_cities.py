"""Cities from Natural Earth populated places: population >= 50,000 and every capital."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import shapely

from ogplatform.maps.geodata._admin import AdminArea
from ogplatform.maps.geodata._sources import SourceFeature, point_of
from ogplatform.maps.geodata._text import fold, slugify
from ogplatform.maps.geodata.model import Bounds

__all__ = ["City", "build_cities"]

MIN_POPULATION = 50_000
_DEFAULT_HALF_BOX = 0.05  # degrees around the point when NE has no urban extent


@dataclass(slots=True)
class City:
    """A city being built."""

    code: str
    country: str
    subdivision: str | None
    name: str
    aliases: list[str]
    population: int
    rank: int
    capital: bool
    lng: float
    lat: float
    bounds: Bounds


def build_cities(
    places: Sequence[SourceFeature],
    countries: Sequence[AdminArea],
    subdivisions: Sequence[AdminArea],
    country_of_a3: dict[str, str],
) -> tuple[list[City], list[str]]:
    """Cities with codes, country and (where derivable) subdivision; and notes on skipped ones."""
    known = {c.code: c for c in countries}
    subs_by_country: dict[str, list[AdminArea]] = defaultdict(list)
    for sub in subdivisions:
        subs_by_country[sub.country].append(sub)
    cities: list[City] = []
    skipped: list[str] = []
    for f in places:
        p = f.properties
        population = int(p.get("POP_MAX") or 0)
        capital = int(p.get("ADM0CAP") or 0) == 1
        if not isinstance(f.geometry, shapely.Point) or (
            population < MIN_POPULATION and not capital
        ):
            continue
        country = _country(p, country_of_a3, known, f.geometry)
        if country is None:
            skipped.append(f"{p.get('NAME')} ({p.get('ADM0NAME')}): no country in the bundle")
            continue
        lng, lat = point_of(f.geometry)
        region = _subdivision(str(p.get("ADM1NAME") or ""), f.geometry, subs_by_country[country])
        name = str(p.get("NAME") or p.get("NAMEASCII"))
        aliases = [str(p.get(k) or "") for k in ("NAMEASCII", "NAME_EN", "NAMEALT", "NAMEPAR")]
        cities.append(
            City(
                code="",
                country=country,
                subdivision=region,
                name=name,
                aliases=sorted({fold(a) for a in aliases} - {"", fold(name)}),
                population=population,
                rank=int(p.get("SCALERANK") or 0),
                capital=capital,
                lng=lng,
                lat=lat,
                bounds=_extent(p, lng, lat),
            )
        )
    _assign_codes(cities)
    cities.sort(key=lambda c: c.code)
    return cities, skipped


def _country(
    p: dict[str, object],
    country_of_a3: dict[str, str],
    known: dict[str, AdminArea],
    point: shapely.Point,
) -> str | None:
    for candidate in (str(p.get("ISO_A2") or "").lower(), country_of_a3.get(str(p.get("ADM0_A3")))):
        if candidate in known:
            return candidate
    for area in known.values():  # NE's codes say nothing useful: ask the map
        if area.geometry.intersects(point):
            return area.code
    return None


def _subdivision(adm1: str, point: shapely.Point, subs: list[AdminArea]) -> str | None:
    key = fold(adm1)
    named = [s for s in subs if key and key in s.unit_names]
    if len(named) == 1:
        return named[0].code
    inside = [s for s in subs if s.geometry.intersects(point)]
    if len(inside) == 1:
        return inside[0].code
    near = [s for s in subs if s.geometry.distance(point) < 0.05]  # coastal cities, off the line
    return min(near, key=lambda s: (s.geometry.distance(point), s.code)).code if near else None


def _extent(p: dict[str, object], lng: float, lat: float) -> Bounds:
    """NE's urban-area box if sane (holds the point, under 2 degrees), else a small one."""
    box = [p.get(k) for k in ("MIN_BBXMIN", "MAX_BBXMAX", "MIN_BBYMIN", "MAX_BBYMAX")]
    if all(isinstance(v, int | float) for v in box):
        x0, x1, y0, y1 = (float(v) for v in box)  # type: ignore[arg-type]
        if x0 <= lng <= x1 and y0 <= lat <= y1 and 0 < x1 - x0 < 2 and 0 < y1 - y0 < 2:
            return Bounds(round(x0, 4), round(x1, 4), round(y0, 4), round(y1, 4))
    d = _DEFAULT_HALF_BOX
    return Bounds(round(lng - d, 4), round(lng + d, 4), round(lat - d, 4), round(lat + d, 4))


def _assign_codes(cities: list[City]) -> None:
    """``city-<cc>-<slug>``; of namesakes the most populous keeps it, others add their region."""
    groups: dict[str, list[City]] = defaultdict(list)
    for city in cities:
        groups[f"city-{city.country}-{slugify(city.name)}"].append(city)
    used: set[str] = set()
    for base in sorted(groups):
        ranked = sorted(groups[base], key=lambda c: (-c.population, c.lng, c.lat))
        for i, city in enumerate(ranked):
            region = city.subdivision.split("-", 1)[1] if city.subdivision else "x"
            stem = code = base if i == 0 else f"{base}-{region}"
            n = 2
            while code in used:
                code = f"{stem}-{n}"
                n += 1
            city.code = code
            used.add(code)
