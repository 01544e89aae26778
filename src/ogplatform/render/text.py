"""Text layout: fallback fonts, bidi, wrapping, clamping with an ellipsis, and auto-fit.

``layout_text`` sets text at one size; ``fit_text`` finds the largest size at which it fits a
box. Both return a :class:`TextBlock` that the SVG writer and the raster path draw alike.
"""

from __future__ import annotations

import math

from ogplatform.render._bidi import visual_order
from ogplatform.render._breaking import (
    EMOJI,
    EPSILON,
    Cluster,
    PreparedText,
    Span,
    break_lines,
    group_runs,
)
from ogplatform.render._shaping import measure, vertical_metrics
from ogplatform.render._types import Align, Direction, Line, Run, TextBlock, TextStyle
from ogplatform.render.fonts import FontLibrary

__all__ = [
    "Align",
    "Direction",
    "Line",
    "Run",
    "TextBlock",
    "TextStyle",
    "fit_text",
    "layout_text",
]

#: Upper bound on line-breaking passes of one ``fit_text`` call (2 ends + a binary search).
MAX_FIT_PASSES = 16
_MAX_REBREAKS = 3


def _prepare(text: str, style: TextStyle, fonts: FontLibrary) -> PreparedText:
    """Analyse ``text`` once for any size: clusters, fallback fonts, bidi levels, breaks.

    Raises:
        UnknownFontFamilyError: ``style.family`` is not installed.
    """
    primary = fonts.resolve(style.family, style.weight, style.italic)
    return PreparedText(text, fonts.fallback_chain(primary), fonts.coverage)


def _shape_line(prep: PreparedText, items: list[Cluster], size: float) -> list[tuple[Run, int]]:
    """The line's runs in logical order with their widths (x still 0) and levels."""
    while items and items[-1].text.isspace():  # trailing spaces hang outside the box
        items = items[:-1]
    runs: list[tuple[Run, int]] = []
    for font, level, text in group_runs(items):
        rtl = bool(level % 2)
        if font == EMOJI:
            run = Run(text, prep.chain[0], 0.0, size, rtl=rtl, emoji=True)
        else:
            ref = prep.chain[font]
            run = Run(text, ref, 0.0, measure(text, ref, size, rtl), rtl=rtl)
        runs.append((run, level))
    return runs


def _line_width(runs: list[tuple[Run, int]]) -> float:
    return sum(run.width for run, _ in runs)


def _clamped(prep: PreparedText, span: Span, size: float, width: float) -> list[tuple[Run, int]]:
    """The span's runs with an ellipsis, dropping whole clusters from the end until it fits."""
    para, start, end = span
    items = prep.paragraphs[para]

    def attempt(keep: int) -> list[tuple[Run, int]]:
        kept = items[start:keep]
        while kept and kept[-1].text.isspace():
            kept = kept[:-1]
        ellipsis = prep.ellipsis(para, kept[-1] if kept else None)
        return _shape_line(prep, [*kept, ellipsis], size)

    best = attempt(end)
    if _line_width(best) <= width + EPSILON:
        return best
    fits, fails = start, end  # binary search on the number of clusters kept
    while fails - fits > 1:
        middle = (fits + fails) // 2
        if _line_width(attempt(middle)) <= width + EPSILON:
            fits = middle
        else:
            fails = middle
    return attempt(fits)


def _place(
    runs: list[tuple[Run, int]], base: int, width: float, align: Align, baseline: float
) -> Line:
    direction: Direction = "rtl" if base else "ltr"
    line_width = _line_width(runs)
    side = {"start": "right" if base else "left", "end": "left" if base else "right"}.get(
        align, align
    )
    free = max(width - line_width, 0.0)
    x = {"left": 0.0, "right": free, "center": free / 2}[side]
    left = x
    placed: list[Run] = []
    for i in visual_order([level for _, level in runs]):
        run = runs[i][0]
        placed.append(Run(run.text, run.font, x, run.width, rtl=run.rtl, emoji=run.emoji))
        x += run.width
    return Line(tuple(placed), left, line_width, baseline, direction)


