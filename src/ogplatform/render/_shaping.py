"""Shaping with HarfBuzz: kerning-correct advances, cached.

Text is shaped at the font's design scale (units per em) and scaled linearly, exactly as resvg
does (no hinting), so one shaping result serves every size that shares the same axis values;
for Inter that is every size from 32 px up, where ``opsz`` is clamped.
"""

from __future__ import annotations

from functools import lru_cache

import uharfbuzz as hb  # type: ignore[import-untyped,unused-ignore]

from ogplatform.render._fontfiles import load_face
from ogplatform.render.fonts import FontRef

__all__ = ["ink_bounds", "measure", "shape_cache_info", "units_per_em", "vertical_metrics"]

Variations = tuple[tuple[str, float], ...]


@lru_cache(maxsize=512)
def _font(path: str, index: int, variations: Variations) -> hb.Font:
    font = hb.Font(load_face(path, index))
    if variations:
        font.set_variations(dict(variations))
    return font


def units_per_em(ref: FontRef) -> int:
    """The font's design units per em."""
    return int(load_face(ref.path, ref.index).upem)


def _shape(text: str, font: hb.Font, rtl: bool) -> hb.Buffer:
    buf = hb.Buffer()
    buf.add_str(text)
    buf.direction = "rtl" if rtl else "ltr"
    buf.guess_segment_properties()
    hb.shape(font, buf, {})
    return buf


@lru_cache(maxsize=16384)
def _advance_units(text: str, path: str, index: int, variations: Variations, rtl: bool) -> int:
    buf = _shape(text, _font(path, index, variations), rtl)
    return sum(pos.x_advance for pos in buf.glyph_positions)


def _variations(ref: FontRef, size: float) -> Variations:
    return tuple(sorted(ref.variations(size).items()))


def measure(text: str, ref: FontRef, size: float, rtl: bool = False) -> float:
    """Advance width of ``text`` in px at ``size`` px, shaped as one run (LRU-cached)."""
    if not text:
        return 0.0
    units = _advance_units(text, ref.path, ref.index, _variations(ref, size), rtl)
    return units * size / units_per_em(ref)


def ink_bounds(text: str, ref: FontRef, size: float, rtl: bool = False) -> tuple[float, float]:
    """Left and right edges of the inked glyph boxes, in px from the run's left origin.

    Returns ``(0.0, 0.0)`` when nothing is inked (spaces). Used to place text optically and to
    compare against a rasterizer's output.
    """
    font = _font(ref.path, ref.index, _variations(ref, size))
    buf = _shape(text, font, rtl)
    left, right, pen = float("inf"), float("-inf"), 0
    for info, pos in zip(buf.glyph_infos, buf.glyph_positions, strict=True):
        ext = font.get_glyph_extents(info.codepoint)
        if ext is not None and ext.width:
            start = pen + pos.x_offset + ext.x_bearing
            left, right = min(left, start), max(right, start + ext.width)
        pen += pos.x_advance
    if left > right:
        return (0.0, 0.0)
    scale = size / units_per_em(ref)
    return (left * scale, right * scale)


def vertical_metrics(ref: FontRef, size: float) -> tuple[float, float]:
    """Ascender and descender (positive, downwards) in px at ``size``, from the font's hhea."""
    ext = _font(ref.path, ref.index, _variations(ref, size)).get_font_extents("ltr")
    scale = size / units_per_em(ref)
    return ext.ascender * scale, -ext.descender * scale


def shape_cache_info() -> str:
    """Hit/miss figures of the shaping cache (for benchmarks and debugging)."""
    return str(_advance_units.cache_info())
