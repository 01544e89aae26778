"""Countries and admin-1 subdivisions from the GeoPackage, with codes, names and label points."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import shapely
from shapely.geometry.base import BaseGeometry

from ogplatform.maps.geodata._iso import IsoMatch, iso_subdivisions
from ogplatform.maps.geodata._sources import AdminUnit, SourceFeature, point_of
from ogplatform.maps.geodata._text import fold, slugify
from ogplatform.maps.geodata._topology import quantize, simplify_coverage

__all__ = ["AdminArea", "build_admin_areas", "country_code_of"]

# Natural Earth units of no ISO 3166-1 country keep their own entity, coded by ADM0_A3.
# Christmas Island and the Cocos (Keeling) Islands do have alpha-2 codes of their own.
_NON_ISO_UNITS = {"Christmas Island": "cx", "Cocos (Keeling) Islands": "cc"}

# Coverage tolerance in degrees (square root of the largest triangle area Visvalingam-Whyatt
# removes). The source is already generalised; this trims redundant vertices, not shape.
ADMIN_TOLERANCE = 0.005


@dataclass(slots=True)
class AdminArea:
    """A country or subdivision being built: code, names, merged geometry and source units."""

    code: str
    country: str
    iso_code: str | None
    name: str
    geometry: BaseGeometry
    unit_names: list[str] = field(default_factory=list)  # folded NE names, to match cities


def country_code_of(unit: AdminUnit) -> str:
    """The country code a unit belongs to: its ISO alpha-2 or, for none, its ADM0_A3."""
    if unit.iso_a2 not in ("-1", "-99", ""):
        return unit.iso_a2.lower()
    return _NON_ISO_UNITS.get(unit.name, unit.adm0_a3.lower())


def build_admin_areas(
    units: Sequence[AdminUnit], matches: dict[int, IsoMatch], country_filter: set[str] | None
) -> tuple[list[AdminArea], list[AdminArea]]:
    """Simplify the admin-1 coverage and merge it into subdivisions and countries.

    A unit's country is its code's prefix (so ISO's view decides: Crimea is coded UA-43);
    countries are the union of their units, so country and subdivision borders coincide.
    Subdivisions exist only where ISO 3166-2 subdivides the country and the data has more than
    one unit; elsewhere (Monaco, Hong Kong) the country is the smallest location.
    """
    geoms = simplify_coverage([u.geometry for u in units], ADMIN_TOLERANCE)
    by_country: dict[str, list[int]] = defaultdict(list)
    for i, unit in enumerate(units):
        code = matches[unit.fid].code
        country = code.split("-")[0].lower() if code else country_code_of(unit)
        by_country[country].append(i)
    countries: list[AdminArea] = []
    subdivisions: list[AdminArea] = []
    for country in sorted(by_country):
        if country_filter is not None and country not in country_filter:
            continue
        members = [i for i in by_country[country] if not geoms[i].is_empty]
        countries.append(
            AdminArea(
                code=country,
                country=country,
                iso_code=country.upper() if len(country) == 2 else None,
                name="",
                geometry=quantize(shapely.union_all([geoms[i] for i in members])),
            )
        )
        if len(members) > 1 and iso_subdivisions(country):
            subdivisions += _subdivisions(
                country, [units[i] for i in members], members, geoms, matches
            )
    return countries, subdivisions


def _subdivisions(
    country: str,
    units: list[AdminUnit],
    members: list[int],
    geoms: list[BaseGeometry],
    matches: dict[int, IsoMatch],
) -> list[AdminArea]:
    groups: dict[str, list[tuple[AdminUnit, int]]] = defaultdict(list)
    for unit, i in zip(units, members, strict=True):
        code = matches[unit.fid].code
        key = code.lower() if code else f"{country}-x-{slugify(_display_name(unit))}"
        while not code and key in groups:  # two uncoded units of one name: keep both, apart
            key += "-2"
        groups[key].append((unit, i))
    areas = []
    for key, group in sorted(groups.items()):
        code = matches[group[0][0].fid].code
        # One unit keeps its Natural Earth name (English-friendly); a merged group takes ISO's.
        name = _display_name(group[0][0]) if len(group) == 1 else (_iso_name(code or "") or key)
        parts = [geoms[i] for _, i in group]
        aliases = {fold(n) for unit, _ in group for n in (unit.name, unit.woe_name, unit.gn_name)}
        if code:
            aliases.add(fold(_iso_name(code) or ""))
        areas.append(
            AdminArea(
                code=key,
                country=country,
                iso_code=code,
                name=name,
                geometry=parts[0] if len(parts) == 1 else quantize(shapely.union_all(parts)),
                unit_names=sorted(aliases - {""}),
            )
        )
    return areas


def _display_name(unit: AdminUnit) -> str:
    return unit.name or unit.woe_name or unit.gn_name or f"unit {unit.fid}"


def _iso_name(code: str) -> str | None:
    """A display name for a coded subdivision: ISO's name, without bracketed notes."""
    sub = next((s for s in iso_subdivisions(code[:2]) if s.code == code.upper()), None)
    if sub is None:
        return None
    return str(sub.name).split(" [")[0].split(" (")[0].strip()


def label_points(
    features: Sequence[SourceFeature], key_fields: tuple[str, str]
) -> dict[tuple[str, str], tuple[float, float]]:
    """(country field, folded name field) -> (lng, lat) from a Natural Earth label-point layer."""
    points: dict[tuple[str, str], tuple[float, float]] = {}
    country_field, name_field = key_fields
    for f in features:
        if f.geometry is None:
            continue
        key = (
            str(f.properties.get(country_field) or ""),
            fold(str(f.properties.get(name_field) or "")),
        )
        points.setdefault(key, point_of(f.geometry))
    return points
