"""City maps, the world map (Equal Earth), highlight objects and leader lines."""

from __future__ import annotations

import io
import itertools
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from geo_support import loc
from PIL import Image

from ogplatform.maps.geodata import LocationIndex
from ogplatform.maps.render import (
    THEMES,
    EqualEarth,
    MapLayout,
    UnknownSubdivisionError,
    render_png,
    render_svg,
    render_world_png,
    render_world_svg,
)

SVG = "{http://www.w3.org/2000/svg}"


def texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def rgb(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def count_colour(px: np.ndarray, hex_colour: str, tol: int = 3) -> int:
    want = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)])
    return int(np.all(np.abs(px - want) <= tol, axis=2).sum())


def no_overlaps(layout: MapLayout) -> None:
    for lab in layout.labels:
        x0, y0, x1, y1 = lab.box
        assert 0 <= x0 < x1 <= layout.width and 0 <= y0 < y1 <= layout.height, lab
    for a, b in itertools.combinations(layout.labels, 2):
        for ba in a.boxes or (a.box,):
            for bb in b.boxes or (b.box,):
                overlap = ba[0] < bb[2] and bb[0] < ba[2] and ba[1] < bb[3] and bb[1] < ba[3]
                assert not overlap, (a.text, b.text)


# -- city maps ---------------------------------------------------------------------------


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_city_map_every_theme(index: LocationIndex, theme: str) -> None:
    paris = loc(index, "city-fr-paris")
    png, layout = render_png(index, paris, width=480, height=320, theme=theme)
    assert Image.open(io.BytesIO(png)).size == (480, 320)
    assert layout.city == "city-fr-paris"
    result = render_svg(index, paris, width=480, height=320, theme=theme)
    assert "Paris" in texts(result.svg)
    no_overlaps(result.layout)


def test_city_map_marker_label_and_context(index: LocationIndex) -> None:
    chicago = loc(index, "city-us-chicago")
    result = render_svg(index, chicago, width=900, height=600, show_features=True)
    layout = result.layout
    assert layout.projection["name"] == "lambert_azimuthal"
    assert layout.projection["lon0"] == pytest.approx(chicago.label[0], abs=1e-3)  # type: ignore[index]
    root = ET.fromstring(result.svg)
    marker = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "marker")
    circles = list(marker.iter(f"{SVG}circle"))
    cx, cy = float(circles[0].get("cx", "-1")), float(circles[0].get("cy", "-1"))
    assert 0 < cx < 900 and 0 < cy < 600
    assert (cx, cy) == pytest.approx((450, 300), abs=1)
    main = next(lab for lab in layout.labels if lab.kind == "subject_city")
    assert main.text == "Chicago"
    # the main label sits next to the marker and is the largest text on the map
    assert max(lab.font_size for lab in layout.labels) == main.font_size
    assert abs((main.box[1] + main.box[3]) / 2 - cy) < 40
    kinds = {lab.kind for lab in layout.labels}
    assert "city" in kinds  # nearby cities as context
    assert "ILLINOIS" in {lab.text for lab in layout.labels}  # the city's subdivision
    assert 'class="scale-bar"' in result.svg
    assert 'id="lakes"' in result.svg  # Lake Michigan
    no_overlaps(layout)


def test_city_extent_grows_with_population(index: LocationIndex) -> None:
    def px_per_km(code: str) -> float:
        layout = render_svg(index, loc(index, code), width=800, height=500).layout
        return layout.fit.scale / 6371.0

    big, small = px_per_km("city-jp-tokyo"), px_per_km("city-de-munich")
    assert big < small  # Tokyo's map covers more ground at the same size
    assert 800 / big <= 321 and 800 / small >= 139  # 140..320 km across


def test_city_highlight_of_its_subdivision(index: LocationIndex) -> None:
    png, layout = render_png(
        index,
        loc(index, "city-de-munich"),
        width=600,
        height=400,
        highlight=[{"code": "de-by", "color": "#12ab34"}],
        show_features=False,
    )
    assert layout.highlighted == ("de-by",)
    assert count_colour(rgb(png), "#12ab34") > 5000


# -- highlight objects -------------------------------------------------------------------


