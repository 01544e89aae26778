"""Glyph outlines from HarfBuzz, so SVG output draws text as paths: exact, and independent
of the fonts a viewer has (an SVG served with ``default-src 'none'`` could not load any)."""

from __future__ import annotations

from functools import lru_cache

from ogplatform.render._shaping import _font, _shape, _variations, units_per_em
from ogplatform.render._types import Run

__all__ = ["Glyph", "GlyphKey", "glyph_path", "run_glyphs"]

Variations = tuple[tuple[str, float], ...]
# Which glyph: (font file, face index, axis values, glyph id); hashable, so writers can share
# one definition per glyph.
GlyphKey = tuple[str, int, Variations, int]
# (glyph, x offset in font units from the run's origin, y offset in font units)
Glyph = tuple[GlyphKey, float, float]


class _PathPen:
    """The pen protocol HarfBuzz draws with, writing SVG path data (font units, y up)."""

    __slots__ = ("parts",)

    def __init__(self) -> None:
        self.parts: list[str] = []

    def moveTo(self, p: tuple[float, float]) -> None:
        self.parts.append(f"M{p[0]:g} {p[1]:g}")

    def lineTo(self, p: tuple[float, float]) -> None:
        self.parts.append(f"L{p[0]:g} {p[1]:g}")

    def qCurveTo(self, *points: tuple[float, float]) -> None:
        *controls, end = points
        # A run of quadratic controls has implied on-curve points halfway between them.
        for i, control in enumerate(controls):
            target = end if i == len(controls) - 1 else _mid(control, controls[i + 1])
            self.parts.append(f"Q{control[0]:g} {control[1]:g} {target[0]:g} {target[1]:g}")

    def curveTo(self, *points: tuple[float, float]) -> None:
        (x1, y1), (x2, y2), (x, y) = points
        self.parts.append(f"C{x1:g} {y1:g} {x2:g} {y2:g} {x:g} {y:g}")

    def closePath(self) -> None:
        self.parts.append("Z")


def _mid(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    return ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)


@lru_cache(maxsize=65536)
def glyph_path(key: GlyphKey) -> str:
    """SVG path data of one glyph, in font units with y pointing up."""
    path, index, variations, gid = key
    pen = _PathPen()
    _font(path, index, variations).draw_glyph_with_pen(gid, pen)
    return "".join(pen.parts)


def run_glyphs(run: Run, size: float) -> tuple[list[Glyph], float]:
    """The run's glyphs with their offsets in font units, and the px-per-unit scale."""
    variations = _variations(run.font, size)
    glyphs = _glyphs(run.text, run.font.path, run.font.index, variations, run.rtl)
    return list(glyphs), size / units_per_em(run.font)


@lru_cache(maxsize=8192)
def _glyphs(
    text: str, path: str, index: int, variations: Variations, rtl: bool
) -> tuple[Glyph, ...]:
    buf = _shape(text, _font(path, index, variations), rtl)
    out: list[Glyph] = []
    pen = 0
    for info, pos in zip(buf.glyph_infos, buf.glyph_positions, strict=True):
        out.append(((path, index, variations, info.codepoint), pen + pos.x_offset, pos.y_offset))
        pen += pos.x_advance
    return tuple(out)
