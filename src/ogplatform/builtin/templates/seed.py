"""The four templates the public card API names: gradient (the default), minimal, photo-hero
and photo-glass."""

from __future__ import annotations

from dataclasses import dataclass

from ogplatform.builtin.templates._kit import (
    SEED_PARAMS,
    TemplateBase,
    body,
    headline,
    icon_block,
    margin,
    mix,
    palette,
    scrim,
    stack,
)
from ogplatform.plugins.templates import CardInput
from ogplatform.render import (
    FontLibrary,
    Layer,
    LinearGradient,
    RadialGradient,
    Rect,
    Scene,
    Solid,
    Stop,
    Text,
)

__all__ = ["GradientTemplate", "MinimalTemplate", "PhotoGlassTemplate", "PhotoHeroTemplate"]

PHOTO_PARAMS = (*SEED_PARAMS, "bgId", "overlay")


def _badge(card: CardInput, fonts: FontLibrary, x: float, y: float, fill: str) -> list[Layer]:
    """The icon on a rounded glass tile: a design element, not an inline afterthought."""
    if not card.icon:
        return []
    glyphs = icon_block(card.icon, fonts, 52)
    side = max(96.0, glyphs.width + 44)
    tile = Rect(x, y, side, 96, Solid(fill), radius=24, opacity=0.14,
                stroke="#ffffff", stroke_width=1.5, stroke_opacity=0.22)  # fmt: skip
    return [
        tile,
        Text(x + (side - glyphs.width) / 2, y + (96 - glyphs.height) / 2, glyphs, "#ffffff"),
    ]


@dataclass(frozen=True)
class GradientTemplate(TemplateBase):
    def compose(self, card: CardInput, fonts: FontLibrary) -> Scene:
        colours = palette(card, self.defaults)
        backdrop = card.background or LinearGradient(
            135, (Stop(0, "#1e1b4b"), Stop(0.55, "#4338ca"), Stop(1, "#7c3aed"))
        )
        m, w, h = margin(card), card.width, card.height
        glow = Rect(0, 0, w, h, RadialGradient(0.88, 0.05, 0.7, (
            Stop(0, colours.accent, 0.35), Stop(1, colours.accent, 0.0))))  # fmt: skip
        head = 96 + 40 if card.icon else 8 + 40  # the icon tile, or the accent rule, and a gap
        title = headline(card.title, fonts, width=w - 2 * m, height=h - 2 * m - head - 90,
                         max_lines=3)  # fmt: skip
        desc = body(card.description, fonts, width=w - 2 * m, max_lines=2)
        content = head + title.height + (24 + desc.height if desc.lines else 0)
        # A short card sits in the optical centre (a little above the middle), not in a corner.
        y = max(float(m), (h - content) / 2 - h * 0.04)
        layers: list[Layer] = [glow, *_badge(card, fonts, m, y, "#ffffff")]
        if not card.icon:
            layers.append(Rect(m, y, 72, 8, Solid(colours.accent), radius=4))
        texts, _ = stack([(title, colours.text), (desc, mix(colours.text, colours.base, 0.22))],
                         m, y + head, 24)  # fmt: skip
        return Scene(w, h, backdrop, (*layers, *texts), title=card.title)


@dataclass(frozen=True)
class MinimalTemplate(TemplateBase):
    def compose(self, card: CardInput, fonts: FontLibrary) -> Scene:
        colours = palette(card, self.defaults)
        m, w, h = margin(card), card.width, card.height
        title = headline(card.title, fonts, width=w - 2 * m, height=h * 0.5, weight=700,
                         max_size=76, min_size=48)  # fmt: skip
        desc = body(card.description, fonts, width=w - 2 * m, size=30, max_lines=3)
        content = title.height + (24 + desc.height if desc.lines else 0)
        top = max(m + 40, (h - content) / 2)
        layers: list[Layer] = [Rect(m, top - 40, 56, 6, Solid(colours.accent), radius=3)]
        texts, _ = stack([(title, colours.text), (desc, colours.muted)], m, top, 24)
        if card.icon:
            glyphs = icon_block(card.icon, fonts, 40)
            layers.append(Text(w - m - glyphs.width, h - m - glyphs.height, glyphs, colours.text))
        frame = Rect(0, h - 10, w, 10, Solid(colours.accent))
        return Scene(w, h, colours.backdrop, (*layers, *texts, frame), title=card.title)


