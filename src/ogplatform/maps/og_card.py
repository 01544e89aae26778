"""A map's Open Graph image: the map above a title band in the theme's colours, composed as a
card scene and drawn by the card renderer (:mod:`ogplatform.render`).

The band sits below the map rather than over it, so nothing of the map (the US insets in the
lower left, a highlighted coast) is hidden behind the title.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from typing import Any

from PIL import Image

from ogplatform.maps.geodata import Location, LocationIndex
from ogplatform.plugins.map_themes import MapTheme
from ogplatform.render import (
    FontLibrary,
    Layer,
    Rect,
    Scene,
    Solid,
    Text,
    TextStyle,
    fit_text,
    layout_text,
    render_raster,
)

__all__ = ["OG_SIZE", "compose_og_card", "og_subtitle", "render_og_card"]

OG_SIZE = (1200, 630)
BAND = 116  # px: the title band under the map
_PAD_X = 56
_ACCENT_W = 6
_HEX = re.compile(r"#[0-9a-f]{6}")


def og_subtitle(index: LocationIndex, location: Location, theme: MapTheme) -> str:
    """``United States of America · Vintage Atlas Style`` for a subdivision or city (its
    country), ``Map · Modern Clean Style`` for a country."""
    country = index.get(location.country_id) if location.type != "country" else None
    first = country.name if country is not None else "Map"
    return f"{first} \N{MIDDLE DOT} {theme.display_name}"


def compose_og_card(
    map_image: Image.Image,
    *,
    title: str,
    subtitle: str,
    theme: MapTheme,
    fonts: FontLibrary,
) -> tuple[Scene, Image.Image]:
    """The card scene and its backdrop: ``map_image`` (1200 x 630 - ``BAND`` px) on top, the
    band in the theme's halo colour with the title in its label ink, an accent bar in its
    highlight colour and a hairline in its frame colour."""
    width, height = OG_SIZE
    map_h = height - BAND
    pal = theme.palette
    band = _colour(pal, "halo", "#ffffff")
    ink = _colour(pal, "label", "#222222")
    accent = _colour(pal, "highlight", ink)
    rule = _colour(pal, "frame", ink)
    backdrop = Image.new("RGB", OG_SIZE, band)
    backdrop.paste(map_image.convert("RGB").resize((width, map_h)), (0, 0))

    family = _family(theme.fonts.get("title", "Inter"), fonts)
    text_x = _PAD_X + _ACCENT_W + 20
    text_w = width - text_x - _PAD_X
    title_block = fit_text(
        title,
        TextStyle(family, weight=700, line_height=1.1, align="left"),
        fonts=fonts,
        width=text_w,
        height=54,
        max_size=46,
        min_size=30,
        max_lines=1,
    )
    sub_block = layout_text(
        subtitle,
        TextStyle(family, weight=400, line_height=1.2, align="left"),
        fonts=fonts,
        size=21,
        width=text_w,
        max_lines=1,
    )
    gap = 6
    text_h = title_block.height + gap + sub_block.height
    top = map_h + (BAND - text_h) / 2
    layers: list[Layer] = [
        Rect(0, map_h, width, 2, Solid(rule)),
        Rect(_PAD_X, top + 2, _ACCENT_W, text_h - 4, Solid(accent), radius=_ACCENT_W / 2),
        Text(text_x, top, title_block, ink),
        Text(text_x, top + title_block.height + gap, sub_block, _mix(ink, band, 0.3)),
    ]
    scene = Scene(width, height, backdrop=None, layers=tuple(layers), title=title)
    return scene, backdrop


def render_og_card(
    index: LocationIndex,
    location: Location,
    *,
    theme: MapTheme,
    fonts: FontLibrary,
    highlight: Sequence[Any] = (),
    **options: Any,
) -> bytes:
    """The 1200x630 PNG: the map (same options as the job's map, at 72 dpi) and its title."""
    from ogplatform.maps.render import render_png

    width, height = OG_SIZE
    png, _ = render_png(
        index,
        location,
        width=width,
        height=height - BAND,
        theme=theme,
        dpi=72,
        highlight=highlight,
        **options,
    )
    scene, backdrop = compose_og_card(
        Image.open(io.BytesIO(png)),
        title=location.name,
        subtitle=og_subtitle(index, location, theme),
        theme=theme,
        fonts=fonts,
    )
    return render_raster(scene, "png", photo=backdrop)


def _colour(palette: Mapping[str, str], key: str, default: str) -> str:
    value = str(palette.get(key, default)).lower()
    if len(value) == 4 and value.startswith("#"):  # #rgb
        value = "#" + "".join(c * 2 for c in value[1:])
    return value if _HEX.fullmatch(value) else default


def _mix(a: str, b: str, amount: float) -> str:
    channels = (
        round(int(a[i : i + 2], 16) + (int(b[i : i + 2], 16) - int(a[i : i + 2], 16)) * amount)
        for i in (1, 3, 5)
    )
    return "#" + "".join(f"{c:02x}" for c in channels)


def _family(wanted: str, fonts: FontLibrary) -> str:
    return wanted if fonts.has_family(wanted) else "Inter"
