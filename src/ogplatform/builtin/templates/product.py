"""The product-launch template: a centred announcement under a spotlight, over a horizon."""

from __future__ import annotations

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
from ogplatform.builtin.templates._pieces import glow, glyph, kicker, pill
from ogplatform.plugins.templates import CardInput
from ogplatform.render import FontLibrary, Layer, Rect, Scene, Solid

__all__ = ["ProductLaunchTemplate", "product_launch"]


@dataclass(frozen=True)
class ProductLaunchTemplate(TemplateBase):
    """Spotlight from above, the rim of a planet below, and between them, centred: a "NEW" pill
    with the icon, the title and the description."""

    def compose(self, card: CardInput, fonts: FontLibrary) -> Scene:
        colours = palette(card, self.defaults)
        m, w, h = margin(card), card.width, card.height
        square = h > w * 0.8
        accent = colours.accent
        canvas = (0.0, 0.0, float(w), float(h))
        layers: list[Layer] = [
            glow(canvas, (0.5, -0.2), 0.8, accent, 0.5),
            glow(canvas, (0.5, -0.05), 0.28, mix(accent, "#ffffff", 0.55), 0.35),
        ]
        # The horizon: the top of a huge circle, lit along its rim, a dome of light above it
        # (the circle, drawn after, hides the part of the dome below the rim).
        r, horizon = w * 1.6, h * (0.9 if square else 0.91)
        dome = (0.0, horizon - 200, float(w), h - horizon + 200)
        layers.append(glow(dome, (0.5, 200 / dome[3]), 0.5, accent, 0.5, reach=0.24))
        planet = Solid(mix(colours.base, accent, 0.06))
        rim = mix(accent, "#ffffff", 0.3)
        layers.append(Rect(w / 2 - r, horizon, 2 * r, 2 * r, planet, radius=r,
                           stroke=rim, stroke_width=2, stroke_opacity=0.8))  # fmt: skip
        # The column: pill, title, description, centred between the top margin and the rim.
        width = min(w - 2 * m, 1000.0)
        label = kicker("New", fonts, size=24, width=200)
        mark = glyph(card.icon, fonts, 30, 160) if card.icon else None
        pill_h = 54.0
        desc = body(card.description, fonts, width=width, size=32 if square else 30,
                    max_lines=3 if square else 2, align="center")  # fmt: skip
        bottom = horizon - 40
        room = bottom - m - pill_h - 40 - (desc.height + 24 if desc.lines else 0)
        title = headline(card.title, fonts, width=width, height=room, align="center",
                         max_size=96 if square else 84, min_size=48,
                         max_lines=5 if square else 3)  # fmt: skip
        content = pill_h + sum(b.height + 40 for b in (title, desc) if b.lines)
        content -= 16 if title.lines and desc.lines else 0  # title to description: 24, not 40
        y = m + max(0.0, (bottom - m - content) / 2)
        pill_w = label.width + 0.9 * pill_h + (mark.width + 0.2 * pill_h if mark else 0)
        parts, _ = pill((w - pill_w) / 2, y, label, fill=accent, ink=on(accent),
                        height=pill_h, icon=mark)  # fmt: skip
        layers += parts
        y += pill_h + 40
        x = (w - width) / 2
        texts, _ = stack([(title, colours.text), (desc, colours.muted)], x, y, 24)
        layers += texts
        return Scene(w, h, colours.backdrop, tuple(layers), title=card.title)


product_launch = ProductLaunchTemplate(
    id="product-launch",
    name="Product launch",
    description="A centred announcement under a spotlight glow, with a NEW pill and the icon.",
    category="product",
    tags=("product", "launch", "announcement", "glow", "dark"),
    defaults={"bg": "#07070d", "text": "#ffffff", "accent": "#22d3ee"},
)