def test_highlight_objects_colour_and_label(index: LocationIndex) -> None:
    png, layout = render_png(
        index,
        loc(index, "us"),
        width=1000,
        height=640,
        show_features=False,
        highlight=[
            {"code": "us-tx", "color": "#2a9d8f", "label": "Lone Star"},
            "US-CA",
            {"id": loc(index, "us-ny").id},
        ],
    )
    px = rgb(png)
    assert count_colour(px, "#2a9d8f") > 2000  # Texas in its own colour
    assert count_colour(px, THEMES["modern"].palette["highlight"]) > 2000  # CA, NY: theme
    labels = {lab.text: lab for lab in layout.labels}
    assert "Lone Star" in labels and labels["Lone Star"].kind == "highlight"
    assert "TEXAS" not in labels
    assert layout.highlighted == ("us-ca", "us-ny", "us-tx")


def test_highlight_label_is_escaped(index: LocationIndex) -> None:
    evil = '<script>alert("x")</script> & co'
    result = render_svg(
        index,
        loc(index, "de"),
        width=900,
        height=600,
        show_features=False,
        highlight=[{"code": "de-by", "label": evil}],
    )
    assert "<script" not in result.svg
    assert "&lt;script&gt;" in result.svg
    root = ET.fromstring(result.svg)  # still well-formed
    assert not any(el.tag.endswith("script") for el in root.iter())
    assert evil in texts(result.svg)


def test_highlight_monochrome_hatches_and_custom_colour_wins(index: LocationIndex) -> None:
    result = render_svg(
        index,
        loc(index, "de"),
        width=600,
        height=400,
        theme="monochrome",
        show_features=False,
        highlight=["de-be", {"code": "de-by", "color": "#000080"}],
    )
    assert 'fill="url(#hatch)"' in result.svg and 'fill="#000080"' in result.svg


def test_bad_highlights(index: LocationIndex) -> None:
    us = loc(index, "us")
    with pytest.raises(UnknownSubdivisionError, match="us-zz"):
        render_svg(index, us, highlight=[{"code": "us-zz", "color": "#fff"}])
    with pytest.raises(ValueError, match="color"):
        render_svg(index, us, highlight=[{"code": "us-tx", "color": 'red" onload="x'}])
    with pytest.raises(ValueError, match="id or code"):
        render_svg(index, us, highlight=[{"color": "#fff"}])
    with pytest.raises(UnknownSubdivisionError, match="zz"):
        render_world_svg(index, highlight=["zz"])


# -- leader lines ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected"), [("us", {"RI", "DE"}), ("in", {"DL", "LD"}), ("de", set())]
)
def test_leader_lines_for_the_smallest_units(
    index: LocationIndex, code: str, expected: set[str]
) -> None:
    result = render_svg(index, loc(index, code), width=1000, height=640, show_features=False)
    layout = result.layout
    led = {lab.text: lab for lab in layout.labels if lab.leader is not None}
    assert expected <= set(led)
    for lab in led.values():
        x0, y0, x1, y1 = lab.box
        assert x0 >= 0 and x1 <= layout.width and y0 >= 0 and y1 <= layout.height
        ex, ey, ux, uy = lab.leader  # type: ignore[misc]
        # the line starts on the label's box and ends inside the canvas, off the box
        assert x0 - 0.5 <= ex <= x1 + 0.5 and y0 - 0.5 <= ey <= y1 + 0.5
        assert 0 <= ux <= layout.width and 0 <= uy <= layout.height
        assert not (x0 < ux < x1 and y0 < uy < y1)
    no_overlaps(layout)  # leader labels and their lines' boxes against every other label
    if led:
        assert 'class="leader"' in result.svg


# -- world -------------------------------------------------------------------------------


