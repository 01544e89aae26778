"""The open-source template: a repository card with owner/repo, an avatar and metadata pills."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ogplatform.builtin.templates._kit import (
    Palette,
    TemplateBase,
    body,
    headline,
    margin,
    mix,
    on,
    palette,
)
from ogplatform.builtin.templates._pieces import glyph, tile
from ogplatform.plugins.templates import CardInput
from ogplatform.render import FontLibrary, Layer, Rect, Scene, Solid, Text, TextBlock, TextStyle
from ogplatform.render import layout_text as _layout

__all__ = ["OpenSourceTemplate", "open_source", "split_repo"]

_REPO = re.compile(r"([\w.-]+)/([\w.-]+)")
_OWNER = TextStyle("Space Grotesk", weight=400, line_height=1.15, align="left")
_NAME = TextStyle("Space Grotesk", weight=700, line_height=1.15, align="left")
_PILL = TextStyle("Inter", weight=600, line_height=1.0, align="left")


def split_repo(title: str) -> tuple[str, str]:
    """``(owner, repo)`` for an ``owner/repo`` title, else ``("", title)``."""
    match = _REPO.fullmatch(title.strip())
    return (match.group(1), match.group(2)) if match else ("", title)


def _repo_name(
    owner: str, repo: str, fonts: FontLibrary, width: float, max_size: int, min_size: int
) -> list[tuple[float, float, TextBlock, bool]]:
    """``owner/`` (regular) then ``repo`` (bold) on one line at the largest size that fits, or
    on two lines at ``min_size``: (dx, dy, block, is_owner) tuples."""
    for size in range(max_size, min_size - 1, -2):
        head = _layout(owner + "/", _OWNER, fonts=fonts, size=size, width=width, max_lines=1)
        name = _layout(repo, _NAME, fonts=fonts, size=size, width=width, max_lines=1)
        if not (head.truncated or name.truncated) and head.width + name.width <= width:
            return [(0.0, 0.0, head, True), (head.width, 0.0, name, False)]
    head = _layout(owner + "/", _OWNER, fonts=fonts, size=min_size, width=width, max_lines=1)
    name = _layout(repo, _NAME, fonts=fonts, size=min_size, width=width, max_lines=2)
    return [(0.0, 0.0, head, True), (0.0, head.height, name, False)]


def _pills(x: float, y: float, colours: Palette, fonts: FontLibrary) -> list[Layer]:
    """Star / Fork / Watch, each a hairline pill with a coloured dot (decoration only)."""
    text, base = colours.text, colours.base
    fill, ink, edge = mix(text, base, 0.95), mix(text, base, 0.2), mix(text, base, 0.82)
    layers: list[Layer] = []
    for word, dot in (("Star", "#e3b341"), ("Fork", colours.accent),
                      ("Watch", mix(text, base, 0.5))):  # fmt: skip
        label = _layout(word, _PILL, fonts=fonts, size=24, width=200, max_lines=1)
        width = 20 + 14 + 12 + label.width + 22
        layers += [
            Rect(x, y, width, 52, Solid(fill), radius=26, stroke=edge, stroke_width=1.5),
            Rect(x + 20, y + 19, 14, 14, Solid(dot), radius=7),
            Text(x + 46, y + (52 - label.height) / 2, label, ink),
        ]
        x += width + 16
    return layers


def _avatar(card: CardInput, repo: str, fonts: FontLibrary, x: float, y: float, side: float,
            colours: Palette) -> list[Layer]:  # fmt: skip
    """The icon on a tinted tile; without one, the repository's initial on the accent."""
    if card.icon:
        return tile(x, y, side, card.icon, fonts, radius=28,
                    fill=mix(colours.accent, colours.base, 0.86),
                    stroke=mix(colours.text, colours.base, 0.75))  # fmt: skip
    initial = glyph((repo or card.title).strip()[:1].upper(), fonts, side / 2, side * 0.7)
    cx, cy = x + (side - initial.width) / 2, y + (side - initial.height) / 2
    return [
        Rect(x, y, side, side, Solid(colours.accent), radius=28),
        Text(cx, cy, initial, on(colours.accent)),
    ]


@dataclass(frozen=True)
class OpenSourceTemplate(TemplateBase):
    """``owner/`` muted and **repo** bold in Space Grotesk, the description, an avatar tile,
    decorative Star/Fork/Watch pills and a language bar along the bottom edge."""

    def compose(self, card: CardInput, fonts: FontLibrary) -> Scene:
        colours = palette(card, self.defaults)
        m, w, h = margin(card), card.width, card.height
        square = h > w * 0.8
        side = (144.0 if square else 128.0) if card.icon or card.title.strip() else 0.0
        # Landscape: avatar at the right beside the name. Square: avatar on top, text below.
        width = w - 2 * m - (side + 40 if side and not square else 0)
        owner, repo = split_repo(card.title)
        hi, lo = (88, 56) if square else (84, 48)
        if owner:
            parts = _repo_name(owner, repo, fonts, width, hi, lo)
            name_h = max(dy + block.height for _, dy, block, _ in parts)
        else:
            title = headline(card.title, fonts, width=width, height=h * 0.4,
                             family="Space Grotesk", weight=700, max_size=hi, min_size=lo,
                             max_lines=4 if square else 3, line_height=1.15)  # fmt: skip
            parts, name_h = [(0.0, 0.0, title, False)], title.height
        desc = body(card.description, fonts, width=width, size=32 if square else 30,
                    max_lines=4 if square else 3)  # fmt: skip
        pills_y = h - m - 52
        # Name and description sit centred above the pills (and below the avatar on a square).
        top = m + (side + 48 if side and square else 0)
        block = name_h + (24 + desc.height if desc.lines else 0)
        y = top + max(0.0, (pills_y - 48 - top - block) / 2)
        layers: list[Layer] = []
        for dx, dy, text, is_owner in parts:
            if text.lines:
                ink = colours.muted if is_owner else colours.text
                layers.append(Text(m + dx, y + dy, text, ink))
        if desc.lines:
            layers.append(Text(m, y + name_h + 24, desc, colours.muted))
        if side:
            tx = float(m) if square else w - m - side
            ty = float(m) if square else max(float(m), y + (block - side) / 2)
            layers += _avatar(card, repo, fonts, tx, ty, side, colours)
        layers += _pills(m, pills_y, colours, fonts)
        # The language bar: three shares of the accent family, edge to edge.
        x = 0.0
        for colour, share in ((colours.accent, 0.62),
                              (mix(colours.accent, colours.text, 0.45), 0.26),
                              (mix(colours.accent, colours.base, 0.5), 0.12)):  # fmt: skip
            layers.append(Rect(x, h - 14, w * share, 14, Solid(colour)))
            x += w * share
        return Scene(w, h, colours.backdrop, tuple(layers), title=card.title)


open_source = OpenSourceTemplate(
    id="open-source",
    name="Open source",
    description="Repository card: owner/repo, the description, an avatar tile and metadata pills.",
    category="developer",
    tags=("github", "repository", "open-source", "developer", "light"),
    defaults={"bg": "#ffffff", "text": "#1f2328", "accent": "#0969da"},
)
