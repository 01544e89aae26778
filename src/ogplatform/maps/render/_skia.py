"""The map's SVG drawn with Skia: shapes by Skia's SVG module, labels from our glyph outlines.

A map's SVG is its display list: one description for the SVG, PDF and PNG outputs. resvg drew
the PNG faithfully but slowly (a US 1400x900 map: ~340 ms of a ~470 ms render); Skia's SVG
module (``skia.SVGDOM``) draws the same shapes in a third of the time, within a level or two
of resvg per pixel (the tests compare both). It cannot draw our labels (no ``paint-order``
halos, and it would look for fonts on the system), so they are lifted out of the document
and drawn here from the same HarfBuzz shaping and outlines the labels were measured with:
each ``<text>`` as one path, its halo stroked under its fill; ``<textPath>`` glyph by glyph
along the line, as SVG places them (each glyph's middle on the path, turned with it).

The document is drawn in two passes onto one canvas: everything but the labels and the
finishing touches (``<g id="finish">``: vignette, neatline), then the labels, then the
finish, so the labels sit where the SVG has them. Only our own writer's SVG is drawn here.
"""

from __future__ import annotations

import html
import math
import re
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import skia

from ogplatform.render import TextStyle, layout_text
from ogplatform.render._outlines import GlyphKey, glyph_path, run_glyphs

__all__ = ["FINISH_ID", "UnsupportedSvg", "draw_svg"]

FINISH_ID = "finish"  # the group drawn after the labels
_TEXT = re.compile(r"<text\b([^>]*)>(.*?)</text>", re.S)
_TSPAN = re.compile(r'<tspan x="([-0-9.]+)" y="([-0-9.]+)">(.*?)</tspan>', re.S)
_TEXT_PATH = re.compile(r'<textPath\b[^>]*\bhref="#([^"]+)"[^>]*>(.*?)</textPath>', re.S)
_ATTR = re.compile(r'([a-z-]+)="([^"]*)"')
_PAINT_DEFS = re.compile(
    r"<(radialGradient|linearGradient|filter|pattern)\b[^>]*?(?:/>|>.*?</\1>)", re.S
)
_USE_HREF = re.compile(r'(<use\b[^>]*?)\shref="#')
_TOKEN = re.compile(r"[MLQCZ]|-?\d+(?:\.\d+)?(?:e-?\d+)?")


class UnsupportedSvg(ValueError):
    """The document has text this module does not draw (the caller falls back to resvg)."""


def draw_svg(svg: str, width: int, height: int) -> npt.NDArray[np.uint8]:
    """The document as premultiplied RGBA pixels, ``height`` x ``width`` x 4.

    Raises :class:`UnsupportedSvg`, before drawing anything, when a ``<text>`` is not one of
    the forms the map writer uses (see :func:`_plan_text`)."""
    finish_at = svg.rfind(f'<g id="{FINISH_ID}">')
    end = svg.rindex("</svg>")
    main = svg[:finish_at] if finish_at >= 0 else svg[:end]
    tail = svg[finish_at:end] if finish_at >= 0 else ""
    if "<text" in tail:
        raise UnsupportedSvg("text in the finishing group")
    lines = _line_paths(svg) if "<textPath" in main else {}
    labels = [_plan_text(dict(_ATTR.findall(m[1])), m[2], lines) for m in _TEXT.finditer(main)]
    main = _TEXT.sub("", main) + "</svg>"
    pixels = np.zeros((height, width, 4), dtype=np.uint8)
    surface = skia.Surface(
        pixels, colorType=skia.kRGBA_8888_ColorType, alphaType=skia.kPremul_AlphaType
    )
    with surface as canvas:
        _render(canvas, main)
        for path, paints in labels:
            for paint in paints:  # the halo first, then the fill
                canvas.drawPath(path, paint)
        if tail:
            head = svg[: svg.index(">", svg.index("<svg")) + 1]
            paint_defs = "".join(m[0] for m in _PAINT_DEFS.finditer(svg[:finish_at]))
            _render(canvas, f"{head}<defs>{paint_defs}</defs>{tail}</svg>")
    return pixels


def _render(canvas: skia.Canvas, svg: str) -> None:
    # Skia's SVG module follows only xlink:href on <use> (SVG 1.1); ours writes SVG 2's href.
    data = _USE_HREF.sub(r'\1 xlink:href="#', svg).encode()
    dom = skia.SVGDOM.MakeFromStream(skia.MemoryStream(data, True))
    dom.render(canvas)


