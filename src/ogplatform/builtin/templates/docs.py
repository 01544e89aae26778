"""The docs-page template: a breadcrumb, a big title and a summary on a light, gridded page."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ogplatform.builtin.templates._kit import (
    TemplateBase,
    body,
    headline,
    margin,
    mix,
    on,
    palette,
    stack,
)
from ogplatform.builtin.templates._pieces import glow, tile
from ogplatform.plugins.templates import CardInput
from ogplatform.render import (
    FontLibrary,
    Layer,
    LinearGradient,
    Rect,
    Scene,
    Solid,
    Stop,
    Text,
    TextStyle,
    layout_text,
)

__all__ = ["DocsPageTemplate", "docs_page", "split_crumbs"]

_CRUMB = re.compile(r"\s+[/>\u203a\u00bb]\s+")  # a slash, ">", or a single or double guillemet
_CRUMB_STYLE = TextStyle("Inter", weight=600, line_height=1.0, align="left")


def split_crumbs(title: str) -> tuple[list[str], str]:
    """``"Guides / Deploying"`` -> ``(["Guides"], "Deploying")``; a plain title has no crumbs."""
    *crumbs, page = _CRUMB.split(title.strip())
    return crumbs, page


def _grid(w: int, h: int, colour: str, start: float) -> list[Layer]:
    """A hairline grid over the right part of the card, fading in from ``start`` (0..1 of w).

    Each line fades on its own, so the grid sits on any backdrop, gradients included; about 20
    layers on a 1200 px card.
    """
    cell = round(w / 20)
    layers: list[Layer] = []
    for i in range(1, w // cell + 1):
        fade = (i * cell / w - start) / (1 - start)
        if fade > 0.05:
            layers.append(Rect(i * cell, 0, 1, h, Solid(colour), opacity=round(min(1, fade), 3)))
    ramp = LinearGradient(90, (Stop(0, colour, 0.0), Stop(1, colour, 1.0)))
    x0 = start * w
    layers += [Rect(x0, j * cell, w - x0, 1, ramp) for j in range(1, h // cell + 1)]
    return layers


def _page_glyph(x: float, y: float, side: float, ink: str) -> list[Layer]:
    """A document drawn with rectangles: three text lines, the last one short."""
    u = side / 8
    return [
        Rect(x + 2 * u, y + (2.4 + i * 1.3) * u, (4 if i < 2 else 2.6) * u, 0.7 * u,
             Solid(ink), radius=0.35 * u)
        for i in range(3)
    ]  # fmt: skip


@dataclass(frozen=True)
class DocsPageTemplate(TemplateBase):
    """Breadcrumb over a big title on a light page with a fading grid.

    A title such as ``"Guides / Deploying"`` puts ``Guides`` in the breadcrumb after "Docs"
    and ``Deploying`` in the title.
    """

    def compose(self, card: CardInput, fonts: FontLibrary) -> Scene:
        colours = palette(card, self.defaults)
        m, w, h = margin(card), card.width, card.height
        square = h > w * 0.8
        crumbs, page = split_crumbs(card.title)
        grid = mix(colours.text, colours.base, 0.86)
        layers: list[Layer] = [
            *_grid(w, h, grid, 0.45 if square else 0.5),
            glow((0.0, 0.0, float(w), float(h)), (0.85, 0.15), 0.5, colours.accent, 0.12),
        ]
        # Breadcrumb: the icon on an accent tile (or a page glyph), "Docs", then the crumbs.
        side = 60.0
        layers += tile(m, m, side, card.icon, fonts, fill=colours.accent, radius=15)
        if not card.icon:
            layers += _page_glyph(m, m, side, on(colours.accent))
        x = m + side + 20
        trail = "".join(f" \u203a {crumb}" for crumb in crumbs)
        for words, ink in (("Docs", colours.text), (trail, colours.muted)):
            part = layout_text(words, _CRUMB_STYLE, fonts=fonts, size=30,
                               width=max(1.0, w - m - x), max_lines=1)  # fmt: skip
            if part.lines:
                layers.append(Text(x, m + (side - part.height) / 2, part, ink))
                x += part.width + 10
        # Title and summary, centred in the space under the breadcrumb.
        top, bottom = m + side + 48, h - m
        desc = body(card.description, fonts, width=w - 2 * m, size=32 if square else 30,
                    max_lines=3)  # fmt: skip
        room = bottom - top - (desc.height + 24 if desc.lines else 0)
        title = headline(page, fonts, width=w - 2 * m, height=room,
                         max_size=96 if square else 84, min_size=52,
                         max_lines=5 if square else 3)  # fmt: skip
        block = title.height + (24 + desc.height if desc.lines and title.lines else desc.height)
        y = top + max(0.0, (bottom - top - block) / 2 - 16)
        texts, _ = stack([(title, colours.text), (desc, colours.muted)], m, y, 24)
        layers += texts
        layers.append(Rect(0, 0, w, 8, Solid(colours.accent)))
        return Scene(w, h, colours.backdrop, tuple(layers), title=card.title)


docs_page = DocsPageTemplate(
    id="docs-page",
    name="Docs page",
    description="Documentation look: a breadcrumb, a big title and a summary on a fading grid.",
    category="docs",
    tags=("docs", "documentation", "reference", "light", "grid"),
    defaults={"bg": "#f8fafc", "text": "#0f172a", "accent": "#4f46e5"},
)
