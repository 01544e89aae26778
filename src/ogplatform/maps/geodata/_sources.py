"""Readers for the raw Natural Earth files in ``shared/geodata`` (build time only)."""

from __future__ import annotations

import gzip
import json
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

__all__ = ["AdminUnit", "SourceFeature", "point_of", "read_admin_units", "read_geojson"]

GPKG_FILE = "qgis_world_map.gpkg.gz"

# GeoPackage envelope sizes in bytes, by the envelope indicator in flag bits 1-3.
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


@dataclass(frozen=True, slots=True)
class AdminUnit:
    """One admin-1 unit of the GeoPackage ``states_provinces`` layer."""

    fid: int
    iso_a2: str  # "-1" for units of no ISO country (Somaliland, Spratly Is., ...)
    adm0_a3: str
    admin: str
    name: str
    fips: str
    woe_name: str
    gn_name: str
    woe_label: str
    geometry: BaseGeometry


@dataclass(frozen=True, slots=True)
class SourceFeature:
    """A GeoJSON feature: its properties and its shapely geometry (``None`` if it has none)."""

    properties: dict[str, Any]
    geometry: BaseGeometry | None


def point_of(geom: BaseGeometry) -> tuple[float, float]:
    """(lng, lat) of a point geometry, rounded to the bundle's 1e-4 degree grid."""
    x, y = shapely.get_coordinates(geom)[0]
    return (round(float(x), 4), round(float(y), 4))


def gpkg_geometry(blob: bytes) -> BaseGeometry:
    """Decode a GeoPackage geometry blob: strip the 'GP' header and envelope, read the WKB."""
    if blob[:2] != b"GP":
        raise ValueError("not a GeoPackage geometry blob")
    envelope = (blob[3] >> 1) & 0b111
    return shapely.from_wkb(blob[8 + _ENVELOPE_BYTES[envelope] :])


def read_admin_units(source_dir: Path) -> list[AdminUnit]:
    """All admin-1 units of the GeoPackage, in file order (``fid``)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "world.gpkg"
        with gzip.open(source_dir / GPKG_FILE) as src, path.open("wb") as dst:
            shutil.copyfileobj(src, dst)
        con = sqlite3.connect(path)
        try:
            rows = con.execute(
                "SELECT fid, iso_a2, adm0_a3, admin, name, fips, woe_name, gn_name, woe_label,"
                " geom FROM states_provinces ORDER BY fid"
            ).fetchall()
        finally:
            con.close()
    return [
        AdminUnit(
            fid=row[0],
            iso_a2=row[1] or "-1",
            adm0_a3=row[2] or "",
            admin=row[3] or "",
            name=row[4] or "",
            fips=row[5] or "",
            woe_name=row[6] or "",
            gn_name=row[7] or "",
            woe_label=row[8] or "",
            geometry=gpkg_geometry(row[9]),
        )
        for row in rows
    ]


def read_geojson(source_dir: Path, stem: str) -> list[SourceFeature]:
    """Features of ``<stem>.geojson.gz``, in file order."""
    with gzip.open(source_dir / f"{stem}.geojson.gz", "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    return list(_features(data))


def _features(data: dict[str, Any]) -> Iterator[SourceFeature]:
    for feature in data["features"]:
        geometry = feature.get("geometry")
        shape = shapely.geometry.shape(geometry) if geometry else None
        yield SourceFeature(properties=feature.get("properties") or {}, geometry=shape)
