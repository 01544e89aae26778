"""Render the map gallery into docs/maps/gallery/: per location one contact-sheet JPEG with the
five built-in themes (3 x 2 tiles, the sixth a caption). Run after changing the renderer:
``python scripts/maps_gallery.py [code ...]``."""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path
from typing import Any

from PIL import Image

from ogplatform.maps.geodata import LocationIndex
from ogplatform.maps.render import (
    THEMES,
    WORLD_CODE,
    render_png,
    render_world_png,
    svg_to_png,
)
from ogplatform.maps.render.labels import fonts as font_library
from ogplatform.render import xml_text

OUT = Path(__file__).resolve().parents[1] / "docs" / "maps" / "gallery"
TILE = (800, 520)
COLUMNS = 3
QUALITY = 82
ORDER = ("modern", "vintage", "satellite", "monochrome", "blueprint")
# code -> (caption, render options)
LOCATIONS: dict[str, tuple[str, dict[str, Any]]] = {
    "us": (
        "United States: highlight objects (colour, own label), leader lines for MD, DE, RI",
        {
            "highlight": [
                {"code": "us-tx", "color": "#2a9d8f", "label": "Lone Star"},
                "us-ca",
            ],
            "show_features": True,
        },
    ),
    "de": ("Germany: rivers, lakes, city-states", {"show_features": True}),
    "br": ("Brazil: azimuthal equal-area", {"show_features": True}),
    "in": ("India: leader lines in the north-east and for Goa", {"show_features": False}),
    "jp": ("Japan: prefectures", {"show_features": False}),
    "ru": ("Russia: across the antimeridian, in one piece", {"show_features": False}),
    "us-ca": ("California: a subdivision map", {"show_features": True, "highlight": ["us-ca"]}),
    "city-fr-paris": ("Paris: a city map", {"show_features": True}),
    "city-us-chicago": ("Chicago: a city map", {"show_features": True}),
    WORLD_CODE: (
        "The world: Equal Earth, highlighted countries",
        {"highlight": [{"code": "br", "color": "#2a9d8f"}, "au", "in"]},
    ),
}


def _caption(text: str, sub: str, size: tuple[int, int], fonts: tuple[str, ...]) -> Image.Image:
    w, h = size
    lines = []
    words, line = text.split(), ""
    for word in words:  # a crude wrap: the caption is short
        if len(line) + len(word) > 34:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    tspans = "".join(
        f'<tspan x="40" y="{120 + i * 44}">{xml_text(t)}</tspan>' for i, t in enumerate(lines)
    )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}">'
        f'<rect width="{w}" height="{h}" fill="#f4f5f7"/>'
        f'<text font-family="Inter" font-size="32" font-weight="600" fill="#2f3a44">'
        f"{tspans}</text>"
        f'<text x="40" y="{h - 48}" font-family="Inter" font-size="22" fill="#6b7785">'
        f"{xml_text(sub)}</text></svg>"
    )
    return Image.open(io.BytesIO(svg_to_png(svg, fonts))).convert("RGB")


def _label(img: Image.Image, text: str, fonts: tuple[str, ...]) -> Image.Image:
    """The theme's name in a small tab in the tile's upper right corner."""
    w = 16 + 11 * len(text)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="30">'
        f'<rect width="{w}" height="30" rx="4" fill="#1b1b1b" fill-opacity="0.72"/>'
        f'<text x="{w / 2}" y="20" text-anchor="middle" font-family="Inter" font-size="15" '
        f'fill="#ffffff">{xml_text(text)}</text></svg>'
    )
    tab = Image.open(io.BytesIO(svg_to_png(svg, fonts))).convert("RGBA")
    out = img.convert("RGBA")
    out.alpha_composite(tab, (img.width - w - 22, 22))
    return out.convert("RGB")


def render_sheet(index: LocationIndex, code: str) -> Path:
    caption, options = LOCATIONS[code]
    tiles: list[Image.Image] = []
    fonts: tuple[str, ...] = ()
    started = time.perf_counter()
    for theme in ORDER:
        if code == WORLD_CODE:
            png, layout = render_world_png(
                index, width=TILE[0], height=TILE[1], theme=theme, **options
            )
        else:
            place = index.get(code)
            assert place is not None, code
            png, layout = render_png(
                index, place, width=TILE[0], height=TILE[1], theme=theme, **options
            )
        if theme == "modern":
            inter = font_library().resolve("Inter", 400, False)
            bold = font_library().resolve("Inter", 600, False)
            fonts = tuple({inter.path, bold.path})
        tiles.append(_label(Image.open(io.BytesIO(png)).convert("RGB"), THEMES[theme].id, fonts))
    took = time.perf_counter() - started
    rows = -(-(len(tiles) + 1) // COLUMNS)
    gap = 8
    sheet = Image.new(
        "RGB",
        (COLUMNS * TILE[0] + (COLUMNS + 1) * gap, rows * TILE[1] + (rows + 1) * gap),
        "#d9dde2",
    )
    projection = str(layout.projection["name"]).replace("_", " ")
    cells = [*tiles, _caption(caption, f"{code} · {projection}", TILE, fonts)]
    for i, tile in enumerate(cells):
        r, c = divmod(i, COLUMNS)
        sheet.paste(tile, (gap + c * (TILE[0] + gap), gap + r * (TILE[1] + gap)))
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{code}.jpg"
    sheet.save(path, "JPEG", quality=QUALITY, optimize=True, progressive=True)
    print(f"{path.name}: {path.stat().st_size / 1024:.0f} KB, five themes in {took:.1f} s")
    return path


def main(argv: list[str]) -> None:
    index = LocationIndex.load()
    for code in argv or list(LOCATIONS):
        render_sheet(index, code)


if __name__ == "__main__":
    main(sys.argv[1:])
