"""PNG output: the map's SVG rasterised with resvg at the requested pixel size."""

from __future__ import annotations

from collections.abc import Sequence

import resvg_py

from ogplatform.maps.geodata import Location, LocationIndex
from ogplatform.maps.render.draw import MapLayout, render_svg
from ogplatform.maps.render.themes import MapThemeDef

__all__ = ["render_png", "svg_to_png"]


def svg_to_png(svg: str) -> bytes:
    """PNG bytes of an SVG document (no text yet, so no fonts are loaded)."""
    return bytes(resvg_py.svg_to_bytes(svg_string=svg, skip_system_fonts=True))


def render_png(
    index: LocationIndex,
    location: Location,
    *,
    width: int = 1000,
    height: int = 640,
    theme: str | MapThemeDef = "modern",
    dpi: int = 72,
    show_features: bool = True,
    highlight: Sequence[str] = (),
    graticule: bool | None = None,
) -> tuple[bytes, MapLayout]:
    """The map as PNG bytes of exactly ``width`` x ``height`` pixels, and its layout.

    ``dpi`` does not change the pixel size: it says how large the pixels are on paper, so
    stroke widths (and, later, text) grow with it and a 300-dpi render is the print version
    of the same map.
    """
    result = render_svg(
        index,
        location,
        width=width,
        height=height,
        theme=theme,
        dpi=dpi,
        show_features=show_features,
        highlight=highlight,
        graticule=graticule,
    )
    return svg_to_png(result.svg), result.layout
