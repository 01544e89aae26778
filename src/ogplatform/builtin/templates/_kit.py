"""Shared pieces for the built-in templates: type scale, contrast, colour maths, text blocks.

A third-party template may copy any of this; nothing here is part of the plugin contract.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ogplatform.plugins.templates import CardInput, TemplateParam
from ogplatform.render import (
    FontLibrary,
    Layer,
    LinearGradient,
    Paint,
    Rect,
    Solid,
    Stop,
    Text,
    TextBlock,
    TextStyle,
    fit_text,
    layout_text,
)

__all__ = [
    "SEED_PARAMS",
    "Palette",
    "TemplateBase",
    "body",
    "contrast",
    "headline",
    "icon_block",
    "luminance",
    "margin",
    "mix",
    "on",
    "palette",
    "representative",
    "scrim",
    "stack",
]

SEED_PARAMS: tuple[TemplateParam, ...] = ("title", "description", "icon", "bg", "text", "accent")


@dataclass(frozen=True)
class TemplateBase:
    """Metadata every built-in template carries; subclasses add ``compose``."""

    id: str
    name: str
    description: str
    category: str
    tags: tuple[str, ...]
    defaults: dict[str, str]
    params: tuple[TemplateParam, ...] = SEED_PARAMS
    version: str = "1"
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Palette:
    backdrop: Paint
    base: str  # the backdrop's representative colour, for contrast decisions
    text: str
    muted: str  # secondary text: the text colour pulled toward the backdrop
    accent: str


def palette(card: CardInput, defaults: dict[str, str]) -> Palette:
    """Resolve the card's colours against the template's defaults.

    Defaults never fail contrast: when the user picks only a background, the default text colour
    flips to whichever of near-white or near-black reads on it. A colour the user chose is kept.
    """
    backdrop = card.background or Solid(defaults["bg"])
    base = representative(backdrop)
    text = card.text_color or defaults.get("text") or on(base)
    if card.text_color is None and contrast(text, base) < 4.5:
        text = on(base)
    accent = card.accent_color or defaults.get("accent", text)
    return Palette(backdrop, base, text, mix(text, base, 0.28), accent)


def representative(paint: Paint) -> str:
    if isinstance(paint, Solid):
        return paint.color
    stops = paint.stops
    colour = stops[0].color
    for stop in stops[1:]:
        colour = mix(colour, stop.color, 1 / len(stops))
    return colour


def on(base: str) -> str:
    """Near-white or near-black, whichever contrasts more with ``base``."""
    light, dark = "#ffffff", "#0b1020"
    return light if contrast(light, base) >= contrast(dark, base) else dark


def luminance(color: str) -> float:
    """WCAG relative luminance of ``#rrggbb``."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio between two colours (1..21)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def mix(a: str, b: str, amount: float) -> str:
    """``a`` moved ``amount`` (0..1) of the way toward ``b``."""
    out = []
    for i in (1, 3, 5):
        x, y = int(a[i : i + 2], 16), int(b[i : i + 2], 16)
        out.append(round(x + (y - x) * amount))
    return "#" + "".join(f"{v:02x}" for v in out)


def margin(card: CardInput) -> int:
    """The safe-area margin: about 7% of the width, never under 64 px."""
    return max(64, round(card.width * 0.07))


def headline(
    text: str,
    fonts: FontLibrary,
    *,
    width: float,
    height: float,
    family: str = "Inter",
    weight: int = 800,
    max_size: float = 84,
    min_size: float = 52,
    max_lines: int = 3,
    align: str = "start",
    line_height: float = 1.1,
) -> TextBlock:
    """The title: as large as fits the box, down to ``min_size``, then clamped with an ellipsis."""
    style = TextStyle(family, weight=weight, line_height=line_height, align=align)  # type: ignore[arg-type]
    return fit_text(text, style, fonts=fonts, width=width, height=height,
                    max_size=max_size, min_size=min_size, max_lines=max_lines)  # fmt: skip


def body(
    text: str,
    fonts: FontLibrary,
    *,
    width: float,
    size: float = 32,
    family: str = "Inter",
    weight: int = 400,
    max_lines: int = 3,
    align: str = "start",
    line_height: float = 1.35,
) -> TextBlock:
    """Secondary text at a fixed size, clamped to ``max_lines``."""
    style = TextStyle(family, weight=weight, line_height=line_height, align=align)  # type: ignore[arg-type]
    return layout_text(text, style, fonts=fonts, size=size, width=width, max_lines=max_lines)


def icon_block(icon: str, fonts: FontLibrary, size: float) -> TextBlock:
    """The icon (usually emoji) as one line at ``size``, in a box exactly as wide as it is,
    so right-to-left letters cannot drift to the far end of a wide box."""
    style = TextStyle("Inter", weight=700, line_height=1.0, align="left")
    loose = layout_text(icon, style, fonts=fonts, size=size, width=size * 12, max_lines=1)
    return layout_text(icon, style, fonts=fonts, size=size, width=loose.width + 1, max_lines=1)


def stack(
    blocks: list[tuple[TextBlock, str]], x: float, y: float, gap: float
) -> tuple[list[Layer], float]:
    """Text blocks one under another from ``(x, y)``; returns the layers and the bottom y."""
    layers: list[Layer] = []
    for block, color in blocks:
        if not block.lines:
            continue
        layers.append(Text(x, y, block, color))
        y += block.height + gap
    return layers, y - gap


def scrim(width: int, height: int, overlay: float, *, angle: float = 0.0) -> Rect:
    """A dark gradient over a photo, strongest where the text sits (``angle`` as in CSS)."""
    strength = max(0.0, min(1.0, overlay))
    stops = (
        Stop(0.0, "#000000", round(min(1.0, strength * 1.25), 3)),
        Stop(0.55, "#000000", round(strength * 0.7, 3)),
        Stop(1.0, "#000000", round(strength * 0.25, 3)),
    )
    return Rect(0, 0, width, height, LinearGradient(angle, stops))