def test_equal_earth_formulas() -> None:
    ee = EqualEarth(0.0, 0.0)
    x, y = ee.forward(np.array([180.0, 0.0, -75.0]), np.array([0.0, 90.0, 40.0]))
    assert x[0] == pytest.approx(2.70663, abs=1e-4)  # the published half-width
    assert y[1] == pytest.approx(1.31737, abs=1e-4)  # and half-height
    lon, lat = ee.inverse(x, y)
    assert lon[2] == pytest.approx(-75.0, abs=1e-6) and lat[2] == pytest.approx(40.0, abs=1e-6)

    # equal area: a 10x10-degree cell at the equator and at 60N keep the cos(lat) ratio
    def cell(lat0: float) -> float:
        cx, cy = ee.forward(
            np.array([0.0, 10.0, 10.0, 0.0]), np.array([lat0] * 2 + [lat0 + 10] * 2)
        )
        return 0.5 * abs(float(np.dot(cx, np.roll(cy, -1)) - np.dot(cy, np.roll(cx, -1))))

    ratio = cell(60.0) / cell(0.0)
    expected = (np.sin(np.radians(70)) - np.sin(np.radians(60))) / np.sin(np.radians(10))
    assert ratio == pytest.approx(expected, rel=1e-3)


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_world_every_theme(index: LocationIndex, theme: str) -> None:
    png, _ = render_world_png(index, width=560, height=300, theme=theme)
    assert Image.open(io.BytesIO(png)).size == (560, 300)
    result = render_world_svg(index, width=560, height=300, theme=theme)
    assert result.layout.projection["name"] == "equal_earth"
    ET.fromstring(result.svg)
    no_overlaps(result.layout)


def test_world_fits_the_frame_with_labels_and_highlights(index: LocationIndex) -> None:
    width, height = 1400, 760
    png, layout = render_world_png(
        index,
        width=width,
        height=height,
        highlight=[{"code": "br", "color": "#2a9d8f", "label": "Brasil"}, "au"],
    )
    x0, y0, x1, y1 = layout.main_bbox
    assert x0 >= 10 and y0 >= 10 and x1 <= width - 10 and y1 <= height - 10
    # fitted: touching the margin on one axis, and the globe's 2.05:1 shape kept
    assert min(x0, y0, width - x1, height - y1) < 0.05 * height
    assert (x1 - x0) / (y1 - y0) == pytest.approx(2.70663 / 1.31737, rel=0.01)
    xs = np.concatenate([r[:, 0] for r in layout.subject_rings])
    ys = np.concatenate([r[:, 1] for r in layout.subject_rings])
    assert xs.min() >= x0 - 2 and xs.max() <= x1 + 2 and ys.min() >= y0 - 2 and ys.max() <= y1 + 2
    assert len(layout.context) > 200  # every country drawn
    names = {lab.text for lab in layout.labels}
    assert {"RUSSIA", "CANADA", "CHINA", "INDIA", "Brasil"} <= names
    px = rgb(png)
    assert count_colour(px, "#2a9d8f") > 3000
    assert count_colour(px, THEMES["modern"].palette["highlight"]) > 1500  # Australia
    no_overlaps(layout)


def test_world_draws_the_selected_rivers_and_lakes(index: LocationIndex) -> None:
    chosen = ["river-nile", "lake-victoria", "RIVER-MISSISSIPPI", "river-nowhere"]
    result = render_world_svg(index, width=1400, height=760, selected_features=chosen)
    root = ET.fromstring(result.svg)
    coded = {
        el.get("data-code"): el.get("class")
        for el in root.iter("{http://www.w3.org/2000/svg}path")
        if el.get("data-code")
    }
    assert coded == {
        "river-nile": "river selected",
        "lake-victoria": "lake selected",
        "river-mississippi": "river selected",
    }
    assert (result.layout.rivers, result.layout.lakes) == (2, 1)  # features off: only these
    # in the pixels: the Nile changes a line of pixels in Egypt, towards the river colour
    pal = THEMES["modern"].palette
    with_nile = rgb(render_world_png(index, width=1400, height=760, selected_features=chosen)[0])
    without = rgb(render_world_png(index, width=1400, height=760)[0])
    egypt = (slice(225, 290), slice(790, 830))
    changed = np.abs(with_nile[egypt] - without[egypt]).max(axis=2) > 30
    assert changed.sum() > 15
    colour = with_nile[egypt][changed].mean(axis=0)
    river, land = (np.array([int(c[i : i + 2], 16) for i in (1, 3, 5)]) for c in
                   (pal["river"], pal["subject"]))  # fmt: skip
    assert np.abs(colour - river).sum() < np.abs(colour - land).sum()
