"""Map labels and the US composite: insets, collision-free boxes, <text>, switches, dpi."""

from __future__ import annotations

import io
import itertools
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from geo_support import loc
from PIL import Image

from ogplatform.maps.geodata import LocationIndex
from ogplatform.maps.render import THEMES, MapLayout, render_png, render_svg
from ogplatform.maps.render.labels import LabelBox, LabelPlacer, point_in_rings, polylabel

SVG = "{http://www.w3.org/2000/svg}"


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _check_boxes(layout: MapLayout) -> None:
    assert layout.labels
    for lab in layout.labels:
        x0, y0, x1, y1 = lab.box
        assert 0 <= x0 < x1 <= layout.width and 0 <= y0 < y1 <= layout.height, lab
    for a, b in itertools.combinations(layout.labels, 2):
        for ba in a.boxes or (a.box,):
            for bb in b.boxes or (b.box,):
                assert not _overlap(ba, bb), (a.text, b.text)


def test_polylabel_square_with_notch() -> None:
    sq = np.array([[0, 0], [100, 0], [100, 100], [0, 100]], dtype=np.float64)
    x, y, d = polylabel([sq])
    assert abs(x - 50) < 3 and abs(y - 50) < 3 and d == pytest.approx(50, abs=3)
    l_shape = np.array([[0, 0], [100, 0], [100, 20], [20, 20], [20, 100], [0, 100]], float)
    x, y, d = polylabel([l_shape])
    assert point_in_rings(np.array([[x, y]]), [l_shape])[0] and d > 8


def test_us_insets_hold_alaska_and_hawaii(index: LocationIndex) -> None:
    png, layout = render_png(
        index,
        loc(index, "us"),
        width=1000,
        height=640,
        show_features=False,
        highlight=("US-AK",),
        show_city_labels=False,
        show_subdivision_labels=False,
    )
    names = {i.name: i for i in layout.insets}
    assert set(names) == {"Alaska", "Hawaii"}
    x0, y0, x1, y1 = names["Alaska"].box
    assert x1 < 500 and y0 > 320  # lower left
    assert layout.projection["lat1"] == 29.5 and layout.projection["lat2"] == 45.5
    rgb = np.array([int(THEMES["modern"].palette["highlight"][i : i + 2], 16) for i in (1, 3, 5)])
    px = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    hit = np.all(np.abs(px - rgb) <= 3, axis=2)
    inside = hit[int(y0) : int(y1), int(x0) : int(x1)].sum()
    assert inside > 500
    assert hit.sum() - inside == 0  # Alaska is drawn only in its inset
    # the main frame shows the lower 48 only
    assert layout.main_bbox[1] >= 15


@pytest.mark.parametrize(
    ("code", "theme"),
    [("us", "modern"), ("de", "vintage"), ("jp", "blueprint"), ("us-ca", "modern")],
)
def test_label_boxes_never_overlap(index: LocationIndex, code: str, theme: str) -> None:
    result = render_svg(
        index,
        loc(index, code),
        width=900,
        height=600,
        theme=theme,
        show_features=True,
        show_lake_labels=True,
        show_river_labels=True,
    )
    _check_boxes(result.layout)
    kinds = {lab.kind for lab in result.layout.labels}
    assert "subdivision" in kinds or "subject_sub" in kinds
    assert "city" in kinds or "capital" in kinds


def test_labels_are_text_elements(index: LocationIndex) -> None:
    result = render_svg(index, loc(index, "de"), width=900, height=600, show_features=False)
    root = ET.fromstring(result.svg)
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert "Berlin" in texts
    assert "BAYERN" in texts
    assert any("Thüringen".upper() in t for t in texts)
    assert len(texts) == len(result.layout.labels)
    assert result.font_files and all(
        f.endswith((".ttf", ".otf", ".ttc")) for f in result.font_files
    )


def test_us_abbreviates_small_states(index: LocationIndex) -> None:
    layout = render_svg(index, loc(index, "us"), width=1000, height=640, show_features=False).layout
    texts = {lab.text for lab in layout.labels}
    assert "TEXAS" in texts and "RI" not in {t for t in texts if len(t) > 2}
    assert any(lab.abbreviated for lab in layout.labels)


