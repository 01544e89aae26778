"""``selected_features``: chosen rivers and lakes drawn whatever their rank and with or without
``show_features``, labelled first; unknown codes rejected when a job is created."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from typing import Any

import msgspec
import numpy as np
import pytest
from PIL import Image

from ogplatform.errors import ApiError
from ogplatform.maps.geodata import Location, LocationIndex
from ogplatform.maps.map_jobs import parse_job_request, render_options
from ogplatform.maps.render import render_pdf, render_png, render_svg

SVG = "{http://www.w3.org/2000/svg}"
WH = {"width": 1000, "height": 640}


@pytest.fixture(scope="module")
def index() -> LocationIndex:
    return LocationIndex.load()


@pytest.fixture(scope="module")
def germany(index: LocationIndex) -> Location:
    found = index.get("de")
    assert found is not None
    return found


def _rivers(root: ET.Element) -> list[ET.Element]:
    return [p for p in root.iter(f"{SVG}path") if "river" in p.get("class", "").split()]


def _river_labels(root: ET.Element) -> list[str]:
    return [
        "".join(t.itertext())
        for t in root.iter(f"{SVG}text")
        if "river" in t.get("class", "").split()
    ]


def test_selected_river_alone_without_show_features(
    index: LocationIndex, germany: Location
) -> None:
    drawn = render_svg(
        index,
        germany,
        **WH,
        show_features=False,
        show_river_labels=True,
        selected_features=["river-rhine"],
    )
    root = ET.fromstring(drawn.svg)
    rivers = _rivers(root)
    assert [(p.get("data-code"), p.get("class")) for p in rivers] == [
        ("river-rhine", "river selected")
    ]
    assert len(rivers[0].get("d", "")) > 100
    assert _river_labels(root) == ["Rhine"]
    assert [lab.text for lab in drawn.layout.labels if lab.kind == "river"] == ["Rhine"]
    assert drawn.layout.rivers == 1

    plain = ET.fromstring(render_svg(index, germany, **WH, show_features=False).svg)
    assert _rivers(plain) == [] and _river_labels(plain) == []


def test_selected_minor_river_drawn_on_top_and_labelled_first(
    index: LocationIndex, germany: Location
) -> None:
    # the Fulda (rank 12) is drawn at this scale, but only the ten most important rivers
    # are named: it is not labelled by default
    usual = render_svg(index, germany, **WH, show_features=True, show_river_labels=True)
    usual_root = ET.fromstring(usual.svg)
    assert "Fulda" not in _river_labels(usual_root)
    assert all(p.get("data-code") is None for p in _rivers(usual_root))

    drawn = render_svg(
        index,
        germany,
        **WH,
        show_features=True,
        show_river_labels=True,
        selected_features=["RIVER-FULDA"],  # any case, like the job API
    )
    root = ET.fromstring(drawn.svg)
    rivers = _rivers(root)
    assert len(rivers) > 2  # the usual set is still there
    assert rivers[-1].get("data-code") == "river-fulda"  # the last: on top
    assert [p.get("data-code") for p in rivers[:-1]] == [None] * (len(rivers) - 1)
    labels = [lab.text for lab in drawn.layout.labels if lab.kind == "river"]
    assert labels[0] == "Fulda" and len(labels) > 1
    assert _river_labels(root)[0] == "Fulda"
    assert drawn.layout.rivers == usual.layout.rivers  # drawn once, on its own path


def test_selected_river_beyond_the_scale_limit_is_drawn(index: LocationIndex) -> None:
    us = index.get("us")
    assert us is not None
    usual = render_svg(index, us, **WH, show_features=True)
    assert "river-kennebec" not in usual.svg  # rank 9: cut on a 1000 px US map
    drawn = render_svg(index, us, **WH, show_features=True, selected_features=["river-kennebec"])
    chosen = [p for p in _rivers(ET.fromstring(drawn.svg)) if p.get("data-code")]
    assert [p.get("data-code") for p in chosen] == ["river-kennebec"]
    assert drawn.layout.rivers == usual.layout.rivers + 1


def test_selected_lake_is_drawn_and_its_label_tried_first(
    index: LocationIndex, germany: Location, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ogplatform.maps.render import draw

    tried: list[str] = []
    place_lake = draw.place_lake

    def spy(p: Any, lake: Any, *args: Any) -> bool:
        tried.append(lake.name.casefold())
        return place_lake(p, lake, *args)

    monkeypatch.setattr(draw, "place_lake", spy)
    for show in (False, True):
        tried.clear()
        drawn = render_svg(
            index,
            germany,
            **WH,
            show_features=show,
            show_lake_labels=True,
            selected_features=["lake-chiemsee"],
        )
        root = ET.fromstring(drawn.svg)
        lakes = root.find(f".//{SVG}g[@id='lakes']")
        assert lakes is not None
        codes = [p.get("data-code") for p in lakes.iter(f"{SVG}path") if p.get("data-code")]
        assert codes == ["lake-chiemsee"]
        assert tried[0] == "chiemsee"  # before the Bodensee (rank 5)
        assert ("bodensee" in tried) is show
        assert _rivers(root) == [] or show


def test_png_and_pdf_take_the_option(index: LocationIndex, germany: Location) -> None:
    kw = {"show_features": False, "show_river_labels": True, "show_city_labels": False}
    plain, _ = render_png(index, germany, **WH, **kw)
    png, layout = render_png(index, germany, **WH, **kw, selected_features=["river-rhine"])
    assert [lab.text for lab in layout.labels if lab.kind == "river"] == ["Rhine"]
    a = np.asarray(Image.open(io.BytesIO(plain)).convert("RGB")).astype(int)
    b = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    changed = np.abs(a - b).sum(axis=2) > 40
    assert changed.sum() > 400  # a river across the country and its name
    _, xs = np.nonzero(changed)
    assert 250 < xs.mean() < 450  # in the west, where the Rhine runs
    pdf, _ = render_pdf(index, germany, **WH, **kw, selected_features=["river-rhine"])
    assert pdf.startswith(b"%PDF")


def _request(index: LocationIndex, location: str, codes: list[str]) -> dict[str, object]:
    body = {"location_id": location, "configuration": {"selected_features": codes}}
    request = parse_job_request(msgspec.json.encode(body), index)
    return render_options(request.theme, request.configuration)


def test_job_request_checks_codes_against_the_features_list(index: LocationIndex) -> None:
    options = _request(index, "de", ["river-rhine", "Lake-Chiemsee"])
    assert options["selected_features"] == ("river-rhine", "Lake-Chiemsee")
    assert _request(index, "de", [])["selected_features"] == ()
    with pytest.raises(ApiError) as err:
        _request(index, "de", ["river-xyz", "river-rhine", "river-mississippi", "river-xyz"])
    assert err.value.status == 400
    assert err.value.message == (
        "Validation failed: unknown feature code(s): river-xyz, river-mississippi"
    )
    # a subdivision's features list is narrower than its country's
    assert _request(index, "us-mn", ["river-mississippi"])["selected_features"]
    with pytest.raises(ApiError, match="unknown feature code"):
        _request(index, "us-ca", ["river-mississippi"])
