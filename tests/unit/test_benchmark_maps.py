"""The map benchmark still runs (tiny sizes, one run: speed is measured by
`python -m benchmarks maps`, not here). The peer (geopandas + matplotlib) is the `bench` extra,
not a dev dependency: without it the peer test is skipped with the reason, our side still runs."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from benchmarks import maps
from benchmarks.__main__ import main


def test_ours_runs_warm_and_cold_in_quick_mode(tmp_path, capsys):
    """Germany: the quickest case (the United States has about three times the shapes)."""
    results = maps.measure(("de",), quick=True, peer=False, out_dir=tmp_path)
    assert results == []  # no peer, no ratios
    width, height = maps.QUICK_SIZE
    for name in ("de-ours.png", "de-ours-cold.png"):  # in this process, and a fresh one
        with Image.open(tmp_path / name) as image:
            assert image.format == "PNG"
            assert image.size == (width, height)
    out = capsys.readouterr().out
    assert f"Germany {width}x{height} vintage PNG" in out
    assert "ours cold process (ms, its own clock): import" in out


def test_cases_not_renderable_yet_are_named_not_faked(tmp_path, capsys):
    maps.measure(("in", "world"), quick=True, peer=False, cold=0, out_dir=tmp_path)
    out = capsys.readouterr().out
    if maps._pdf_renderer() is None:
        assert "PDF: not available yet" in out
    else:
        assert (tmp_path / "in-ours.pdf").read_bytes().startswith(b"%PDF")
    if maps.Ours().missing(maps.CASES[-1]):
        assert "world map: not available yet" in out


def test_peer_runs_in_quick_mode(tmp_path, capsys):
    reason = maps.peer_missing()
    if reason:
        pytest.skip(f"peer side not measured: {reason}")
    results = maps.measure(("de",), quick=True, out_dir=tmp_path)
    assert [r.subject.split()[-1] for r in results] == ["warm", "cold"]
    assert all(r.subject_us > 0 and r.baseline_us > 0 for r in results)
    for name in ("de-peer.png", "de-peer-cold.png"):
        with Image.open(tmp_path / name) as image:
            assert image.size == maps.QUICK_SIZE
    assert "ratio" in capsys.readouterr().out


def test_peer_projections_are_ours():
    """The PROJ strings the peer reprojects with give our projections' coordinates."""
    pyproj = pytest.importorskip("pyproj", reason="pyproj comes with the bench extra")
    from ogplatform.maps.render import Albers, LambertAzimuthal, TransverseMercator

    lon = np.array([-20.0, -3.0, 0.0, 7.5, 18.0])
    lat = np.array([-10.0, 25.0, 40.0, 52.0, 63.0])
    for proj in (
        Albers(-96.0, 37.5, 29.5, 45.5),
        TransverseMercator(10.4, 51.2),
        LambertAzimuthal(82.8, 21.1),
    ):
        params = proj.params
        lons = lon + proj.lon0
        x, y = proj.forward(lon, lat)
        transformer = pyproj.Transformer.from_crs(
            "EPSG:4326", maps.proj_string(params), always_xy=True
        )
        px, py = transformer.transform(lons, lat)
        np.testing.assert_allclose(px, x * maps.RADIUS, rtol=1e-6, atol=1e-3)
        np.testing.assert_allclose(py, y * maps.RADIUS, rtol=1e-6, atol=1e-3)
    from ogplatform.maps.render import projection

    if hasattr(projection, "EqualEarth"):  # the world map's
        x, y = projection.EqualEarth(0.0, 0.0).forward(lon * 5, lat)
        world = maps.world_spec(maps.Ours().index, maps.CASES[-1], maps.ROOT)["frames"][0]
        transformer = pyproj.Transformer.from_crs("EPSG:4326", world["proj"], always_xy=True)
        px, py = transformer.transform(lon * 5, lat)
        np.testing.assert_allclose(px, x * maps.RADIUS, rtol=1e-6, atol=1e-3)
        np.testing.assert_allclose(py, y * maps.RADIUS, rtol=1e-6, atol=1e-3)


def test_unknown_option_is_refused(capsys):
    assert main(["maps", "--slow"]) == 2
    assert "--quick" in capsys.readouterr().out
