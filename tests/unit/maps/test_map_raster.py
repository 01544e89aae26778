"""Map PNGs drawn with Skia (maps/render/_skia.py) against resvg, the reference rasteriser.

The Skia path draws shapes with Skia's SVG module and the labels from our own glyph outlines;
these tests decode both PNGs and compare them pixel by pixel, and look for the labels' ink
where the layout says each label is.
"""

from __future__ import annotations

import io
import re

import numpy as np
import numpy.typing as npt
import pytest
from geo_support import loc
from PIL import Image

from ogplatform.maps.geodata import LocationIndex
from ogplatform.maps.render import THEMES, render_svg
from ogplatform.maps.render._geom import unshared_edges
from ogplatform.maps.render._skia import draw_svg
from ogplatform.maps.render.labels import LabelBox
from ogplatform.maps.render.raster import svg_to_png, svg_to_png_resvg
from ogplatform.maps.render.world import render_world_svg

Pixels = npt.NDArray[np.int16]


def decode(png: bytes) -> Pixels:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    return np.asarray(image.convert("RGB")).astype(np.int16)


def compare(svg: str, files: tuple[str, ...]) -> tuple[Pixels, Pixels, npt.NDArray[np.int16]]:
    ours, reference = decode(svg_to_png(svg, files)), decode(svg_to_png_resvg(svg, files))
    assert ours.shape == reference.shape
    return ours, reference, np.abs(ours - reference).max(axis=2)


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_matches_resvg_in_every_theme(index: LocationIndex, theme: str) -> None:
    # Germany with rivers, river and lake names (text along a path) and a highlighted state
    # (the monochrome theme hatches it: a pattern); vintage adds grain, vignette and the
    # engraved coast, satellite the land gradient and glow.
    result = render_svg(
        index,
        loc(index, "de"),
        width=640,
        height=640,
        theme=theme,
        show_features=True,
        show_river_labels=True,
        show_lake_labels=True,
        highlight=["de-by", {"code": "de-nw", "color": "#c0392b", "label": "Rhein & Ruhr"}],
    )
    _, _, diff = compare(result.svg, result.font_files)
    # Anti-aliasing differs along edges; nothing else may.
    assert diff.mean() < 1.0, f"{theme}: mean difference {diff.mean():.2f} levels"
    assert np.percentile(diff, 99) <= 12
    assert (diff > 48).mean() < 0.001
    assert any(lab.kind == "river" for lab in result.layout.labels)


def test_world_matches_resvg(index: LocationIndex) -> None:
    result = render_world_svg(index, width=800, height=434, theme="satellite")
    _, _, diff = compare(result.svg, result.font_files)
    assert diff.mean() < 1.0
    assert np.percentile(diff, 99) <= 12


def changed_in(with_text: Pixels, without: Pixels, label: LabelBox) -> int:
    """How many pixels within the label's boxes the text changed clearly."""
    count = 0
    for x0, y0, x1, y1 in label.boxes or (label.box,):
        ys = slice(max(0, int(y0)), int(y1) + 1)
        xs = slice(max(0, int(x0)), int(x1) + 1)
        count += int((np.abs(with_text[ys, xs] - without[ys, xs]).max(axis=2) > 60).sum())
    return count


def hex_rgb(value: str) -> tuple[int, int, int]:
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


def test_every_label_is_drawn_where_the_layout_puts_it(index: LocationIndex) -> None:
    result = render_svg(
        index,
        loc(index, "us"),
        width=1000,
        height=640,
        theme="modern",
        show_river_labels=True,
    )
    pixels = decode(svg_to_png(result.svg, result.font_files))
    bare = decode(svg_to_png(re.sub(r"<text\b.*?</text>", "", result.svg, flags=re.S)))
    labels = result.layout.labels
    assert len(labels) > 20 and any(lab.kind == "river" for lab in labels)
    for label in labels:  # rivers too: glyph by glyph along their line
        assert changed_in(pixels, bare, label) > 5, f"nothing drawn for {label.text!r}"
    outside = np.ones(pixels.shape[:2], dtype=bool)
    for label in labels:
        for x0, y0, x1, y1 in label.boxes or (label.box,):
            outside[max(0, int(y0) - 3) : int(y1) + 4, max(0, int(x0) - 3) : int(x1) + 4] = False
    assert (np.abs(pixels - bare).max(axis=2)[outside] > 60).sum() == 0  # nothing elsewhere


def test_labels_sit_under_the_neatline_and_grain(index: LocationIndex) -> None:
    # The finishing group (vignette, neatline) is drawn after the labels: the frame's colour
    # is on the frame, and the vignette darkens the corners of the finished picture.
    th = THEMES["vintage"]
    result = render_svg(index, loc(index, "jp"), width=600, height=600, theme="vintage")
    pixels = decode(svg_to_png(result.svg, result.font_files))
    frame = np.array(hex_rgb(th.palette["frame"]))
    k = 1.0
    y = int(6 * k)  # the outer neatline, 6 px in
    assert np.abs(pixels[y, 100:500] - frame).max(axis=1).mean() < 40
    centre = pixels[280:320, 280:320].mean()
    corner = pixels[12:30, 12:30].mean()
    assert corner < centre


def test_user_text_in_labels_is_drawn_not_interpreted(index: LocationIndex) -> None:
    # A highlight label with markup characters: escaped in the SVG, drawn as its characters.
    label = 'A & B <script>"x"'
    result = render_svg(
        index,
        loc(index, "de"),
        width=800,
        height=800,
        theme="modern",
        highlight=[{"code": "de-by", "label": label}],
        show_city_labels=False,
    )
    assert "<script>" not in result.svg
    pixels = decode(svg_to_png(result.svg, result.font_files))
    placed = [lab for lab in result.layout.labels if lab.text.upper() == label.upper()]
    assert placed, [lab.text for lab in result.layout.labels]
    bare = decode(svg_to_png(re.sub(r"<text\b.*?</text>", "", result.svg, flags=re.S)))
    assert changed_in(pixels, bare, placed[0]) > 20
    _, _, diff = compare(result.svg, result.font_files)
    x0, y0, x1, y1 = (int(v) for v in placed[0].box)
    assert diff[y0 : y1 + 1, x0 : x1 + 1].mean() < 8  # the same glyphs as resvg draws