# -- labels ---------------------------------------------------------------------------------


def _line_paths(svg: str) -> dict[str, npt.NDArray[np.float64]]:
    """The paths ``<textPath>`` elements follow (``M x y x y ...``), by id."""
    out: dict[str, npt.NDArray[np.float64]] = {}
    for m in re.finditer(r'<path id="([^"]+)" d="M([^"]*)"/>', svg):
        if m[1].startswith("rl-"):
            values = np.array(m[2].split(), dtype=np.float64)
            out[m[1]] = values.reshape(-1, 2)
    return out


_HEX = re.compile(r"#[0-9a-fA-F]{6}")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_WEIGHTS = {"normal": 400, "bold": 700}
# what a <text> may carry: anything else (transform, style, dx, baseline shifts...) is drawn
# by resvg instead
_KNOWN = {
    "class", "x", "y", "font-family", "font-size", "font-weight", "font-style", "fill",
    "fill-opacity", "stroke", "stroke-width", "stroke-opacity", "stroke-linejoin",
    "paint-order", "letter-spacing", "text-anchor",
}  # fmt: skip


def _colour(value: str, opacity: float = 1.0) -> int:
    r, g, b = (int(value[i : i + 2], 16) for i in (1, 3, 5))
    return int(skia.Color(r, g, b, round(255 * opacity)))


def _number(attrs: dict[str, str], name: str, default: str) -> float:
    value = attrs.get(name, default).removesuffix("px")
    if not _NUMBER.fullmatch(value):
        raise UnsupportedSvg(f"{name}={value!r}")
    return float(value)


def _plan_text(
    attrs: dict[str, str], content: str, lines: dict[str, npt.NDArray[np.float64]]
) -> tuple[skia.Path, list[skia.Paint]]:
    """One ``<text>`` as its glyphs in one path and the paints to draw it with (the halo
    stroked under the fill). The forms drawn here: ``<tspan x y>`` lines, plain text with
    ``x`` and ``y`` on the element, or one ``<textPath startOffset="50%"
    text-anchor="middle">``; ``text-anchor`` start, middle or end."""
    unknown = set(attrs) - _KNOWN
    if unknown:
        raise UnsupportedSvg(f"text attributes {sorted(unknown)}")
    weight = attrs.get("font-weight", "400")
    style = (
        attrs.get("font-family", "Inter"),
        _WEIGHTS[weight] if weight in _WEIGHTS else int(_number(attrs, "font-weight", "400")),
        attrs.get("font-style") == "italic",
    )
    size = _number(attrs, "font-size", "16")
    tracking = _number(attrs, "letter-spacing", "0")
    anchor = {"start": 0.0, "middle": 0.5, "end": 1.0}.get(attrs.get("text-anchor", "start"))
    if anchor is None:
        raise UnsupportedSvg(f"text-anchor={attrs['text-anchor']!r}")
    path = skia.Path()
    along = _TEXT_PATH.fullmatch(content.strip())
    if along is not None:
        if 'startOffset="50%"' not in along[0] or 'text-anchor="middle"' not in along[0]:
            raise UnsupportedSvg("a textPath not centred on its line")
        line = lines.get(along[1])
        if line is not None and len(line) >= 2:
            _glyphs_along(path, html.unescape(along[2]), style, size, tracking, line)
    elif "<" not in content:
        if content.strip():
            x, y = _number(attrs, "x", ""), _number(attrs, "y", "")
            _glyphs_at(path, html.unescape(content), style, size, tracking, x, y, anchor)
    else:
        if _TSPAN.sub("", content).strip():
            raise UnsupportedSvg("text content other than <tspan x y> lines")
        for x, y, text in _TSPAN.findall(content):
            _glyphs_at(path, html.unescape(text), style, size, tracking, float(x), float(y), anchor)
    paints: list[skia.Paint] = []
    for name in ("stroke", "fill"):
        value = attrs.get(name, "none" if name == "stroke" else "#000000")
        if value == "none":
            continue
        if not _HEX.fullmatch(value):
            raise UnsupportedSvg(f"{name}={value!r}")
        opacity = _number(attrs, f"{name}-opacity", "1")
        if name == "fill":
            paints.append(skia.Paint(AntiAlias=True, Color=_colour(value, opacity)))
        elif _number(attrs, "stroke-width", "1") > 0:
            paints.append(
                skia.Paint(
                    AntiAlias=True,
                    Style=skia.Paint.kStroke_Style,
                    StrokeWidth=_number(attrs, "stroke-width", "1"),
                    StrokeJoin=skia.Paint.kRound_Join,
                    Color=_colour(value, opacity),
                )
            )
    return path, paints


