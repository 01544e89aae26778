"""The laid-out text model that both back-ends (SVG writer, raster path) draw from."""

from __future__ import annotations

from typing import Literal

import msgspec

from ogplatform.render.fonts import FontRef

__all__ = ["Align", "Direction", "Line", "Run", "TextBlock", "TextStyle"]

Direction = Literal["ltr", "rtl"]
Align = Literal["start", "end", "left", "right", "center"]

_LRO, _RLO, _PDF = "\u202d", "\u202e", "\u202c"


class TextStyle(msgspec.Struct, frozen=True):
    """How to set a piece of text.

    Attributes:
        family: Font family; must be installed (see ``FontLibrary.families``).
        weight: 100-900; variable fonts take it as their ``wght`` axis.
        italic: Use the italic face when the family has one.
        line_height: Line spacing as a factor of the font size (1.1-1.2 titles, 1.3-1.4 body).
        align: ``start``/``end`` follow each line's direction; ``left``/``right``/``center``
            are absolute.
    """

    family: str = "Inter"
    weight: int = 400
    italic: bool = False
    line_height: float = 1.2
    align: Align = "start"


class Run(msgspec.Struct, frozen=True):
    """Part of a line drawn with one font in one direction.

    Attributes:
        text: The run's characters in logical (reading) order; shape it with ``rtl``.
        font: The face to draw it with (file path, family, weight, style).
        x: Left edge of the run in px from the block's left edge.
        width: Advance width in px, as HarfBuzz and resvg shape the run as one piece.
        rtl: Shape and draw right-to-left.
        emoji: One emoji cluster, drawn as an image 1 em wide (``width`` is the font size);
            ``font`` is then only the line's font, for metrics.
    """

    text: str
    font: FontRef
    x: float
    width: float
    rtl: bool = False
    emoji: bool = False

    @property
    def forced_text(self) -> str:
        """``text`` wrapped in a directional override (LRO/RLO ... PDF).

        A back-end that runs its own bidi algorithm over the run (resvg does) then lays it out
        exactly as measured, whatever neutral characters it starts or ends with.
        """
        return f"{_RLO if self.rtl else _LRO}{self.text}{_PDF}"


class Line(msgspec.Struct, frozen=True):
    """One line of text.

    Attributes:
        runs: Runs in visual order, left to right, with absolute ``x``.
        x: Left edge of the line's content in px from the block's left (from the alignment).
        width: Advance width of the line's content in px (trailing spaces excluded).
        baseline_y: Baseline in px from the block's top.
        direction: The paragraph direction the line belongs to.
    """

    runs: tuple[Run, ...]
    x: float
    width: float
    baseline_y: float
    direction: Direction

    @property
    def text(self) -> str:
        """The line's characters, runs joined in visual order (for tests and logs)."""
        return "".join(run.text for run in self.runs)


class TextBlock(msgspec.Struct, frozen=True):
    """Text laid out in a box: lines, their runs, and what could not be drawn.

    Attributes:
        lines: The lines, top to bottom.
        font_size: Font size in px.
        line_height: Distance between baselines in px.
        width: Width of the widest line in px (never more than ``box_width`` unless a single
            cluster is wider than the box).
        height: ``len(lines) * line_height``.
        box_width: The width the text was laid out in; alignment offsets are relative to it.
        direction: Base direction of the first paragraph; ``rtl`` text should be right-aligned.
        font: The requested face (fallback faces appear on individual runs).
        ascent: The requested face's ascender at ``font_size`` in px (for placing emoji).
        descent: Its descender in px, positive downwards.
        truncated: Text was cut to ``max_lines`` and an ellipsis added.
        dropped: Clusters that no font covers (never drawn as tofu), in order, without repeats.
    """

    lines: tuple[Line, ...]
    font_size: float
    line_height: float
    width: float
    height: float
    box_width: float
    direction: Direction
    font: FontRef
    ascent: float
    descent: float
    truncated: bool = False
    dropped: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """All lines' text joined by newlines (visual run order; for tests and logs)."""
        return "\n".join(line.text for line in self.lines)