def test_unshared_edges_keep_the_coast_and_drop_shared_borders() -> None:
    # Two unit squares side by side share the edge x=1 (one walks it up, the other down);
    # an island stands alone. The coast is everything but the shared edge.
    left = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    right = np.array([[1.0, 1.0], [1.0, 0.0], [2.0, 0.0], [2.0, 1.0]])
    island = np.array([[5.0, 5.0], [6.0, 5.0], [6.0, 6.0]])
    whole, pieces = unshared_edges([left, right, island])
    assert len(whole) == 1 and np.array_equal(whole[0], island)
    edges = {
        tuple(sorted((tuple(p[i]), tuple(p[i + 1])))) for p in pieces for i in range(len(p) - 1)
    }
    assert ((1.0, 0.0), (1.0, 1.0)) not in edges
    assert len(edges) == 6  # 3 + 3 outer edges of the two squares
    # each piece is a connected run: consecutive points one edge apart
    for p in pieces:
        assert len(p) >= 2 and (np.abs(np.diff(p, axis=0)).sum(axis=1) == 1.0).all()


def test_water_lines_follow_the_coast(index: LocationIndex) -> None:
    # The satellite theme's glow bands darken the sea along a coast; they must still be there
    # (Portugal's Atlantic coast) while the land border with Spain gets none on land.
    result = render_svg(index, loc(index, "pt"), width=500, height=700, theme="satellite")
    bare = re.sub(r'<use href="#land"[^>]*/>', "", result.svg)
    with_glow = decode(svg_to_png(result.svg, result.font_files))
    without = decode(svg_to_png(bare, result.font_files))
    changed = np.abs(with_glow - without).max(axis=2) > 4
    assert changed.sum() > 2000  # a band along the coast
    land = with_glow[:, :, 1] > with_glow[:, :, 2]  # green-brown land, blue sea
    assert (changed & land).sum() < 0.02 * changed.sum()


FONT = "Inter"


def _files() -> tuple[str, ...]:
    from ogplatform.maps.render.labels import fonts

    return tuple(sorted({fonts().resolve(FONT, w, False).path for w in (400, 600)}))


def test_plain_text_forms_match_resvg() -> None:
    # Text as other SVG writers put it (the gallery's captions): x and y on <text>, anchors
    # start, middle and end, a bold weight by name. Drawn by the Skia path, like resvg draws it.
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="120">'
        '<rect width="300" height="120" fill="#f4f5f7"/>'
        f'<text x="10" y="30" font-family="{FONT}" font-size="22" fill="#2f3a44">Start</text>'
        f'<text x="150" y="65" text-anchor="middle" font-family="{FONT}" font-size="22" '
        'font-weight="bold" fill="#2f3a44">Middle &amp; more</text>'
        f'<text x="290" y="105" text-anchor="end" font-family="{FONT}" font-size="18" '
        'fill="#c0392b">End</text></svg>'
    )
    draw_svg(svg, 300, 120)  # the Skia path takes it (no fallback)
    ours, _, diff = compare(svg, _files())
    ink = (ours.max(axis=2) - ours.min(axis=2) > 40) | (ours.mean(axis=2) < 150)
    assert ink[10:35, :60].any() and ink[45:70, 100:200].any() and ink[85:110, 240:].any()
    assert diff.mean() < 1.0 and np.percentile(diff, 99.5) < 40


def test_text_it_does_not_draw_goes_to_resvg_whole() -> None:
    # A rotated label (transform) and a document without a pixel size: not forms the map
    # writer makes, so resvg draws the whole picture (nothing dropped, nothing half-drawn).
    rotated = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200">'
        '<rect width="200" height="200" fill="#ffffff"/>'
        f'<text x="100" y="100" transform="rotate(45 100 100)" font-family="{FONT}" '
        'font-size="20" fill="#000000">Tilted</text></svg>'
    )
    no_size = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 50 50">'
        '<rect width="50" height="50" fill="#336699"/></svg>'
    )
    for svg in (rotated, no_size):
        assert svg_to_png(svg, _files()) == svg_to_png_resvg(svg, _files())
    assert (decode(svg_to_png(rotated, _files())).mean(axis=2) < 128).sum() > 50  # inked


@pytest.mark.parametrize("closed", [True, False])
def test_thinning_many_paths_at_once_drops_what_one_at_a_time_does(closed: bool) -> None:
    from ogplatform.maps.render._geom import _drop_flat, thinned

    rng = np.random.default_rng(5)
    paths = []
    for n in (1, 2, 5, 6, 9, 10, 11, 40, 300):
        t = np.sort(rng.uniform(0, 2 * np.pi, n))
        r = 50 + rng.normal(0, 0.4, n)  # a wobbly circle: many nearly collinear points
        paths.append(np.round(np.column_stack([r * np.cos(t), r * np.sin(t)]) * 2) / 2)
    for flat in (0.3, 1.0, 2.5):
        together = thinned(paths, closed, flat)
        alone = [_drop_flat(p, closed, 3, flat) for p in paths]
        assert len(together) == len(alone)
        for a, b in zip(together, alone, strict=True):
            assert np.array_equal(a, b)
    assert sum(map(len, thinned(paths, closed, 2.5))) < sum(map(len, paths))  # some went