@dataclass(frozen=True)
class PhotoHeroTemplate(TemplateBase):
    def compose(self, card: CardInput, fonts: FontLibrary) -> Scene:
        colours = palette(card, self.defaults)
        m, w, h = margin(card), card.width, card.height
        backdrop = None if card.photo else (card.background or LinearGradient(
            160, (Stop(0, "#334155"), Stop(1, "#020617"))))  # fmt: skip
        title = headline(card.title, fonts, width=w - 2 * m, height=h * 0.42, max_lines=2)
        desc = body(card.description, fonts, width=w - 2 * m, size=30, max_lines=2)
        block = title.height + (20 + desc.height if desc.lines else 0)
        top = h - m - block
        layers: list[Layer] = [scrim(w, h, card.overlay, angle=0.0)]
        layers += _badge(card, fonts, m, m, "#ffffff")
        layers.append(Rect(m, top - 32, 64, 6, Solid(colours.accent), radius=3))
        ink = card.text_color or "#ffffff"  # the scrim makes white the safe default
        texts, _ = stack([(title, ink), (desc, mix(ink, "#0f172a", 0.12))], m, top, 20)
        return Scene(w, h, backdrop, (*layers, *texts), title=card.title)


@dataclass(frozen=True)
class PhotoGlassTemplate(TemplateBase):
    def compose(self, card: CardInput, fonts: FontLibrary) -> Scene:
        colours = palette(card, self.defaults)
        m, w, h = margin(card), card.width, card.height
        backdrop = None if card.photo else (card.background or LinearGradient(
            120, (Stop(0, "#0ea5e9"), Stop(1, "#6366f1"))))  # fmt: skip
        pad = 48
        panel_w = min(w - 2 * m, 820)
        inner = panel_w - 2 * pad
        title = headline(card.title, fonts, width=inner, height=h * 0.4, max_size=68,
                         min_size=44, max_lines=3)  # fmt: skip
        desc = body(card.description, fonts, width=inner, size=28, max_lines=3)
        icon = icon_block(card.icon, fonts, 44) if card.icon else None
        head = (icon.height + 24) if icon else 0
        panel_h = pad * 2 + head + title.height + (20 + desc.height if desc.lines else 0)
        px, py = m, (h - panel_h) / 2
        dim = Rect(0, 0, w, h, Solid("#000000"), opacity=round(card.overlay * 0.6, 3))
        panel = Rect(px, py, panel_w, panel_h, Solid("#0b1020"), radius=32, opacity=0.42,
                     stroke="#ffffff", stroke_width=1.5, stroke_opacity=0.35)  # fmt: skip
        sheen = Rect(px, py, panel_w, panel_h, LinearGradient(160, (
            Stop(0, "#ffffff", 0.16), Stop(0.5, "#ffffff", 0.04), Stop(1, "#ffffff", 0.0))),
            radius=32)  # fmt: skip
        layers: list[Layer] = [dim, panel, sheen]
        y = py + pad
        if icon:
            layers.append(Text(px + pad, y, icon, "#ffffff"))
            y += icon.height + 24
        ink = card.text_color or "#ffffff"  # the dark glass makes white the safe default
        texts, _ = stack([(title, ink), (desc, mix(ink, colours.accent, 0.15))],
                         px + pad, y, 20)  # fmt: skip
        return Scene(w, h, backdrop, (*layers, *texts), title=card.title)


gradient = GradientTemplate(
    id="gradient",
    name="Gradient",
    description="Bold title on a rich diagonal gradient with a soft accent glow.",
    category="social",
    tags=("gradient", "bold", "default", "colorful"),
    defaults={"bg": "#4338ca", "text": "#ffffff", "accent": "#f0abfc"},
)
minimal = MinimalTemplate(
    id="minimal",
    name="Minimal",
    description="Clean type on a flat colour, an accent rule and a footer stripe.",
    category="blog",
    tags=("minimal", "clean", "light", "typography"),
    defaults={"bg": "#ffffff", "text": "#0f172a", "accent": "#2563eb"},
)
photo_hero = PhotoHeroTemplate(
    id="photo-hero",
    name="Photo hero",
    description="Full-bleed photo with a scrim rising from the bottom under the title.",
    category="social",
    tags=("photo", "hero", "image", "dark"),
    defaults={"bg": "#0f172a", "text": "#ffffff", "accent": "#fbbf24"},
    params=PHOTO_PARAMS,
)
photo_glass = PhotoGlassTemplate(
    id="photo-glass",
    name="Photo glass",
    description="Photo behind a frosted glass panel holding the title.",
    category="social",
    tags=("photo", "glass", "frosted", "panel"),
    defaults={"bg": "#0f172a", "text": "#ffffff", "accent": "#a5f3fc"},
    params=PHOTO_PARAMS,
)
