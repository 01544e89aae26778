"""The event template: a colour panel holding the icon large, the details beside it."""

from __future__ import annotations

from dataclasses import dataclass

from ogplatform.builtin.templates._kit import (
    TemplateBase,
    body,
    headline,
    luminance,
    margin,
    mix,
    on,
    palette,
    stack,
)
from ogplatform.builtin.templates._pieces import accent_ink, glow, glyph, kicker
from ogplatform.plugins.templates import CardInput
from ogplatform.render import FontLibrary, Layer, Rect, Scene, Solid, Text

__all__ = ["EventTemplate", "event"]


def _calendar(cx: float, cy: float, side: float, paper: str, ink: str) -> list[Layer]:
    """A calendar page drawn with rectangles, for cards without an icon."""
    x, y, r, band = cx - side / 2, cy - side / 2, side * 0.14, side * 0.3
    layers: list[Layer] = [
        Rect(x, y, side, side, Solid(paper), radius=r),
        Rect(x, y, side, band, Solid(ink), radius=r),
        Rect(x, y + band - r, side, r, Solid(ink)),  # squares the band's lower corners
    ]
    for at in (0.3, 0.7):  # binder rings
        layers.append(Rect(x + side * (at - 0.04), y - side * 0.08, side * 0.08, side * 0.18,
                           Solid(paper), radius=side * 0.04, stroke=ink,
                           stroke_width=side * 0.02))  # fmt: skip
    cell = side * 0.16
    for row in range(2):
        for col in range(3):
            opacity = 1.0 if (row, col) == (1, 1) else 0.22  # one day marked
            dx, dy = side * (0.18 + 0.24 * col), band + side * (0.14 + 0.24 * row)
            day = Rect(x + dx, y + dy, cell, cell, Solid(ink), radius=cell / 4, opacity=opacity)
            layers.append(day)
    return layers


def _rings(cx: float, cy: float, span: float, ink: str) -> list[Layer]:
    """Three hairline circles around the icon, fading outwards."""
    return [
        Rect(cx - span * k / 2, cy - span * k / 2, span * k, span * k, Solid(ink, 0.0),
             radius=span * k / 2, stroke=ink, stroke_width=2, stroke_opacity=fade)
        for k, fade in ((0.46, 0.34), (0.66, 0.22), (0.86, 0.12))
    ]  # fmt: skip


@dataclass(frozen=True)
class EventTemplate(TemplateBase):
    """Split layout: accent panel with the icon on rings; kicker, title and details beside it.

    The panel moves to the right for a right-to-left title, and to the top on a square card.
    Date and place belong in the description.
    """

    def compose(self, card: CardInput, fonts: FontLibrary) -> Scene:
        colours = palette(card, self.defaults)
        m, w, h = margin(card), card.width, card.height
        square = h > w * 0.8
        panel_w, panel_h = (float(w), round(h * 0.4)) if square else (round(w * 0.34), float(h))
        if square:
            width, top = float(w - 2 * m), panel_h + m * 0.8
        else:
            width, top = w - panel_w - m * 1.8, float(m)
        bottom = h - m
        label = kicker("Event", fonts, size=26, width=width)
        desc = body(card.description, fonts, width=width, size=32 if square else 30, max_lines=3)
        room = bottom - top - label.height - 32 - (desc.height + 24 if desc.lines else 0)
        title = headline(card.title, fonts, width=width, height=room, min_size=48,
                         max_size=92 if square else 76, max_lines=4 if square else 3)  # fmt: skip
        rtl = title.direction == "rtl" and not square
        px = w - panel_w if rtl else 0.0
        x0 = float(m) if square or rtl else panel_w + m * 0.8
        # The panel: accent fill, light falling from its top corner, rings around the icon.
        accent = colours.accent
        ring = "#ffffff" if luminance(accent) < 0.6 else on(accent)
        cx, cy, span = px + panel_w / 2, panel_h / 2, min(panel_w, panel_h)
        layers: list[Layer] = [
            Rect(px, 0, panel_w, panel_h, Solid(accent)),
            glow((px, 0.0, panel_w, panel_h), (0.2, 0.0), 1.0, "#ffffff", 0.22),
            *_rings(cx, cy, span, ring),
        ]
        if card.icon:
            mark = glyph(card.icon, fonts, span * 0.3, span * 0.7)
            layers.append(Text(cx - mark.width / 2, cy - mark.height / 2, mark, on(accent)))
        else:
            paper, ink = mix(ring, accent, 0.04), mix(accent, "#000000", 0.35)
            layers += _calendar(cx, cy, span * 0.3, paper, ink)
        # The details: kicker, title, description, centred in their column.
        block = label.height + (32 + title.height if title.lines else 0)
        block += (24 + desc.height) if desc.lines else 0
        y = top + max(0.0, (bottom - top - block) / 2)
        ink = accent_ink(card, colours)
        layers.append(Text(x0 + (width - label.width if rtl else 0), y, label, ink))
        y += label.height + 32
        texts, _ = stack([(title, colours.text), (desc, colours.muted)], x0, y, 24)
        layers += texts
        return Scene(w, h, colours.backdrop, tuple(layers), title=card.title)


event = EventTemplate(
    id="event",
    name="Event",
    description="Split card: the icon large on an accent panel, the event's name and details.",
    category="event",
    tags=("event", "conference", "meetup", "webinar", "split"),
    defaults={"bg": "#18181b", "text": "#fafafa", "accent": "#f97316"},
)
