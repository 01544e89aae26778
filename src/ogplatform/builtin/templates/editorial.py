"""Editorial templates: a blog post (masthead kicker, title, standfirst) and a pull quote."""

from __future__ import annotations

from dataclasses import dataclass

from ogplatform.builtin.templates._kit import (
    TemplateBase,
    body,
    headline,
    luminance,
    margin,
    mix,
    palette,
    stack,
)
from ogplatform.builtin.templates._pieces import accent_ink, glow, glyph, kicker, tile
from ogplatform.plugins.templates import CardInput
from ogplatform.render import FontLibrary, Layer, Rect, Scene, Solid, Text, TextStyle, fit_text

__all__ = ["BlogPostTemplate", "QuoteTemplate", "blog_post", "quote"]

_QUOTE = TextStyle("Playfair Display", weight=500, italic=True, line_height=1.22)
_MARK = TextStyle("Playfair Display", weight=800, line_height=1.0)


@dataclass(frozen=True)
class BlogPostTemplate(TemplateBase):
    """Masthead row (icon, tracked "BLOG", hairline), the title, and a standfirst under it."""

    def compose(self, card: CardInput, fonts: FontLibrary) -> Scene:
        colours = palette(card, self.defaults)
        m, w, h = margin(card), card.width, card.height
        square = h > w * 0.8
        ink = accent_ink(card, colours)
        layers: list[Layer] = []
        # Masthead: the icon (or an accent square), the word, a hairline to the right margin.
        row_h, x = 44.0, float(m)
        if card.icon:
            mark = glyph(card.icon, fonts, 40, 200)
            layers.append(Text(x, m + (row_h - mark.height) / 2, mark, colours.text))
            x += mark.width + 16
        else:
            layers.append(Rect(x, m + row_h / 2 - 7, 14, 14, Solid(ink), radius=3))
            x += 14 + 16
        word = kicker("Blog", fonts, size=26, width=w - m - x)
        layers.append(Text(x, m + (row_h - word.height) / 2, word, ink))
        x += word.width + 24
        rule = mix(colours.text, colours.base, 0.82)
        layers.append(Rect(x, m + row_h / 2 - 1, max(0.0, w - m - x), 2, Solid(rule)))
        # Title and standfirst, centred (a touch high) in the space under the masthead.
        top, bottom = m + row_h + 40, h - m
        desc = body(card.description, fonts, width=w - 2 * m, size=34 if square else 32,
                    max_lines=3 if square else 2)  # fmt: skip
        room = bottom - top - (desc.height + 28 if desc.lines else 0)
        title = headline(card.title, fonts, width=w - 2 * m, height=room, min_size=52,
                         max_size=96 if square else 92, max_lines=5 if square else 3)  # fmt: skip
        block = title.height + (28 + desc.height if desc.lines and title.lines else desc.height)
        y = top + max(0.0, (bottom - top - block) / 2 - (0 if square else 12))
        texts, _ = stack([(title, colours.text), (desc, colours.muted)], m, y, 28)
        layers += texts
        # A footer rule echoes the masthead, with the accent as a short, thick segment on it.
        foot_y = h - m / 2
        layers.append(Rect(m, foot_y - 1, w - 2 * m, 2, Solid(rule)))
        layers.append(Rect(m, foot_y - 4, 96, 8, Solid(colours.accent), radius=4))
        return Scene(w, h, colours.backdrop, tuple(layers), title=card.title)


