"""A classic political-atlas map theme for ogplatform (entry point ``ogplatform.map_themes``).

The look of a school atlas: pale blue seas deepening along the coasts, the mapped country in a
warm buff against pale neighbours, plum national borders, dashed grey-violet internal
boundaries, country names in a classic serif and everything else in a plain sans.
"""

from types import MappingProxyType

from ogplatform.plugins.map_themes import (
    DEFAULT_STROKES,
    LabelStyle,
    MapEffects,
    MapThemeDef,
)

__all__ = ["atlas"]

atlas = MapThemeDef(
    id="atlas",
    version="1.0",  # bump whenever the output changes: it is part of every cache key
    display_name="Classic Political Atlas",
    palette=MappingProxyType(
        {
            "sea": "#d3e8f3",
            "land": "#f1ede3",
            "subject": "#f8e6b4",
            "border": "#94708a",
            "subdivision": "#a28a9c",
            "coast": "#4f7c99",
            "highlight": "#e8a283",
            "water": "#bcdcee",
            "river": "#5d9cc4",
            "graticule": "#b3d2e4",
            "glow": "#95c3de",
            "frame": "#4a4a4a",
            "label": "#2b2b2b",
            "halo": "#fbf7ec",
            "water_label": "#2f6d96",
        }
    ),
    strokes=MappingProxyType(
        {**DEFAULT_STROKES, "border": 1.1, "subdivision": 0.6, "coast": 0.8, "glow": 1.6}
    ),
    fonts=MappingProxyType({"label": "Noto Sans", "title": "Playfair Display"}),
    labels=LabelStyle(name_weight=500, halo_width=2.4),
    effects=MapEffects(graticule=10.0, coastal_glow=2, subdivision_dash="5 2"),
)
