"""The release-notes template: a changelog entry on a timeline, the version in a mono chip."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ogplatform.builtin.templates._kit import (
    TemplateBase,
    body,
    headline,
    margin,
    mix,
    palette,
    stack,
)
from ogplatform.builtin.templates._pieces import glow, kicker, readable, tile
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

__all__ = ["ReleaseNotesTemplate", "release_notes", "split_version"]

# "v2.4.0 — Faster builds", "1.8: Dark mode", "v3.0.0-rc.1 Release candidate"; the separator
# may be a colon, an em or en dash, a hyphen, a bar or a middle dot.
_SEPARATORS = r":\u2014\u2013|\u00b7-"
_VERSION = re.compile(
    rf"\s*([vV]?\d+(?:\.\d+)+(?:[-+][0-9A-Za-z.]+)*)(?=$|[\s{_SEPARATORS}])"
    rf"\s*[{_SEPARATORS}]?\s*(.*)",
    re.S,
)
_MONO = TextStyle("JetBrains Mono", weight=600, line_height=1.0, align="left")


def split_version(title: str) -> tuple[str, str]:
    """``(version, headline)`` when the title starts with a version tag, else ``("", title)``."""
    match = _VERSION.fullmatch(title)
    if not match:
        return "", title
    return match.group(1), match.group(2).strip()


def _timeline(x: float, h: int, cy: float, line: str, accent: str, base: str) -> list[Layer]:
    """The rail (fading at both ends) and the lit node at ``cy``."""
    fade = (Stop(0, line, 0.0), Stop(0.25, line), Stop(0.8, line), Stop(1, line, 0.0))
    return [
        Rect(x + 11, 0, 2, h, LinearGradient(180, fade)),
        Rect(x - 8, cy - 20, 40, 40, Solid(accent), radius=20, opacity=0.22),
        Rect(x, cy - 12, 24, 24, Solid(accent), radius=12, stroke=base, stroke_width=3),
    ]


def _older(
    x: float, x0: float, y: float, width: float, line: str, base: str, i: int
) -> list[Layer]:
    """An earlier entry further down: a hollow node and two ghosted lines, fading with ``i``."""
    fade = 0.7 - 0.3 * i
    return [
        Rect(x + 4, y - 8, 16, 16, Solid(base), radius=8, stroke=line, stroke_width=2,
             stroke_opacity=fade),
        Rect(x0, y - 7, 96, 14, Solid(line), radius=7, opacity=fade * 0.5),
        Rect(x0 + 116, y - 7, min(width - 116, 300 - 90 * i), 14, Solid(line), radius=7,
             opacity=fade * 0.3),
    ]  # fmt: skip


@dataclass(frozen=True)
class ReleaseNotesTemplate(TemplateBase):
    """A title starting with a version ("v2.4.0 — Faster builds") gets the version in a
    JetBrains Mono chip and the rest as the headline; a bare version is the headline, in mono."""

    def compose(self, card: CardInput, fonts: FontLibrary) -> Scene:
        colours = palette(card, self.defaults)
        m, w, h = margin(card), card.width, card.height
        square = h > w * 0.8
        version, rest = split_version(card.title)
        family = "Inter"
        if version and not rest:
            version, rest, family = "", card.title, "JetBrains Mono"
        x0 = m + 64.0
        width, row_h = w - x0 - m, 56.0
        side = 72.0 if card.icon else 0.0
        chip = layout_text(version, _MONO, fonts=fonts, size=32, width=width - side - 64,
                           max_lines=1)  # fmt: skip
        desc = body(card.description, fonts, width=width, size=32 if square else 30,
                    max_lines=4 if square else 3)  # fmt: skip
        room = h - 2 * m - row_h - 40 - (desc.height + 24 if desc.lines else 0)
        title = headline(rest, fonts, width=width, height=room, family=family,
                         max_size=96 if square else 80, min_size=48,
                         max_lines=5 if square else 3)  # fmt: skip
        content = row_h + sum(b.height + g for b, g in ((title, 40), (desc, 24)) if b.lines)
        top = m + max(0.0, (h - 2 * m - content) / 2 - 8)
        cy = top + row_h / 2
        line = mix(colours.text, colours.base, 0.75)
        canvas = (0.0, 0.0, float(w), float(h))
        layers: list[Layer] = [
            glow(canvas, ((m + 12) / w, cy / h), 0.45, colours.accent, 0.12),
            *_timeline(m, h, cy, line, colours.accent, colours.base),
        ]
        for i in range(2):
            ny = h - m * (1.5 - i * 0.9)
            if ny - 12 > top + content + 24:
                layers += _older(m, x0, ny, width, line, colours.base, i)
        x = x0
        if chip.lines:
            fill = mix(colours.base, colours.accent, 0.16)
            layers += [
                Rect(x, cy - 28, chip.width + 40, 56, Solid(fill), radius=14,
                     stroke=colours.accent, stroke_width=1.5, stroke_opacity=0.55),
                Text(x + 20, cy - chip.height / 2, chip, readable(colours.accent, fill)),
            ]  # fmt: skip
            x += chip.width + 64
        words = kicker("Release notes", fonts, size=24, width=max(1.0, w - m - side - 24 - x))
        if words.lines:
            layers.append(Text(x, cy - words.height / 2, words, colours.muted))
        if card.icon:
            fill = mix(colours.base, colours.text, 0.08)
            layers += tile(w - m - side, cy - side / 2, side, card.icon, fonts, fill=fill)
        y = top + row_h + 40
        texts, _ = stack([(title, colours.text), (desc, colours.muted)], x0, y, 24)
        layers += texts
        return Scene(w, h, colours.backdrop, tuple(layers), title=card.title)


release_notes = ReleaseNotesTemplate(
    id="release-notes",
    name="Release notes",
    description="Changelog entry: the version in a mono chip on a timeline, then the headline.",
    category="product",
    tags=("changelog", "release", "version", "developer", "dark"),
    defaults={"bg": "#0d1117", "text": "#e6edf3", "accent": "#3fb950"},
)
