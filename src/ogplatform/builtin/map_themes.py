"""The five built-in map themes, registered as one pack in the ``ogplatform.map_themes`` group.

Their order is the job API's: ``theme must be one of: modern, vintage, satellite, monochrome,
blueprint`` (other installed themes follow by id).

Versions: 1.1 reviewed the palettes against MAP-DESIGN.md: a softer modern accent; vintage
neighbours in grey parchment so the buff subject stands out, a dusty-terracotta highlight;
satellite's subtropics olive rather than desert and a quieter coastal glow; monochrome down to
five greys with finer rivers; blueprint highlights in light blue, finer cyan rivers.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from ogplatform.plugins.map_themes import (
    DEFAULT_STROKES,
    LabelStyle,
    MapEffects,
    MapThemeDef,
)

__all__ = ["BLUEPRINT", "MODERN", "MONOCHROME", "SATELLITE", "VINTAGE", "themes"]


def _strokes(**over: float) -> Mapping[str, float]:
    return MappingProxyType({**DEFAULT_STROKES, **over})


def _fonts(family: str) -> Mapping[str, str]:
    return MappingProxyType({"label": family, "title": family})


MODERN = MapThemeDef(
    id="modern",
    version="1.1",
    display_name="Modern Clean Style",
    palette=MappingProxyType(
        {
            "sea": "#d4e6f1",
            "land": "#eeece8",
            "subject": "#fbfaf7",
            "border": "#b9b5ad",
            "subdivision": "#c3c7cc",
            "coast": "#7d8a96",
            "highlight": "#e76f51",
            "water": "#d4e6f1",
            "river": "#8fb9d9",
            "graticule": "#c4d9e8",
            "glow": "#bcd6e8",
            "frame": "#9aa5ae",
            "label": "#2f3a44",
            "halo": "#ffffff",
        }
    ),
    strokes=_strokes(border=0.9, subdivision=0.75, coast=1.0),
    fonts=_fonts("Inter"),
    effects=MapEffects(graticule=10.0, coastal_glow=1),
)

VINTAGE = MapThemeDef(
    id="vintage",
    version="1.1",
    display_name="Vintage Atlas Style",
    palette=MappingProxyType(
        {
            "sea": "#dfe3cf",
            "land": "#e3dccb",
            "subject": "#f3e4bd",
            "border": "#9c7f5a",
            "subdivision": "#b59a74",
            "coast": "#5e4a34",
            "highlight": "#c9866a",
            "water": "#cfd8c4",
            "river": "#7f9a93",
            "graticule": "#b9b697",
            "glow": "#8fa39a",
            "frame": "#3f3f3f",
            "label": "#3f3f3f",
            "halo": "#f1e6c9",
        }
    ),
    strokes=_strokes(border=1.0, subdivision=0.7, coast=1.1, glow=0.7, frame=1.2),
    fonts=_fonts("Playfair Display"),
    labels=LabelStyle(name_weight=400),
    effects=MapEffects(
        graticule=10.0,
        coastal_glow=4,
        coast_style="engraved",
        paper_grain=True,
        double_neatline=True,
        subdivision_dash="4 2",
    ),
)

SATELLITE = MapThemeDef(
    id="satellite",
    version="1.1",
    display_name="Satellite Natural Colour",
    palette=MappingProxyType(
        {
            "sea": "#0f2d4a",
            "land": "#5b6b4a",
            "subject": "#6f8a4f",
            "border": "#e8e4d8",
            "subdivision": "#d9d4c3",
            "coast": "#f2efe6",
            "highlight": "#ffcc33",
            "water": "#17466e",
            "river": "#3f7fb0",
            "graticule": "#23466a",
            "glow": "#24557f",
            "frame": "#0a1e33",
            "label": "#ffffff",
            "halo": "#1b1b1b",
        }
    ),
    strokes=_strokes(border=0.8, subdivision=0.5, coast=0.6, glow=2.5),
    fonts=_fonts("Inter"),
    labels=LabelStyle(halo_width=2.6),
    effects=MapEffects(
        coastal_glow=3,
        land_by_latitude=(
            (-90.0, "#e9eef0"),
            (-62.0, "#c9cfc8"),
            (-50.0, "#6f7f58"),
            (-35.0, "#7d8a52"),
            (-25.0, "#98905e"),
            (-12.0, "#5f7f3f"),
            (0.0, "#3f6b2f"),
            (12.0, "#6d7f3d"),
            (22.0, "#ad9a66"),
            (32.0, "#8e8c5a"),
            (42.0, "#7a8a4f"),
            (55.0, "#58724a"),
            (65.0, "#7b8063"),
            (72.0, "#c9cfc8"),
            (80.0, "#eef2f3"),
        ),
    ),
)

MONOCHROME = MapThemeDef(
    id="monochrome",
    version="1.1",
    display_name="Monochrome Print",
    palette=MappingProxyType(
        {
            "sea": "#ffffff",
            "land": "#d9d9d9",
            "subject": "#f0f0f0",
            "border": "#808080",
            "subdivision": "#808080",
            "coast": "#1f1f1f",
            "highlight": "#808080",
            "water": "#ffffff",
            "river": "#808080",
            "graticule": "#d9d9d9",
            "glow": "#d9d9d9",
            "frame": "#1f1f1f",
            "label": "#1f1f1f",
            "halo": "#ffffff",
        }
    ),
    strokes=_strokes(coast=1.0, river_max=1.2, river_min=0.4),
    fonts=_fonts("Inter"),
    effects=MapEffects(highlight_hatch=True),
)

BLUEPRINT = MapThemeDef(
    id="blueprint",
    version="1.1",
    display_name="Technical Blueprint",
    palette=MappingProxyType(
        {
            "sea": "#123a6b",
            "land": "#174579",
            "subject": "#1d5390",
            "border": "#7fa6d1",
            "subdivision": "#9cc3ea",
            "coast": "#eaf4ff",
            "highlight": "#3f83c4",
            "water": "#123a6b",
            "river": "#6fb6ef",
            "graticule": "#2f5d93",
            "glow": "#2f5d93",
            "frame": "#cfe3f7",
            "label": "#eaf4ff",
            "halo": "#123a6b",
        }
    ),
    strokes=_strokes(border=0.7, subdivision=0.55, coast=1.0, graticule=0.6, river_max=1.4),
    fonts=_fonts("JetBrains Mono"),
    labels=LabelStyle(
        halo_width=2.6, subdivision_size=9.5, subdivision_tracking=0.0, water_italic=False
    ),
    effects=MapEffects(graticule=5.0, subdivision_dash="3 2"),
)

themes = [MODERN, VINTAGE, SATELLITE, MONOCHROME, BLUEPRINT]
