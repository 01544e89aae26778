"""Test plugins: one map theme, a pack of two templates, and one object that fits no contract."""

from dataclasses import dataclass, field

from ogplatform.plugins.map_themes import (
    DEFAULT_FONTS,
    DEFAULT_STROKES,
    PALETTE_KEYS,
    LabelStyle,
    MapEffects,
)


@dataclass(frozen=True)
class Theme:
    id: str
    version: str
    display_name: str
    palette: dict[str, str] = field(default_factory=lambda: dict.fromkeys(PALETTE_KEYS, "#808080"))
    strokes: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_STROKES))
    fonts: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_FONTS))
    labels: LabelStyle = field(default_factory=LabelStyle)
    effects: MapEffects = field(default_factory=MapEffects)


@dataclass(frozen=True)
class Card:
    id: str
    version: str
    name: str
    description: str = ""
    category: str = "test"
    tags: tuple[str, ...] = ()
    defaults: dict[str, str] = field(default_factory=dict)
    params: tuple[str, ...] = ("title",)

    def compose(self, card, fonts):
        from ogplatform.render import Scene, Solid

        return Scene(card.width, card.height, Solid("#123456"))


ink = Theme("test-ink", "2.0", "Ink", {**Theme("x", "1", "x").palette, "water": "#123456"})
templates = [Card("test-one", "1", "One"), Card("test-two", "1", "Two")]
not_a_template = object()
