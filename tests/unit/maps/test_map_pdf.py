"""Vector PDF maps through typst: page size from pixels and dpi, labels as real text."""

from __future__ import annotations

import io
import re
from typing import Any

import pypdf
import pytest
from geo_support import loc

from ogplatform.maps.geodata import LocationIndex
from ogplatform.maps.render import THEMES, render_pdf, svg_to_pdf
from ogplatform.maps.render import pdf as pdf_module


def read(pdf: bytes) -> pypdf.PdfReader:
    assert pdf.startswith(b"%PDF-")
    return pypdf.PdfReader(io.BytesIO(pdf))


def squeeze(text: str) -> str:
    """Letter-spaced capitals come out of PDF text extraction as ``F R AN C E``."""
    return re.sub(r"\s+", "", text)


def page_fonts(page: pypdf.PageObject) -> set[str]:
    fonts: Any = page["/Resources"]["/Font"]  # type: ignore[index]
    return {str(fonts[name]["/BaseFont"]) for name in fonts}


@pytest.mark.parametrize("code", ["be", "us-ca"])
@pytest.mark.parametrize("theme", list(THEMES))
def test_every_theme_makes_a_pdf_with_its_labels_as_text(
    index: LocationIndex, theme: str, code: str
) -> None:
    pdf, layout = render_pdf(index, loc(index, code), width=800, height=520, theme=theme)
    reader = read(pdf)
    assert len(reader.pages) == 1
    page = reader.pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == (800, 520)
    text = squeeze(page.extract_text())
    placed = [box.text for box in layout.labels if box.kind != "river"]
    assert placed, "the map has labels"
    for label in placed:
        assert squeeze(label) in text, (label, text)
    # the theme's own typeface is embedded: text, not outlines
    family = squeeze(THEMES[theme].fonts["label"])
    assert any(family in name for name in page_fonts(page)), page_fonts(page)
    assert reader.metadata is not None and reader.metadata.title == loc(index, code).name


def test_state_names_of_the_us_are_selectable_text(index: LocationIndex) -> None:
    pdf, _ = render_pdf(index, loc(index, "us"), width=1400, height=900, theme="modern")
    text = squeeze(read(pdf).pages[0].extract_text())
    for name in ("TEXAS", "CALIFORNIA", "MONTANA", "ALASKA", "NEWYORK", "Chicago"):
        assert name in text


@pytest.mark.parametrize(
    ("width", "height", "dpi", "inches"),
    [
        (1400, 900, 72, (19.44, 12.5)),
        (1400, 900, 300, (4.67, 3.0)),
        (1000, 600, 150, (6.67, 4.0)),
    ],
)
def test_the_page_is_the_map_on_paper(
    width: int, height: int, dpi: int, inches: tuple[float, float]
) -> None:
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">'
        f'<rect width="{width}" height="{height}" fill="#336699"/></svg>'
    )
    box = read(svg_to_pdf(svg, width=width, height=height, dpi=dpi)).pages[0].mediabox
    points = (float(box.width), float(box.height))
    assert points == pytest.approx((width / dpi * 72, height / dpi * 72), abs=0.01)
    assert (round(points[0] / 72, 2), round(points[1] / 72, 2)) == inches


def test_a_rendered_map_at_300_dpi_is_the_print_size(index: LocationIndex) -> None:
    pdf, layout = render_pdf(index, loc(index, "lu"), width=600, height=450, dpi=300)
    box = read(pdf).pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx((144, 108), abs=0.01)
    assert layout.dpi == 300


def test_user_strings_stay_text_and_never_become_typst_code() -> None:
    from ogplatform.maps.render.labels import fonts

    inter = [f for f in fonts().font_files() if "Inter" in f]
    tricky = '"] #set page(width: 1pt) Fish & Chips <b>'
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="600" height="200">'
        '<text x="10" y="100" font-family="Inter" font-size="20">'
        "Fish &amp; Chips &lt;b&gt; &quot;quoted&quot;</text></svg>"
    )
    reader = read(svg_to_pdf(svg, width=600, height=200, font_files=inter, title=tricky))
    page = reader.pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == (600, 200)
    assert 'Fish & Chips <b> "quoted"' in page.extract_text()
    assert reader.metadata is not None and reader.metadata.title == tricky


def test_a_name_with_an_apostrophe_and_accents(index: LocationIndex) -> None:
    ivory = loc(index, "ci")
    pdf, layout = render_pdf(
        index, ivory, width=600, height=450, show_subdivision_labels=False, show_city_labels=False
    )
    text = squeeze(read(pdf).pages[0].extract_text())
    subject = [box.text for box in layout.labels if box.text.upper() == ivory.name.upper()]
    assert subject and squeeze(subject[0]) in text


def test_paper_grain_is_a_tile_not_a_page_sized_raster(index: LocationIndex) -> None:
    # typst rasterises SVG filters finely: the grain alone made a 1400x900 page 25 MB
    pdf, _ = render_pdf(index, loc(index, "be"), width=1000, height=640, theme="vintage")
    assert len(pdf) < 2_000_000
    page = read(pdf).pages[0]
    assert "LIMBURG" in squeeze(page.extract_text())


def test_fonts_are_loaded_once_per_font_set() -> None:
    from ogplatform.maps.render.labels import fonts

    files = tuple(sorted(f for f in fonts().font_files() if "Inter" in f))
    assert pdf_module._session(files) is pdf_module._session(files)