def test_switches_turn_labels_off(index: LocationIndex) -> None:
    place = loc(index, "de")
    off = render_svg(
        index,
        place,
        width=700,
        height=500,
        show_features=False,
        show_subdivision_labels=False,
        show_country_labels=False,
        show_city_labels=False,
    )
    assert off.layout.labels == [] and "<text" not in off.svg
    only_cities = render_svg(
        index,
        place,
        width=700,
        height=500,
        show_features=False,
        show_subdivision_labels=False,
        show_country_labels=False,
    )
    assert {lab.kind for lab in only_cities.layout.labels} <= {"city", "capital"}
    # rivers are labelled only when features are shown
    no_f = render_svg(
        index, place, width=700, height=500, show_features=False, show_river_labels=True
    )
    assert not any(lab.kind == "river" for lab in no_f.layout.labels)
    with_f = render_svg(
        index, place, width=700, height=500, show_features=True, show_river_labels=True
    )
    assert any(lab.kind == "river" for lab in with_f.layout.labels)
    assert "<textPath" in with_f.svg


def test_dpi_scales_text(index: LocationIndex) -> None:
    place = loc(index, "br")
    low = render_svg(index, place, width=900, height=700, dpi=72, show_features=False)
    high = render_svg(index, place, width=900, height=700, dpi=150, show_features=False)
    size = {lab.kind: lab.font_size for lab in low.layout.labels}
    size_h = {lab.kind: lab.font_size for lab in high.layout.labels}
    for kind in set(size) & set(size_h):
        assert size_h[kind] == pytest.approx(size[kind] * 150 / 72)
    _check_boxes(high.layout)


def test_lake_label_position(index: LocationIndex) -> None:
    place = loc(index, "us")

    def superior(pos: str) -> tuple[float, float]:
        layout = render_svg(
            index,
            place,
            width=1400,
            height=900,
            show_features=False,
            show_lake_labels=True,
            lake_label_position=pos,
            show_city_labels=False,
            show_subdivision_labels=False,
        ).layout
        lab = next(lab for lab in layout.labels if lab.text.replace(" ", "") == "LakeSuperior")
        return ((lab.box[0] + lab.box[2]) / 2, (lab.box[1] + lab.box[3]) / 2)

    left, right, centre = superior("left"), superior("right"), superior("center")
    assert left[0] < centre[0] < right[0]
    with pytest.raises(ValueError, match="position"):
        render_svg(index, place, lake_label_position="middle")


def test_placer_grid_answers_as_a_brute_force_overlap_check() -> None:
    # The placer files taken boxes in grid cells; whatever the boxes (tiny, huge, off the
    # canvas, touching edges) it must answer exactly as comparing against every box does.
    rng = np.random.default_rng(7)
    placer = LabelPlacer(900, 600, edge=6.0)
    placer.obstacles.append((600.0, 400.0, 880.0, 590.0))
    taken: list[tuple[float, float, float, float]] = []

    def brute(boxes: list[tuple[float, float, float, float]], pad: float) -> bool:
        for x0, y0, x1, y1 in boxes:
            if x0 < 6.0 or y0 < 6.0 or x1 > 894.0 or y1 > 594.0:
                return False
        for x0, y0, x1, y1 in boxes:
            bx0, by0, bx1, by1 = x0 - pad, y0 - pad, x1 + pad, y1 + pad
            for tx0, ty0, tx1, ty1 in [*taken, *placer.obstacles]:
                if tx0 < bx1 and tx1 > bx0 and ty0 < by1 and ty1 > by0:
                    return False
        return True

    answers = []
    for i in range(3000):
        n = int(rng.integers(1, 4))
        boxes = []
        for _ in range(n):
            x, y = rng.uniform(-100, 1000), rng.uniform(-100, 700)
            w, h = rng.choice([0.5, 3.0, 40.0, 130.0, 700.0]), rng.uniform(0.5, 60)
            boxes.append((float(x), float(y), float(x + w), float(y + h)))
        pad = float(rng.choice([0.0, 2.0, 9.0]))
        expected = brute(boxes, pad)
        assert placer.free(boxes, pad=pad) is expected, (i, boxes, pad)
        answers.append(expected)
        if i % 3 == 0:  # take some boxes, anywhere (block() does not check)
            placer.block(boxes[0])
            taken.append(boxes[0])
        elif expected:
            placer.take(LabelBox("x", "city", boxes[0]), boxes)
            taken.extend(boxes)
    assert any(answers) and not all(answers)  # both answers came up