def _build(
    prep: PreparedText, style: TextStyle, size: float, width: float, max_lines: int
) -> TextBlock:
    """Break, shape the kept lines, clamp the last one if text was left over."""
    budget = width
    for _ in range(_MAX_REBREAKS):
        spans, overflow, _ = break_lines(prep, size, budget, max_lines)
        shaped = [_shape_line(prep, prep.paragraphs[p][s:e], size) for p, s, e in spans]
        if overflow and spans:
            shaped[-1] = _clamped(prep, spans[-1], size, width)
        # Kerning across word boundaries can make a shaped line a hair wider than the sum of its
        # words: break again in a slightly narrower width (never for a single cluster).
        over = [
            _line_width(runs) - width
            for runs, (_, s, e) in zip(shaped, spans, strict=True)
            if e - s > 1 and _line_width(runs) > width + EPSILON
        ]
        if not over:
            break
        budget -= max(over) + 0.01
    ascent, descent = vertical_metrics(prep.chain[0], size)
    line_height = size * style.line_height
    first_baseline = (line_height - ascent - descent) / 2 + ascent
    lines = tuple(
        _place(runs, prep.bases[p], width, style.align, first_baseline + i * line_height)
        for i, (runs, (p, _, _)) in enumerate(zip(shaped, spans, strict=True))
    )
    return TextBlock(
        lines=lines,
        font_size=size,
        line_height=line_height,
        width=max((line.width for line in lines), default=0.0),
        height=len(lines) * line_height,
        box_width=width,
        direction="rtl" if prep.bases and prep.bases[0] else "ltr",
        font=prep.chain[0],
        ascent=ascent,
        descent=descent,
        truncated=overflow,
        dropped=prep.dropped,
    )


def _check(size: float, width: float, max_lines: int | None, style: TextStyle) -> None:
    if not (style.line_height > 0 and math.isfinite(style.line_height)):
        raise ValueError(f"line_height must be a positive factor, got {style.line_height!r}")
    if not (size > 0 and math.isfinite(size)):
        raise ValueError(f"font size must be a positive number, got {size!r}")
    if not (width > 0 and math.isfinite(width)):
        raise ValueError(f"width must be a positive number, got {width!r}")
    if max_lines is not None and max_lines < 1:
        raise ValueError(f"max_lines must be at least 1, got {max_lines!r}")


def layout_text(
    text: str,
    style: TextStyle,
    *,
    fonts: FontLibrary,
    size: float,
    width: float,
    max_lines: int | None = None,
) -> TextBlock:
    """Set ``text`` at ``size`` px, wrapped to ``width`` px.

    With ``max_lines``, text past that many lines is cut and the last line ends with an
    ellipsis, trimmed by whole grapheme clusters until it fits.

    Raises:
        UnknownFontFamilyError: ``style.family`` is not installed.
        ValueError: a size, width or line count that is not positive.
    """
    _check(size, width, max_lines, style)
    prep = _prepare(text, style, fonts)
    return _build(prep, style, size, width, max_lines or 2**31)


def fit_text(
    text: str,
    style: TextStyle,
    *,
    fonts: FontLibrary,
    width: float,
    height: float,
    max_size: float,
    min_size: float,
    max_lines: int | None = None,
    step: float = 1.0,
) -> TextBlock:
    """The largest size from ``max_size`` down to ``min_size`` (in ``step`` px) that fits.

    Text fits when it needs at most ``max_lines`` lines and they stack within ``height``. If
    even ``min_size`` overflows, the text is set at ``min_size`` and clamped with an ellipsis.
    A bounded binary search: at most :data:`MAX_FIT_PASSES` line-breaking passes.

    Raises:
        UnknownFontFamilyError: ``style.family`` is not installed.
        ValueError: sizes, step, width or height that are not positive, or min above max.
    """
    _check(min_size, width, max_lines, style)
    _check(max_size, width, max_lines, style)
    if not (step > 0 and height > 0 and min_size <= max_size):
        raise ValueError("need step > 0, height > 0 and min_size <= max_size")
    prep = _prepare(text, style, fonts)
    count = math.floor((max_size - min_size) / step + EPSILON)

    def size_at(index: int) -> float:  # index 0 is max_size; index count + 1 is min_size
        return min_size if index > count else max_size - index * step

    def lines_for(size: float) -> int:
        by_height = max(1, math.floor(height / (size * style.line_height) + EPSILON))
        return min(by_height, max_lines) if max_lines else by_height

    def fits(index: int) -> bool:
        size = size_at(index)
        spans, overflow, widest = break_lines(prep, size, width, lines_for(size))
        tall = len(spans) * size * style.line_height > height + EPSILON
        return not (overflow or tall or widest > width + EPSILON)

    last = count + 1 if size_at(count) > min_size + EPSILON else count
    if last == 0 or fits(0):
        found = 0
    elif not fits(last):
        found = last
    else:
        found, fails = last, 0  # found fits, fails does not
        for _ in range(MAX_FIT_PASSES - 2):
            if found - fails <= 1:
                break
            middle = (found + fails) // 2
            if fits(middle):
                found = middle
            else:
                fails = middle
    size = size_at(found)
    return _build(prep, style, size, width, lines_for(size))
