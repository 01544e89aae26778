"""Text onto pixels: our glyph outlines filled with AGG (aggdraw), emoji from Twemoji via resvg.

The outlines are the same HarfBuzz outlines the SVG writer emits, so raster and SVG output
agree; filling them here takes a few milliseconds where resvg-py needed tens (its cost grows
with the area it draws and encodes, and a card's text block is most of the canvas).
"""

from __future__ import annotations

import io
import re
from functools import lru_cache

import aggdraw
import resvg_py
from PIL import Image

from ogplatform.render._outlines import GlyphKey, glyph_path, run_glyphs
from ogplatform.render.emoji import emoji_svg
from ogplatform.render.scene import Text

__all__ = ["draw_text"]

_TOKEN = re.compile(r"[MLQCZ]|-?\d+(?:\.\d+)?(?:e-?\d+)?")


def draw_text(image: Image.Image, layer: Text) -> None:
    """Draw a text layer onto an opaque RGBA ``image`` in place."""
    block = layer.block
    size = block.font_size
    r, g, b = (int(layer.color[i : i + 2], 16) for i in (1, 3, 5))
    brush = aggdraw.Brush((r, g, b), round(255 * layer.opacity))
    draw = aggdraw.Draw(image)
    emoji: list[tuple[str, float, float]] = []
    for line in block.lines:
        baseline = layer.y + line.baseline_y
        for run in line.runs:
            left = layer.x + run.x
            if run.emoji:
                top = baseline - block.ascent + (block.ascent + block.descent - size) / 2
                emoji.append((run.text, left, top))
                continue
            glyphs, scale = run_glyphs(run, size)
            for key, gx, gy in glyphs:
                symbol = _symbol(key, round(scale, 6))
                if symbol is not None:
                    draw.symbol((left + gx * scale, baseline - gy * scale), symbol, brush)
    draw.flush()
    for cluster, x, y in emoji:
        picture = _emoji_image(cluster, round(size))
        if picture is not None:
            # Whole pixels: an emoji is an image, and Pillow composites at integer offsets.
            image.alpha_composite(picture, dest=(round(x), round(y)))


@lru_cache(maxsize=16384)
def _symbol(key: GlyphKey, scale: float) -> aggdraw.Symbol | None:
    """The glyph's outline scaled to pixels (y down), placed later at the pen position."""
    path = glyph_path(key)
    if not path:
        return None
    parts: list[str] = []
    y_next = False
    for token in _TOKEN.findall(path):
        if token.isalpha():
            parts.append(token)
            y_next = False
        else:
            value = float(token) * (-scale if y_next else scale)
            parts.append(f"{value:.3f}")
            y_next = not y_next
    return aggdraw.Symbol(" ".join(parts))


@lru_cache(maxsize=512)
def _emoji_image(cluster: str, size: int) -> Image.Image | None:
    drawing = emoji_svg(cluster)
    if drawing is None:
        return None
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
           f'viewBox="0 0 36 36">{drawing}</svg>')  # fmt: skip
    png = resvg_py.svg_to_bytes(svg_string=svg, skip_system_fonts=True)
    return Image.open(io.BytesIO(bytes(png))).convert("RGBA")
