"""Our measurements against resvg's drawing: the SVG and raster back-ends must agree.

A laid-out line is written as SVG ``<text>`` elements with an explicit ``x`` per run and
rendered by resvg with exactly the runs' font files. The inked pixels must sit where our layout
says each run's glyphs are, to within a pixel or so, for Latin with kerning pairs, several
families and weights, Arabic, Hebrew and mixed-direction lines.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from ogplatform.render import FontLibrary, TextBlock, TextStyle, layout_text
from ogplatform.render._shaping import ink_bounds

try:
    import resvg_py
    from PIL import Image
except ImportError as exc:  # test-only dependencies: required in CI, optional elsewhere
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        raise
    print(f"\nSKIP: resvg agreement needs resvg-py and pillow ({exc})")
    pytest.skip(f"resvg-py and pillow are needed ({exc})", allow_module_level=True)

CJK_DIR = Path(os.environ.get("OGP_TEST_CJK_FONT_DIR", "/usr/share/fonts/opentype/noto"))
PAD = 20
TOLERANCE = 1.5  # px: pixel quantization plus anti-aliasing

CASES = [
    ("Inter", 400, "AVATAR Wave"),
    ("Inter", 700, "AVATAR Wave Type, Yo! LT Vo"),
    ("Inter", 400, "مرحبا بالعالم"),
    ("Inter", 400, "Hello مرحبا 123!"),
    ("Inter", 600, "שלום עולם (Hebrew) 2025"),
    ("Inter", 400, "Cafe\u0301 e\u0301te\u0301 — na\u00efve"),
    ("Playfair Display", 700, "Tidy Yacht, AWAY"),
    ("Space Grotesk", 500, "Grotesk VAT Ty"),
    ("JetBrains Mono", 400, "mono_spaced() => 42"),
]


@pytest.fixture(scope="module")
def fonts() -> FontLibrary:
    return FontLibrary([CJK_DIR])


def to_svg(block: TextBlock) -> tuple[str, list[str]]:
    """What the SVG writer will do: one ``<text>`` per run at its x, direction forced."""
    parts, files = [], set()
    for line in block.lines:
        for run in line.runs:
            assert not run.emoji
            files.add(run.font.path)
            style = "italic" if run.font.italic else "normal"
            parts.append(
                f'<text x="{PAD + run.x:.3f}" y="{PAD + line.baseline_y:.3f}" '
                f'font-family="{escape(run.font.family)}" font-weight="{run.font.weight}" '
                f'font-style="{style}" font-size="{block.font_size}">'
                f"{escape(run.forced_text)}</text>"
            )
    width, height = int(block.box_width) + 2 * PAD, int(block.height) + 2 * PAD
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">'
        f"{''.join(parts)}</svg>"
    )
    return svg, sorted(files)


def inked_columns(svg: str, files: list[str]) -> list[int]:
    png = resvg_py.svg_to_bytes(svg_string=svg, font_files=files, skip_system_fonts=True)
    alpha = Image.open(io.BytesIO(bytes(png))).getchannel("A")
    width, height = alpha.size
    pixels = alpha.load()
    return [x for x in range(width) if any(pixels[x, y] for y in range(height))]


def predicted_ink(block: TextBlock) -> list[tuple[float, float]]:
    """Where each run's glyphs are inked, from HarfBuzz glyph extents and our x positions."""
    spans = []
    for line in block.lines:
        for run in line.runs:
            left, right = ink_bounds(run.text, run.font, block.font_size, run.rtl)
            if right > left:
                spans.append((PAD + run.x + left, PAD + run.x + right))
    return spans


@pytest.mark.parametrize("size", [24, 48, 72])
@pytest.mark.parametrize(("family", "weight", "text"), CASES)
def test_resvg_inks_where_we_measured(
    fonts: FontLibrary, family: str, weight: int, text: str, size: int
) -> None:
    block = layout_text(text, TextStyle(family, weight), fonts=fonts, size=size, width=1400)
    assert len(block.lines) == 1
    svg, files = to_svg(block)
    columns = inked_columns(svg, files)
    assert columns, "resvg drew nothing: a font-family did not match"
    spans = predicted_ink(block)
    # The outer edges agree ...
    assert columns[0] == pytest.approx(min(a for a, _ in spans), abs=TOLERANCE)
    assert columns[-1] + 1 == pytest.approx(max(b for _, b in spans), abs=TOLERANCE)
    # ... and every inked column lies inside some run's predicted ink (runs in the right order).
    stray = [
        x for x in columns if not any(a - TOLERANCE <= x + 0.5 <= b + TOLERANCE for a, b in spans)
    ]
    assert not stray, f"ink outside the predicted runs at columns {stray[:10]}"
    # ... and each run has ink where we put it.
    for a, b in spans:
        assert any(a - TOLERANCE <= x + 0.5 <= b + TOLERANCE for x in columns)
    # The line's advance width bounds the ink (up to side bearings).
    line = block.lines[0]
    assert columns[-1] + 1 <= PAD + line.x + line.width + size * 0.1


def test_an_unknown_family_in_svg_draws_nothing(fonts: FontLibrary) -> None:
    """The trap our layer closes: resvg silently drops text in a family it does not know."""
    block = layout_text("Vanishing", TextStyle("Inter"), fonts=fonts, size=40, width=600)
    svg, files = to_svg(block)
    assert inked_columns(svg, files)
    assert not inked_columns(svg.replace('font-family="Inter"', 'font-family="Nope"'), files)
