"""The map renderer: projection per location, antimeridian, fit, SVG, PNG, dpi, highlights."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from geo_support import loc
from PIL import Image

from ogplatform.maps.geodata import LocationIndex
from ogplatform.maps.render import (
    THEMES,
    MapSvg,
    UnknownSubdivisionError,
    choose_projection,
    render_png,
    render_svg,
)
from ogplatform.plugins.map_themes import MapTheme


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("cl", "transverse_mercator"),
        ("us", "albers"),
        ("ru", "albers"),
        ("br", "lambert_azimuthal"),
        ("gl", "lambert_azimuthal"),
        ("aq", "lambert_azimuthal"),
    ],
)
def test_projection_choice(index: LocationIndex, code: str, name: str) -> None:
    place = loc(index, code)
    shape = index.geometry(place)
    assert shape is not None
    proj, _ = choose_projection(shape, place.bounds.center[0])
    assert proj.name == name


def test_far_islands_do_not_shrink_the_fit(index: LocationIndex) -> None:
    fr = loc(index, "fr")
    shape = index.geometry(fr)
    assert shape is not None
    _, terr = choose_projection(shape, fr.bounds.center[0])
    assert terr.max_lat - terr.min_lat < 12  # metropolitan France, not Guiana or Réunion


def test_russia_is_not_split(index: LocationIndex) -> None:
    width, height = 1000, 640
    result = render_svg(index, loc(index, "ru"), width=width, height=height, show_features=False)
    x0, _, x1, _ = result.layout.subject_bbox
    assert x1 - x0 < width
    for ring in result.layout.subject_rings:
        closed = np.vstack([ring, ring[:1]])
        edges = np.hypot(*np.diff(closed, axis=0).T)
        assert edges.max() < width / 2
    assert result.layout.projection["name"] == "albers"


@pytest.mark.parametrize("code", ["us", "de", "cl", "jp", "us-ca"])
def test_fits_inside_frame_with_margins(index: LocationIndex, code: str) -> None:
    width, height = 800, 500
    layout = render_svg(index, loc(index, code), width=width, height=height).layout
    x0, y0, x1, y1 = layout.main_bbox
    assert x0 >= 15 and y0 >= 15 and x1 <= width - 15 and y1 <= height - 15
    # the fit uses the frame: touching the margin on one axis at least
    assert min(x0, y0, width - x1, height - y1) < 0.07 * min(width, height) + 1


def test_svg_parses_and_contains_subject(index: LocationIndex) -> None:
    result = render_svg(index, loc(index, "de"), width=600, height=400, show_features=False)
    root = ET.fromstring(result.svg)
    assert root.tag.endswith("svg")
    assert root.get("width") == "600"
    ids = {el.get("id") for el in root.iter()}
    assert {"subj", "ctx", "subs"} <= ids
    subj = next(el for el in root.iter() if el.get("id") == "subj")
    assert len(subj.get("d", "")) > 1000
    assert "fr" in result.layout.context and "pl" in result.layout.context


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_png_at_requested_size_every_theme(index: LocationIndex, theme: str) -> None:
    png, layout = render_png(index, loc(index, "jp"), width=480, height=320, theme=theme)
    img = Image.open(io.BytesIO(png))
    assert img.size == (480, 320)
    assert layout.theme == theme
    assert isinstance(THEMES[theme], MapTheme)
    assert THEMES[theme].version == "1.1"  # 1.1: palettes reviewed against MAP-DESIGN.md


def _widths(svg: str) -> list[float]:
    return [float(v) for v in re.findall(r'stroke-width="([0-9.]+)"', svg)]


def test_dpi_scales_strokes(index: LocationIndex) -> None:
    place = loc(index, "ch")

    def svg(dpi: int) -> MapSvg:
        return render_svg(
            index,
            place,
            width=500,
            height=400,
            dpi=dpi,
            show_subdivision_labels=False,
            show_country_labels=False,
            show_city_labels=False,
        )

    low, high = svg(72), svg(300)
    assert high.layout.stroke_scale == pytest.approx(300 / 72)
    a, b = _widths(low.svg), _widths(high.svg)
    assert len(a) == len(b)
    assert max(b) == pytest.approx(max(a) * 300 / 72, rel=0.05)
    with pytest.raises(ValueError, match="dpi"):
        render_svg(index, place, dpi=96)


def test_highlight_colour_in_pixels(index: LocationIndex) -> None:
    theme = THEMES["modern"]
    rgb = tuple(int(theme.palette["highlight"][i : i + 2], 16) for i in (1, 3, 5))

    def count(highlight: tuple[str, ...]) -> int:
        png, _ = render_png(
            index,
            loc(index, "us"),
            width=700,
            height=450,
            highlight=highlight,
            show_features=False,
        )
        px = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).reshape(-1, 3)
        return int(np.all(np.abs(px.astype(int) - rgb) <= 3, axis=1).sum())

    assert count(("US-CA",)) > 300
    assert count(()) == 0


def test_unknown_highlight_named(index: LocationIndex) -> None:
    with pytest.raises(UnknownSubdivisionError, match="us-zz"):
        render_svg(index, loc(index, "us"), highlight=("us-zz",))
    with pytest.raises(UnknownSubdivisionError):
        render_svg(index, loc(index, "us"), highlight=("de-by",))


def test_rivers_only_with_features(index: LocationIndex) -> None:
    place = loc(index, "de")
    with_f = render_svg(index, place, width=500, height=400, show_features=True)
    without = render_svg(index, place, width=500, height=400, show_features=False)
    assert with_f.layout.rivers > 5
    assert 'class="river"' in with_f.svg
    assert without.layout.rivers == 0
    assert 'class="river"' not in without.svg


def test_subdivision_map(index: LocationIndex) -> None:
    result = render_svg(index, loc(index, "us-ca"), width=600, height=600, highlight=("us-ca",))
    assert result.layout.projection["name"] in {"lambert_azimuthal", "transverse_mercator"}
    assert 'id="sibs"' in result.svg and 'id="hl-us-ca"' in result.svg
    assert "mx" in result.layout.context
