"""The build step: deterministic output from the raw Natural Earth files."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
SOURCE = REPO.parent / "shared" / "geodata"

pytestmark = pytest.mark.skipif(
    not (SOURCE / "qgis_world_map.gpkg.gz").exists(),
    reason=f"raw geodata not found at {SOURCE} (the build test needs ../shared/geodata)",
)


def test_a_partial_build_is_byte_identical_twice(tmp_path: Path) -> None:
    pytest.importorskip("shapely")
    pytest.importorskip("pycountry")
    from ogplatform.maps.geodata.build import build_bundle
    from ogplatform.maps.geodata.loader import LocationIndex

    first, second = tmp_path / "a", tmp_path / "b"
    report = build_bundle(SOURCE, first, ["lu", "li", "ad"])
    build_bundle(SOURCE, second, ["lu", "li", "ad"])
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name

    assert report.countries == 3 and report.subdivisions == 3 + 11 + 7
    assert report.subdivisions_coded == report.subdivisions
    index = LocationIndex.load(first)
    lu = index.get("lu")
    assert lu is not None and lu.subdivisions_count == 3
    assert index.geometry(lu) is not None
