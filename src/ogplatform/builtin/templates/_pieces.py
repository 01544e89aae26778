"""Pieces the second wave of built-in templates share: kickers, pills, tiles, readable accents.

They sit beside ``_kit`` rather than in it; anything here that proves generally useful can move.
"""

from __future__ import annotations

from ogplatform.builtin.templates._kit import Palette, contrast, mix, on
from ogplatform.plugins.templates import CardInput
from ogplatform.render import (
    FontLibrary,
    Layer,
    RadialGradient,
    Rect,
    Solid,
    Stop,
    Text,
    TextBlock,
    TextStyle,
)
from ogplatform.render import layout_text as _layout

__all__ = [
    "accent_ink",
    "glow",
    "glyph",
    "kicker",
    "pill",
    "readable",
    "tile",
    "tracked",
]

_THIN = "\u2009"  # letter-spacing by thin spaces: the layout engine has no tracking yet


def tracked(text: str) -> str:
    """``text`` in capitals with a thin space between letters (about 0.15 em of tracking)."""
    return f" {_THIN}".join(_THIN.join(word) for word in text.upper().split())


def kicker(
    text: str, fonts: FontLibrary, *, size: float, width: float, weight: int = 700
) -> TextBlock:
    """A small tracked-out eyebrow line, one line at most."""
    style = TextStyle("Inter", weight=weight, line_height=1.0, align="left")
    return _layout(tracked(text), style, fonts=fonts, size=size, width=width, max_lines=1)


def glyph(icon: str, fonts: FontLibrary, size: float, max_width: float) -> TextBlock:
    """The icon on one line at ``size``, shrunk to ``max_width``; left-aligned even when RTL.

    Unlike the kit's ``icon_block`` the box is only as wide as the icon, so an RTL icon (a
    user may send letters) cannot be pushed to the far end of a wide box.
    """
    style = TextStyle("Inter", weight=700, line_height=1.0, align="left")
    block = _layout(icon, style, fonts=fonts, size=size, width=size * 12, max_lines=1)
    if block.width > max_width:
        size = max(8.0, size * max_width / block.width)
        block = _layout(icon, style, fonts=fonts, size=size, width=size * 12, max_lines=1)
    return _layout(icon, style, fonts=fonts, size=size, width=block.width + 1, max_lines=1)


def readable(color: str, base: str, ratio: float = 4.5) -> str:
    """``color`` pulled toward near-white or near-black just far enough to reach ``ratio``."""
    target = on(base)
    for step in range(11):
        candidate = mix(color, target, step / 10)
        if contrast(candidate, base) >= ratio:
            return candidate
    return target


def accent_ink(card: CardInput, colours: Palette, ratio: float = 4.5) -> str:
    """The accent for text on the backdrop: a user's choice is kept, a default made to read."""
    if card.accent_color:
        return card.accent_color
    return readable(colours.accent, colours.base, ratio)


def glow(
    box: tuple[float, float, float, float],
    centre: tuple[float, float],
    radius: float,
    color: str,
    strength: float,
    *,
    reach: float = 1.0,
) -> Rect:
    """A soft circular light over ``box`` (x, y, w, h): ``color`` at ``strength`` opacity in
    the centre (fractions of the box), gone at ``reach`` of ``radius`` (a fraction of its width)."""
    stops: tuple[Stop, ...] = (Stop(0, color, strength), Stop(reach, color, 0.0))
    if reach < 1:
        stops += (Stop(1, color, 0.0),)
    return Rect(*box, RadialGradient(centre[0], centre[1], radius, stops))


def pill(
    x: float,
    y: float,
    label: TextBlock,
    *,
    fill: str,
    ink: str,
    height: float,
    icon: TextBlock | None = None,
    fill_opacity: float = 1.0,
    stroke: str | None = None,
) -> tuple[list[Layer], float]:
    """A rounded pill holding an optional icon and a one-line label; returns layers and width."""
    pad, gap = height * 0.45, height * 0.2
    inner = (icon.width + gap if icon and icon.lines else 0) + label.width
    width = inner + 2 * pad
    layers: list[Layer] = [
        Rect(
            x,
            y,
            width,
            height,
            Solid(fill),
            radius=height / 2,
            opacity=fill_opacity,
            stroke=stroke,
            stroke_width=1.5 if stroke else 0.0,
            stroke_opacity=0.6,
        )
    ]
    cx = x + pad
    if icon and icon.lines:
        layers.append(Text(cx, y + (height - icon.height) / 2, icon, ink))
        cx += icon.width + gap
    if label.lines:
        layers.append(Text(cx, y + (height - label.height) / 2, label, ink))
    return layers, width


def tile(
    x: float,
    y: float,
    side: float,
    icon: str,
    fonts: FontLibrary,
    *,
    fill: str,
    fill_opacity: float = 1.0,
    radius: float | None = None,
    stroke: str | None = None,
    scale: float = 0.56,
) -> list[Layer]:
    """A square tile with the icon centred on it (the icon as a design element)."""
    layers: list[Layer] = [
        Rect(
            x,
            y,
            side,
            side,
            Solid(fill),
            radius=side * 0.24 if radius is None else radius,
            opacity=fill_opacity,
            stroke=stroke,
            stroke_width=1.5 if stroke else 0.0,
            stroke_opacity=0.5,
        )
    ]
    if icon:
        mark = glyph(icon, fonts, side * scale, side * 0.84)
        ink = on(fill)
        layers.append(Text(x + (side - mark.width) / 2, y + (side - mark.height) / 2, mark, ink))
    return layers
