"""ISO 3166-2 codes for Natural Earth admin-1 units, matched by name against pycountry (build time).

Matching runs per country: explicit overrides first (``iso_overrides.csv``), then exact matches of
accent-free names, then generic-word-stripped names, then close spellings (difflib). Every code is
given to at most one unit, except through an override, which may give several units one code (the
build then merges them: Norway's 2020 counties, India's Dadra and Nagar Haveli and Daman and Diu).
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import pycountry

from ogplatform.maps.geodata._sources import AdminUnit
from ogplatform.maps.geodata._text import fold

__all__ = [
    "IsoMatch",
    "Override",
    "is_current_code",
    "iso_subdivisions",
    "load_overrides",
    "match_subdivisions",
]

OVERRIDES_FILE = Path(__file__).with_name("iso_overrides.csv")

# Scores: the unit's own name beats its alternative names (woe_name, gn_name), an exact name beats
# a generic-word-stripped one, and both beat a close spelling.
_EXACT, _ALT_EXACT, _STRIPPED, _ALT_STRIPPED, _FUZZY_WEIGHT = 1.0, 0.99, 0.97, 0.96, 0.95
# Close spellings below this are left to the override table; chosen by reading the matches.
FUZZY_THRESHOLD = 0.84

# Generic words (folded) that names carry in one source but not the other.
_GENERIC = {
    "state", "province", "provincia", "provincie", "region", "regiao", "prefecture",
    "governorate", "gouvernorat", "department", "departement", "departamento", "district",
    "county", "municipality", "municipio", "oblast", "oblasti", "kray", "krai", "respublika",
    "republic", "autonomous", "avtonomnyy", "avtonomnaya", "okrug", "division", "parish",
    "territory", "canton", "emirate", "voivodeship", "wilaya", "wilayah", "estado", "regione",
    "land", "fylke", "lan", "laen", "kraj", "zupanija", "ken", "sheng", "zizhiqu", "novads",
    "apskritis", "maakond", "rayon", "raion", "muhafazat", "mintaqat", "viloyati", "vilayati",
    "velayati", "ostan", "atoll", "of", "the", "de", "del", "do", "da", "la", "le", "les", "el",
    "al", "an", "ar", "as", "ash", "ad", "at", "az", "metropolitan", "capital", "special",
    "administrative", "sar", "shi", "obcina", "opstina", "opcina", "mkhare", "qarku",
    "bundesland", "comunidad", "autonoma", "comarca", "departemen", "provinsi",
    "daerah", "istimewa", "khet", "changwat", "tinh", "thanh", "pho", "mohafazat", "vilayat",
}  # fmt: skip

_BRACKETS = re.compile(r"\[[^\]]*\]")
_PARENS = re.compile(r"\(([^)]*)\)")


_Keys = tuple[set[str], set[str]]  # folded names, and the same with generic words stripped


@dataclass(frozen=True, slots=True)
class _UnitKeys:
    own: _Keys  # from the unit's name
    alt: _Keys  # from woe_name, gn_name, woe_label


@dataclass(frozen=True, slots=True)
class Override:
    """One row of ``iso_overrides.csv``: give unit ``name`` (of NE country ``country``) ``code``."""

    country: str  # the unit's iso_a2 in the GeoPackage ("-1" for none)
    name: str
    hint: str  # only to tell apart units of the same name (their fips or gn_name); "" = any
    code: str  # an ISO 3166-2 code, or "" for "knowingly left without a code"
    note: str


@dataclass(frozen=True, slots=True)
class IsoMatch:
    """The code found for one unit and how it was found."""

    code: str | None
    method: str  # "override", "exact", "stripped", "fuzzy", "none"
    score: float


def iso_subdivisions(country: str) -> list[Any]:
    """pycountry's ISO 3166-2 subdivisions of a country (alpha-2, any case)."""
    found = pycountry.subdivisions.get(country_code=country.upper())  # type: ignore[no-untyped-call]
    return list(found or [])


def is_current_code(code: str) -> bool:
    """Whether ``code`` is an ISO 3166-2 code in force (not a withdrawn one)."""
    return pycountry.subdivisions.get(code=code.upper()) is not None  # type: ignore[no-untyped-call]


