"""The stats template: a KPI card with the number set huge and a bar chart rising beside it."""

from __future__ import annotations

from dataclasses import dataclass

from ogplatform.builtin.templates._kit import TemplateBase, body, headline, margin, mix, palette
from ogplatform.builtin.templates._pieces import readable, tile
from ogplatform.plugins.templates import CardInput
from ogplatform.render import FontLibrary, Layer, Rect, Scene, Solid, Text

__all__ = ["StatsTemplate", "stats"]

_BARS = (0.3, 0.44, 0.38, 0.56, 0.5, 0.72, 1.0)  # a rising series with a dip or two


def _chart(x: float, y: float, width: float, height: float, accent: str, rule: str) -> list[Layer]:
    """Bars rising left to right in deepening tints of ``accent``, on a hairline baseline."""
    gap = width * 0.045
    bar = (width - gap * (len(_BARS) - 1)) / len(_BARS)
    layers: list[Layer] = [Rect(x - 8, y + height, width + 16, 2, Solid(rule))]
    for i, share in enumerate(_BARS):
        opacity = 1.0 if i == len(_BARS) - 1 else round(0.16 + 0.06 * i, 2)
        layers.append(Rect(x + i * (bar + gap), y + height * (1 - share), bar, height * share,
                           Solid(accent), radius=min(10.0, bar / 4), opacity=opacity))  # fmt: skip
    return layers


@dataclass(frozen=True)
class StatsTemplate(TemplateBase):
    """The title is the number ("+34%", "1.2M downloads"), auto-fit as large as it goes, in the
    accent; the description is its label. A user's text colour, if set without an accent,
    colours the number too. The chart stands at the right, or along the bottom on a square."""

    def compose(self, card: CardInput, fonts: FontLibrary) -> Scene:
        colours = palette(card, self.defaults)
        m, w, h = margin(card), card.width, card.height
        square = h > w * 0.8
        ink = card.accent_color or card.text_color or readable(colours.accent, colours.base, 3)
        rule = mix(colours.text, colours.base, 0.82)
        if square:
            chart_w, chart_h = float(w - 2 * m - 16), round(h * 0.28)
            chart_x, width, bottom = m + 8.0, float(w - 2 * m), h - m - chart_h - 48
        else:
            chart_w, chart_h = round(w * 0.27), round((h - 2 * m) * 0.8)
            chart_x, width, bottom = float(w - m - chart_w), w - 2 * m - chart_w - 64, h - m
        layers = _chart(chart_x, h - m - chart_h, chart_w, chart_h, colours.accent, rule)
        side = 72.0 if card.icon else 0.0
        label = body(card.description, fonts, width=width, size=40 if square else 36,
                     weight=500, max_lines=2, line_height=1.3)  # fmt: skip
        head = side + 32 if side else 0.0
        foot = label.height + 20 if label.lines else 0.0
        number = headline(card.title, fonts, width=width, height=bottom - m - head - foot,
                          line_height=1.05, max_size=240 if square else 200, min_size=64,
                          max_lines=2)  # fmt: skip
        y = m + max(0.0, (bottom - m - head - number.height - foot) / 2)
        if card.icon:
            fill = mix(colours.accent, colours.base, 0.85)
            layers += tile(m, y, side, card.icon, fonts, fill=fill)
            y += head
        if number.lines:
            layers.append(Text(m, y, number, ink))
            y += number.height + 20
        if label.lines:
            layers.append(Text(m, y, label, colours.text))
        return Scene(w, h, colours.backdrop, tuple(layers), title=card.title)


stats = StatsTemplate(
    id="stats",
    name="Stats",
    description="KPI card: one big number in the accent colour, its label, and a rising bar chart.",
    category="stats",
    tags=("stats", "kpi", "metrics", "numbers", "chart"),
    defaults={"bg": "#ffffff", "text": "#0f172a", "accent": "#16a34a"},
)
