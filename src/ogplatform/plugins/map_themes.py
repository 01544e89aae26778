"""The map-theme contract (entry-point group ``ogplatform.map_themes``).

An entry point names one :class:`MapTheme`, or a list/tuple of them. A theme is data only: the
renderer (:mod:`ogplatform.maps.render`) reads its colours, stroke widths, fonts, label style and
effects, and never calls into it. The job API's theme object is ``{"name", "version",
"display_name"}``, where ``name`` is the theme's ``id``.

:class:`MapThemeDef` is a ready-made frozen dataclass satisfying the contract; any object with
the same read-only attributes does as well.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal, Protocol, runtime_checkable

__all__ = [
    "DEFAULT_FONTS",
    "DEFAULT_STROKES",
    "FONT_ROLES",
    "PALETTE_KEYS",
    "STROKE_KEYS",
    "LabelStyle",
    "MapEffects",
    "MapTheme",
    "MapThemeDef",
    "validate_map_theme",
]

# Every colour the renderer paints with ("#rrggbb"); a palette may add "water_label" (the ink
# of lake and river names, the river colour otherwise).
PALETTE_KEYS = (
    "sea",  # the background: oceans and everything outside land
    "land",  # neighbouring countries
    "subject",  # the mapped country or subdivision
    "border",  # country borders
    "subdivision",  # subdivision lines
    "coast",  # the subject's outline
    "highlight",  # highlighted subdivisions
    "water",  # lakes
    "river",
    "graticule",
    "glow",  # water lines or glow along the coasts (effects.coastal_glow)
    "frame",  # the neatline and the inset frames
    "label",  # lettering
    "halo",  # the stroke behind lettering
)
# Line widths in pixels at 72 dpi; the renderer multiplies them by dpi / 72.
STROKE_KEYS = (
    "border",
    "subdivision",
    "coast",
    "river_max",  # the biggest rivers (Natural Earth scale rank 2 and below)
    "river_min",  # the smallest drawn
    "graticule",
    "frame",
    "glow",  # one coastal water line; the glow bands are multiples of it
)
# Font roles: "label" sets subdivisions, cities and water; "title" the subject and countries.
FONT_ROLES = ("label", "title")

DEFAULT_STROKES: Mapping[str, float] = MappingProxyType(
    {
        "border": 0.9,
        "subdivision": 0.7,
        "coast": 1.1,
        "river_max": 1.8,
        "river_min": 0.45,
        "graticule": 0.5,
        "frame": 1.0,
        "glow": 1.0,
    }
)
DEFAULT_FONTS: Mapping[str, str] = MappingProxyType({"label": "Inter", "title": "Inter"})


@dataclass(frozen=True, slots=True)
class LabelStyle:
    """How a theme sets its lettering. Sizes are points at 72 dpi, tracking is in em."""

    name_weight: int = 500  # country and subdivision names (400 suits a serif)
    halo_width: float = 2.2  # wider on dark or busy grounds
    subdivision_size: float = 10.0
    subdivision_tracking: float = 0.07
    water_italic: bool = True  # lake and river names; a monospace reads better upright


@dataclass(frozen=True, slots=True)
class MapEffects:
    """Optional decoration; the defaults switch everything off."""

    graticule: float = 0.0  # degrees between graticule lines, 0 for none
    coastal_glow: int = 0  # how many water lines (or glow bands) follow the coasts, 0 for none
    coast_style: Literal["glow", "engraved"] = "glow"  # soft widening bands, or thin lines
    # The land fill by latitude, ((lat, "#rrggbb"), ...) from south to north, instead of the
    # palette's "land"/"subject" (neighbours are then darkened); empty for flat fills.
    land_by_latitude: tuple[tuple[float, str], ...] = ()
    paper_grain: bool = False  # a fine noise texture and a warm vignette
    double_neatline: bool = False  # a heavy and a thin frame, labels kept clear of them
    subdivision_dash: str = ""  # SVG dash array in units of the subdivision stroke width
    highlight_hatch: bool = False  # hatch highlighted subdivisions instead of a flat fill


@runtime_checkable
class MapTheme(Protocol):
    """A map style. Metadata is read-only: plain attributes, properties or frozen dataclass
    fields all satisfy it."""

    @property
    def id(self) -> str: ...  # the API's theme name: "modern", "vintage", "atlas"

    @property
    def version(self) -> str: ...  # bump when the output changes: part of every cache key

    @property
    def display_name(self) -> str: ...  # "Modern Clean Style"

    @property
    def palette(self) -> Mapping[str, str]: ...  # every PALETTE_KEYS colour, "#rrggbb"

    @property
    def strokes(self) -> Mapping[str, float]: ...  # every STROKE_KEYS width, > 0

    @property
    def fonts(self) -> Mapping[str, str]: ...  # FONT_ROLES -> an installed font family

    @property
    def labels(self) -> LabelStyle: ...

    @property
    def effects(self) -> MapEffects: ...


@dataclass(frozen=True, slots=True)
class MapThemeDef:
    """A map theme as plain data; strokes, fonts, labels and effects have sober defaults."""

    id: str
    version: str
    display_name: str
    palette: Mapping[str, str]
    strokes: Mapping[str, float] = field(default_factory=lambda: DEFAULT_STROKES)
    fonts: Mapping[str, str] = field(default_factory=lambda: DEFAULT_FONTS)
    labels: LabelStyle = field(default_factory=LabelStyle)
    effects: MapEffects = field(default_factory=MapEffects)


_HEX = re.compile(r"#[0-9a-fA-F]{6}")


def validate_map_theme(theme: MapTheme) -> None:
    """Raise ValueError if ``theme`` lacks something the renderer reads (the registry calls it
    on load, so a broken theme is reported and skipped instead of failing renders).

    Cheap and structural: colours, widths and types. Fonts and the look are for
    ``ogplatform.testing.check_map_theme``.
    """
    palette, strokes = theme.palette, theme.strokes
    missing = [key for key in PALETTE_KEYS if key not in palette]
    if missing:
        raise ValueError(f"map theme {theme.id!r}: palette lacks {', '.join(missing)}")
    for key, colour in palette.items():
        if not isinstance(colour, str) or not _HEX.fullmatch(colour):
            raise ValueError(f"map theme {theme.id!r}: palette[{key!r}] is not #rrggbb")
    missing = [key for key in STROKE_KEYS if key not in strokes]
    if missing:
        raise ValueError(f"map theme {theme.id!r}: strokes lack {', '.join(missing)}")
    for key, width in strokes.items():
        if not isinstance(width, int | float) or not math.isfinite(width) or width <= 0:
            raise ValueError(f"map theme {theme.id!r}: strokes[{key!r}] must be positive")
    if not all(isinstance(theme.fonts.get(role), str) for role in FONT_ROLES):
        raise ValueError(f"map theme {theme.id!r}: fonts needs {' and '.join(FONT_ROLES)}")
    if not isinstance(theme.labels, LabelStyle) or not isinstance(theme.effects, MapEffects):
        raise ValueError(f"map theme {theme.id!r}: labels/effects must be LabelStyle/MapEffects")