def load_overrides(path: Path = OVERRIDES_FILE) -> list[Override]:
    """Read the override table (comment lines start with ``#``)."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = csv.DictReader(line for line in fh if not line.startswith("#"))
        return [
            Override(
                country=row["country"].strip(),
                name=row["name"].strip(),
                hint=row["hint"].strip(),
                code=row["code"].strip().upper(),
                note=row["note"].strip(),
            )
            for row in rows
        ]


def match_subdivisions(
    units: Sequence[AdminUnit], overrides: Iterable[Override] = ()
) -> dict[int, IsoMatch]:
    """Find an ISO 3166-2 code for each unit; returns ``{unit.fid: IsoMatch}``."""
    by_country: dict[str, list[AdminUnit]] = defaultdict(list)
    for unit in units:
        by_country[unit.iso_a2].append(unit)
    table = _override_index(overrides)
    result: dict[int, IsoMatch] = {}
    for country in sorted(by_country):
        result.update(_match_country(country, by_country[country], table))
    return result


def _override_index(overrides: Iterable[Override]) -> dict[tuple[str, str], list[Override]]:
    index: dict[tuple[str, str], list[Override]] = defaultdict(list)
    for row in overrides:
        index[row.country, row.name].append(row)
    return index


def _find_override(
    unit: AdminUnit, table: dict[tuple[str, str], list[Override]]
) -> Override | None:
    for row in table.get((unit.iso_a2, unit.name), []):
        if not row.hint or row.hint in (unit.fips, unit.gn_name):
            return row
    return None


def _match_country(
    country: str, units: list[AdminUnit], table: dict[tuple[str, str], list[Override]]
) -> dict[int, IsoMatch]:
    candidates = iso_subdivisions(country)
    result: dict[int, IsoMatch] = {}
    by_override: set[str] = set()
    pending: list[AdminUnit] = []
    for unit in units:
        row = _find_override(unit, table)
        if row is None:
            pending.append(unit)
            continue
        result[unit.fid] = IsoMatch(row.code or None, "override", 1.0)
        if row.code:
            by_override.add(row.code)
    unit_keys = {u.fid: _unit_keys(u) for u in pending}
    cand_keys = {c.code: _candidate_keys(c.name) for c in candidates}
    preferred = _preferred_type(pending, candidates, unit_keys, cand_keys)
    scored: list[tuple[float, int, str, str]] = []
    for unit in pending:
        for cand in candidates:
            score, method = _score(unit_keys[unit.fid], cand_keys[cand.code])
            if score >= FUZZY_THRESHOLD:
                bonus = 0.001 if cand.type == preferred else 0.0
                scored.append((score + bonus, unit.fid, cand.code, method))
    scored.sort(key=lambda t: (-t[0], t[1], t[2]))
    taken: set[str] = set()
    for score, fid, code, method in scored:
        if fid in result or code in taken:
            continue
        # A code an override gave away still goes to the unit of that very name (the build
        # merges the two); a mere close spelling must not join them.
        if code in by_override and method == "fuzzy":
            continue
        result[fid] = IsoMatch(code, method, round(score, 3))
        taken.add(code)
    for unit in pending:
        result.setdefault(unit.fid, IsoMatch(None, "none", 0.0))
    return result


def _preferred_type(
    units: list[AdminUnit],
    candidates: list[Any],
    unit_keys: dict[int, _UnitKeys],
    cand_keys: dict[str, _Keys],
) -> str | None:
    """The subdivision type most units match exactly (departments, not regions, for France)."""
    counts: Counter[str] = Counter()
    for unit in units:
        for cand in candidates:
            if unit_keys[unit.fid].own[0] & cand_keys[cand.code][0]:
                counts[cand.type] += 1
    return min(counts, key=lambda t: (-counts[t], t)) if counts else None


def _score(unit: _UnitKeys, cand: _Keys) -> tuple[float, str]:
    if unit.own[0] & cand[0]:
        return _EXACT, "exact"
    if unit.alt[0] & cand[0]:
        return _ALT_EXACT, "exact"
    if unit.own[1] & cand[1]:
        return _STRIPPED, "stripped"
    if unit.alt[1] & cand[1]:
        return _ALT_STRIPPED, "stripped"
    best = 0.0
    for a in unit.own[1] | unit.alt[1]:
        for b in cand[1]:
            matcher = SequenceMatcher(None, a, b)
            if matcher.real_quick_ratio() * _FUZZY_WEIGHT >= FUZZY_THRESHOLD:
                best = max(best, matcher.ratio())
    return best * _FUZZY_WEIGHT, "fuzzy"


def _unit_keys(unit: AdminUnit) -> _UnitKeys:
    alt = [unit.woe_name, unit.gn_name, unit.woe_label.split(",")[0]]
    return _UnitKeys(own=_keys([unit.name]), alt=_keys(alt))


def _candidate_keys(name: str) -> _Keys:
    name = _BRACKETS.sub("", name)
    names = [name, _PARENS.sub("", name), *_PARENS.findall(name)]
    for part in name.split("/"):
        names.append(part)
        head, _, tail = part.partition(",")  # "Dagestan, Respublika"
        names += [head, f"{tail} {head}"]
    return _keys(names)


def _keys(names: Iterable[str]) -> _Keys:
    """Folded names and their generic-word-stripped forms (empty strings dropped)."""
    full = {fold(n) for n in names if n}
    full.discard("")
    stripped = {" ".join(w for w in key.split() if w not in _GENERIC) for key in full}
    stripped.discard("")
    return full, stripped