Style = tuple[str, int, bool]  # family, weight, italic
# A shaped label, per glyph: (glyph, px per font unit, x of its origin in px, y offset in px,
# advance in px)
Shaped = tuple[tuple[GlyphKey, float, float, float, float], ...]


@lru_cache(maxsize=4096)
def _shaped(text: str, style: Style, size: float, tracking: float) -> tuple[Shaped, float]:
    """The text set as the label placer measured it (same layout, same fallback fonts), with
    ``letter-spacing`` after every glyph; and the total advance in px."""
    from ogplatform.maps.render.labels import fonts

    family, weight, italic = style
    block = layout_text(
        text,
        TextStyle(family, weight=weight, italic=italic, line_height=1.1),
        fonts=fonts(),
        size=size,
        width=1e6,
        max_lines=1,
    )
    out: list[tuple[GlyphKey, float, float, float, float]] = []
    extra = 0.0
    for line in block.lines:
        for run in line.runs:
            if run.emoji:
                continue
            glyphs, scale = run_glyphs(run, size)
            ends = [g[1] for g in glyphs[1:]] + [run.width / scale]
            for (key, gx, gy), end in zip(glyphs, ends, strict=True):
                x = run.x + gx * scale + extra
                out.append((key, round(scale, 9), x, gy * scale, (end - gx) * scale))
                extra += tracking
    total = (block.lines[0].width if block.lines else 0.0) + extra
    return tuple(out), total


@lru_cache(maxsize=16384)
def _glyph(key: GlyphKey, scale: float) -> skia.Path | None:
    """The glyph's outline in px with y down, its origin at (0, 0)."""
    data = glyph_path(key)
    if not data:
        return None
    path = skia.Path()
    values: list[float] = []
    command = ""

    def flush() -> None:
        v = values
        if command == "M":
            path.moveTo(v[0], v[1])
        elif command == "L":
            path.lineTo(v[0], v[1])
        elif command == "Q":
            path.quadTo(v[0], v[1], v[2], v[3])
        elif command == "C":
            path.cubicTo(v[0], v[1], v[2], v[3], v[4], v[5])

    for part in _TOKEN.findall(data):
        if part.isalpha():
            if command:
                flush()
            if part == "Z":
                path.close()
                command = ""
            else:
                command = part
            values = []
        else:
            values.append(float(part) * (-scale if len(values) % 2 else scale))
    if command:
        flush()
    return path


def _glyphs_at(
    path: skia.Path,
    text: str,
    style: Style,
    size: float,
    tracking: float,
    x: float,
    y: float,
    anchor: float = 0.0,
) -> None:
    """A line of text with its baseline at ``y``; ``anchor`` 0, 0.5 or 1 puts its start,
    middle or end at ``x``."""
    shaped, total = _shaped(text, style, size, tracking)
    x -= total * anchor
    for key, scale, gx, gy, _advance in shaped:
        outline = _glyph(key, scale)
        if outline is not None:
            path.addPath(outline, x + gx, y - gy)


def _glyphs_along(
    path: skia.Path,
    text: str,
    style: Style,
    size: float,
    tracking: float,
    line: npt.NDArray[np.float64],
) -> None:
    """``<textPath startOffset="50%" text-anchor="middle">``: each glyph's middle on the
    line, turned to the line's direction there; glyphs past either end are not drawn."""
    shaped, total = _shaped(text, style, size, tracking)
    steps = np.diff(line, axis=0)
    lengths = np.hypot(steps[:, 0], steps[:, 1])
    at = np.concatenate([[0.0], np.cumsum(lengths)])
    start = at[-1] / 2 - total / 2
    for key, scale, gx, gy, advance in shaped:
        mid = start + gx + advance / 2
        if mid < 0 or mid > at[-1]:
            continue
        i = min(int(np.searchsorted(at, mid, side="right")) - 1, len(steps) - 1)
        t = (mid - at[i]) / lengths[i] if lengths[i] else 0.0
        px, py = line[i] + steps[i] * t
        angle = math.degrees(math.atan2(steps[i, 1], steps[i, 0]))
        outline = _glyph(key, scale)
        if outline is None:
            continue
        matrix = skia.Matrix.Translate(float(px), float(py))
        matrix.preRotate(angle)
        matrix.preTranslate(-advance / 2, -gy)
        path.addPath(outline, matrix)
