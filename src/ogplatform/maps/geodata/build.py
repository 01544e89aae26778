"""Build the geodata bundle from the raw Natural Earth files (``python -m ...geodata.build``).

Build-time only: needs shapely and pycountry, which the loader never imports.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import shapely
from shapely.geometry.base import BaseGeometry

from ogplatform.maps.geodata import _sources
from ogplatform.maps.geodata._admin import (
    AdminArea,
    build_admin_areas,
    country_code_of,
    label_points,
)
from ogplatform.maps.geodata._cities import build_cities
from ogplatform.maps.geodata._iso import (
    IsoMatch,
    is_current_code,
    load_overrides,
    match_subdivisions,
)
from ogplatform.maps.geodata._topology import quantize, wrapped_bounds
from ogplatform.maps.geodata._water import build_water
from ogplatform.maps.geodata._writer import BundleWriter
from ogplatform.maps.geodata.model import Location, location_id

__all__ = ["BuildReport", "build_bundle", "main"]

# Natural Earth 50m rows whose ISO_A2 is -99 although the country has a code.
_NE50_CODES = {"FRA": "fr", "NOR": "no", "KOS": "xk"}
_RIVER_FILES = (
    "ne_10m_rivers_lake_centerlines",
    "ne_10m_rivers_europe",
    "ne_10m_rivers_north_america",
)
_LAKE_FILES = ("ne_10m_lakes", "ne_10m_lakes_europe", "ne_10m_lakes_north_america")


@dataclass
class BuildReport:
    """What a build produced; ``str(report)`` is the text the CLI prints."""

    countries: int = 0
    subdivisions: int = 0
    cities: int = 0
    rivers: int = 0
    lakes: int = 0
    units_total: int = 0  # admin-1 units in the source (in the filtered countries)
    units_coded: int = 0  # of those, units that got an ISO 3166-2 code (merged ones count)
    former_codes: int = 0  # units coded with a withdrawn ISO code (the data predates a reform)
    subdivisions_coded: int = 0
    uncoded: dict[str, list[str]] = field(default_factory=dict)  # country -> subdivision names
    notes: list[str] = field(default_factory=list)
    files: dict[str, int] = field(default_factory=dict)  # name -> bytes
    seconds: float = 0.0

    @property
    def subdivision_coverage(self) -> float:
        """Share of subdivision records that carry an ISO 3166-2 code."""
        return self.subdivisions_coded / self.subdivisions if self.subdivisions else 1.0

    def __str__(self) -> str:
        lines = [
            f"countries {self.countries}, subdivisions {self.subdivisions}, cities {self.cities},"
            f" rivers {self.rivers}, lakes {self.lakes}",
            f"ISO 3166-2: {self.subdivisions_coded}/{self.subdivisions} subdivisions coded"
            f" ({self.subdivision_coverage:.1%}); source units {self.units_coded}/"
            f"{self.units_total} ({self.former_codes} with a former code)",
            "uncoded subdivisions:",
            *(f"  {cc}: {', '.join(names)}" for cc, names in sorted(self.uncoded.items())),
            *self.notes,
            "files: " + ", ".join(f"{k} {v:,} B" for k, v in sorted(self.files.items())),
            f"total {sum(self.files.values()):,} B in {self.seconds:.1f} s",
        ]
        return "\n".join(lines)


def build_bundle(
    source_dir: Path, out_dir: Path, countries: Sequence[str] | None = None
) -> BuildReport:
    """Derive the bundle from ``source_dir`` into ``out_dir``; ``countries`` limits it (tests)."""
    started = time.perf_counter()
    only = {c.lower() for c in countries} if countries else None
    report = BuildReport()
    units = _sources.read_admin_units(source_dir)
    if only is not None:  # a partial bundle (tests): its borders are simplified without neighbours
        units = [u for u in units if country_code_of(u) in only]
    matches = match_subdivisions(units, load_overrides())
    admin0, admin1 = build_admin_areas(units, matches, only)
    kept = {a.code for a in admin0}
    ne50 = {
        _ne50_code(f.properties): f
        for f in _sources.read_geojson(source_dir, "ne_50m_admin_0_countries")
    }
    admin0 += _countries_only_in_50m(ne50, kept, only)
    admin0.sort(key=lambda a: a.code)
    country_of_a3 = _country_of_a3(units, ne50, {a.code for a in admin0})

    locations = _country_locations(source_dir, admin0, admin1, ne50, country_of_a3, units)
    locations += _subdivision_locations(source_dir, admin1)
    cities, skipped = build_cities(
        _sources.read_geojson(source_dir, "ne_10m_populated_places"), admin0, admin1, country_of_a3
    )
    locations += [_city_location(c) for c in cities]

    rivers = build_water("river", _read_all(source_dir, _RIVER_FILES), admin0, admin1)
    lakes = build_water("lake", _read_all(source_dir, _LAKE_FILES), admin0, admin1)
    if only is not None:
        rivers = [w for w in rivers if set(w.places) & only]
        lakes = [w for w in lakes if set(w.places) & only]

    aliases = {s.code: s.unit_names for s in admin1} | {c.code: c.aliases for c in cities}
    writer = BundleWriter(locations, aliases)
    for area in admin0:
        writer.add_shapes(f"country/{area.code}", [(area.code, area.geometry, None, None)])
    by_country: dict[str, list[AdminArea]] = defaultdict(list)
    for sub in admin1:
        by_country[sub.country].append(sub)
    for code, subs in sorted(by_country.items()):
        writer.add_shapes(f"subdivisions/{code}", [(s.code, s.geometry, None, None) for s in subs])
    writer.add_features([*rivers, *lakes])
    _add_world_layers(writer, source_dir, ne50, only)
    report.files = writer.write(out_dir)

    _fill_report(report, units, matches, admin0, admin1, cities, rivers, lakes, only)
    if only is None:
        report.notes += [f"skipped city: {s}" for s in skipped]
    report.seconds = time.perf_counter() - started
    return report


def _ne50_code(props: dict[str, object]) -> str:
    a2, a3 = str(props.get("ISO_A2") or ""), str(props.get("ADM0_A3") or "")
    if a3 in _NE50_CODES:
        return _NE50_CODES[a3]
    return a2.lower() if len(a2) == 2 else a3.lower()


def _countries_only_in_50m(
    ne50: dict[str, _sources.SourceFeature], kept: set[str], only: set[str] | None
) -> list[AdminArea]:
    """Countries the GeoPackage lacks (the Vatican): their 50m outline stands in."""
    extra = []
    for code, f in sorted(ne50.items()):
        if code in kept or len(code) != 2 or f.geometry is None or (only and code not in only):
            continue
        extra.append(AdminArea(code, code, code.upper(), "", quantize(f.geometry)))
    return extra


def _country_of_a3(
    units: Sequence[_sources.AdminUnit], ne50: dict[str, _sources.SourceFeature], codes: set[str]
) -> dict[str, str]:
    mapping = {str(f.properties.get("ADM0_A3")): code for code, f in ne50.items() if code in codes}
    for unit in units:
        code = country_code_of(unit)
        if code in codes:
            mapping.setdefault(unit.adm0_a3, code)
    return mapping


def _country_locations(
    source_dir: Path,
    admin0: list[AdminArea],
    admin1: list[AdminArea],
    ne50: dict[str, _sources.SourceFeature],
    country_of_a3: dict[str, str],
    units: Sequence[_sources.AdminUnit],
) -> list[Location]:
    counts = Counter(s.country for s in admin1)
    labels: dict[str, tuple[int, tuple[float, float]]] = {}
    for f in _sources.read_geojson(source_dir, "ne_10m_admin_0_label_points"):
        p = f.properties
        code = country_of_a3.get(str(p.get("sr_adm0_a3")))
        if code is None or f.geometry is None or p.get("sr_su_a3") != p.get("sr_adm0_a3"):
            continue
        rank = int(p.get("scalerank") or 0)
        if code not in labels or rank < labels[code][0]:
            labels[code] = (rank, _sources.point_of(f.geometry))
    admin_names: dict[str, str] = {}
    for unit in units:
        admin_names.setdefault(unit.iso_a2.lower(), unit.admin)
        admin_names.setdefault(unit.adm0_a3.lower(), unit.admin)
    out = []
    for area in admin0:
        props = ne50[area.code].properties if area.code in ne50 else {}
        name = str(props.get("NAME") or admin_names.get(area.code) or area.code.upper())
        label = labels.get(area.code, (0, None))[1] or _surface_point(area.geometry)
        out.append(
            Location(
                id=location_id(area.code),
                code=area.code,
                name=name,
                type="country",
                parent_id=None,
                country_id=location_id(area.code),
                iso_code=area.iso_code,
                bounds=wrapped_bounds(area.geometry),
                label=label,
                rank=int(props["LABELRANK"]) if "LABELRANK" in props else None,
                subdivisions_count=counts.get(area.code, 0),
                long_name=str(props.get("NAME_LONG") or name),
                continent=str(props["CONTINENT"]) if "CONTINENT" in props else None,
            )
        )
    return out


def _subdivision_locations(source_dir: Path, admin1: list[AdminArea]) -> list[Location]:
    points = label_points(
        _sources.read_geojson(source_dir, "ne_10m_admin_1_label_points"), ("iso_a2", "name")
    )
    out = []
    for area in admin1:
        label = next(
            (points[k] for n in area.unit_names if (k := (area.country.upper(), n)) in points),
            None,
        )
        if label is None or not area.geometry.buffer(0.05).contains(shapely.Point(label)):
            label = _surface_point(area.geometry)
        out.append(
            Location(
                id=location_id(area.code),
                code=area.code,
                name=area.name,
                type="subdivision",
                parent_id=location_id(area.country),
                country_id=location_id(area.country),
                iso_code=area.iso_code,
                bounds=wrapped_bounds(area.geometry),
                label=label,
            )
        )
    return out


def _city_location(city: object) -> Location:
    from ogplatform.maps.geodata._cities import City

    assert isinstance(city, City)
    return Location(
        id=location_id(city.code),
        code=city.code,
        name=city.name,
        type="city",
        parent_id=location_id(city.subdivision or city.country),
        country_id=location_id(city.country),
        bounds=city.bounds,
        label=(city.lng, city.lat),
        rank=city.rank,
        population=city.population,
        capital=city.capital,
    )


def _surface_point(geom: BaseGeometry) -> tuple[float, float]:
    """A point inside the largest part (the renderer may refine it to polylabel)."""
    largest = max(shapely.get_parts(geom), key=lambda g: g.area)
    p = largest.point_on_surface()
    return (round(p.x, 4), round(p.y, 4))


def _read_all(source_dir: Path, stems: Sequence[str]) -> list[_sources.SourceFeature]:
    return [f for stem in stems for f in _sources.read_geojson(source_dir, stem)]


def _add_world_layers(
    writer: BundleWriter,
    source_dir: Path,
    ne50: dict[str, _sources.SourceFeature],
    only: set[str] | None,
) -> None:
    """Small-scale context layers (drawing only): 50m countries, lakes and rivers."""
    rows = [
        (code, quantize(f.geometry), None, None)
        for code, f in sorted(ne50.items())
        if f.geometry is not None and (only is None or code in only)
    ]
    writer.add_shapes("world/countries-50m", rows)
    if only is not None:
        return
    for stem, chunk in (
        ("ne_50m_lakes", "world/lakes-50m"),
        ("ne_50m_rivers_lake_centerlines", "world/rivers-50m"),
    ):
        items = []
        for i, f in enumerate(_sources.read_geojson(source_dir, stem)):
            if f.geometry is None:
                continue
            rank = f.properties.get("scalerank")
            name = str(f.properties.get("name") or "") or None
            items.append(
                (
                    str(i),
                    quantize(f.geometry),
                    name,
                    int(rank) if isinstance(rank, int | float) else None,
                )
            )
        writer.add_shapes(chunk, items)


def _fill_report(
    report: BuildReport,
    units: Sequence[_sources.AdminUnit],
    matches: dict[int, IsoMatch],
    admin0: list[AdminArea],
    admin1: list[AdminArea],
    cities: Sequence[object],
    rivers: Sequence[object],
    lakes: Sequence[object],
    only: set[str] | None,
) -> None:
    report.countries, report.subdivisions = len(admin0), len(admin1)
    report.cities, report.rivers, report.lakes = len(cities), len(rivers), len(lakes)
    report.subdivisions_coded = sum(1 for s in admin1 if s.iso_code)
    subdivided = {s.country for s in admin1}
    for unit in units:
        match = matches[unit.fid]
        country = match.code.split("-")[0].lower() if match.code else None
        if only is not None and (country or unit.iso_a2.lower()) not in only:
            continue
        report.units_total += 1
        if match.code:
            report.units_coded += 1
            report.former_codes += not is_current_code(match.code)
    uncoded: dict[str, list[str]] = defaultdict(list)
    for sub in admin1:
        if not sub.iso_code:
            uncoded[sub.country].append(sub.name)
    report.uncoded = dict(uncoded)
    report.notes.append(
        f"{report.countries - len(subdivided)} countries have no subdivision records (one unit in"
        " the data, or no ISO 3166-2 subdivisions)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``--source ../shared/geodata --out src/ogplatform/maps/data``."""
    parser = argparse.ArgumentParser(prog="ogplatform-geodata-build", description=__doc__)
    parser.add_argument("--source", type=Path, required=True, help="folder of the raw files")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the bundle to")
    parser.add_argument("--countries", help="comma-separated country codes (a partial bundle)")
    args = parser.parse_args(argv)
    countries = args.countries.split(",") if args.countries else None
    report = build_bundle(args.source, args.out, countries)
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