@dataclass(frozen=True)
class QuoteTemplate(TemplateBase):
    """A large accent quotation mark hung beside the quote (above it on a square), the quote
    in Playfair Display italic, the attribution beneath with the icon as the speaker's avatar.
    A right-to-left quote mirrors the layout."""

    def compose(self, card: CardInput, fonts: FontLibrary) -> Scene:
        colours = palette(card, self.defaults)
        m, w, h = margin(card), card.width, card.height
        square = h > w * 0.8
        # Playfair's quotation marks ink 0.04-0.45 em across and 0.19-0.48 em down the em box.
        size = round(min(w, h) * (0.34 if square else 0.46))
        ink_top, ink_h, ink_w = 0.19 * size, 0.29 * size, 0.45 * size
        indent = 0.0 if square else ink_w + 36
        head = ink_h + 40 if square else 0.0
        width, top, bottom = w - 2 * m - indent, m + head, h - m
        avatar = 64.0 if card.icon else 0.0
        lead = avatar + 24 if card.icon else 40 + 20  # the avatar, or a short rule, then a gap
        attribution = body(card.description, fonts, width=width - lead, size=30, weight=600,
                           max_lines=2, line_height=1.3)  # fmt: skip
        foot = max(attribution.height, avatar)
        room = bottom - top - (foot + 44 if foot else 0)
        text = fit_text(card.title, _QUOTE, fonts=fonts, width=width, height=room,
                        max_size=96 if square else 84, min_size=48 if square else 44,
                        max_lines=7 if square else 4)  # fmt: skip
        rtl = text.direction == "rtl"
        x0 = m + (0.0 if rtl else indent)
        block = text.height + (44 + foot if foot and text.lines else foot)
        y = top + max(0.0, (bottom - top - block) / 2)
        # Hang the mark level with the first line's capitals (or set it above, on a square).
        cap = y + (text.lines[0].baseline_y - 0.71 * text.font_size if text.lines else 0)
        mark_y = max(0.0, cap - ink_top - (ink_h + 40 if square else 0))
        mark = fit_text("\u201d" if rtl else "\u201c", _MARK, fonts=fonts, width=size,
                        height=size, max_size=size, min_size=size, max_lines=1)  # fmt: skip
        mark_x = w - m - mark.width + 0.04 * size if rtl else m - 0.04 * size
        # A soft light behind the mark: lighter than the backdrop, whatever the backdrop.
        lift = mix(colours.base, "#ffffff", 0.1 if luminance(colours.base) < 0.4 else 0.5)
        layers: list[Layer] = [
            glow((0.0, 0.0, float(w), float(h)), (0.9 if rtl else 0.1, 0.15), 0.7, lift, 1.0),
            Text(mark_x, mark_y, mark, accent_ink(card, colours, 3.0)),
        ]
        if text.lines:
            layers.append(Text(x0, y, text, colours.text))
            y += text.height + 44
        if foot:
            # The avatar (or a short rule) where the reading starts; the attribution after it.
            lead_x = x0 + width - (avatar or 40) if rtl else x0
            if card.icon:
                fill = mix(colours.accent, colours.base, 0.7)
                layers += tile(lead_x, y + (foot - avatar) / 2, avatar, card.icon, fonts,
                               fill=fill, radius=avatar / 2, scale=0.58)  # fmt: skip
            else:
                rule = Rect(lead_x, y + foot / 2 - 2, 40, 4, Solid(colours.accent), radius=2)
                layers.append(rule)
            if attribution.lines:
                ay = y + (foot - attribution.height) / 2
                layers.append(Text(x0 if rtl else x0 + lead, ay, attribution, colours.muted))
        return Scene(w, h, colours.backdrop, tuple(layers), title=card.title)


blog_post = BlogPostTemplate(
    id="blog-post",
    name="Blog post",
    description="Editorial card: a masthead kicker with the icon, a big title and a standfirst.",
    category="blog",
    tags=("blog", "article", "editorial", "light", "typography"),
    defaults={"bg": "#faf8f5", "text": "#1c1917", "accent": "#e11d48"},
)
quote = QuoteTemplate(
    id="quote",
    name="Quote",
    description="A pull quote in Playfair Display italic beside a large accent quotation mark.",
    category="social",
    tags=("quote", "testimonial", "serif", "dark"),
    defaults={"bg": "#14213d", "text": "#fdf8ec", "accent": "#fca311"},
)
