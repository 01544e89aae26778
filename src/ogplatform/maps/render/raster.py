"""PNG output: the map's SVG rasterised with resvg at the requested pixel size."""

from __future__ import annotations

from collections.abc import Sequence

import resvg_py

from ogplatform.maps.geodata import Location, LocationIndex
from ogplatform.maps.render._highlight import HighlightInput
from ogplatform.maps.render.draw import MapLayout, render_svg
from ogplatform.maps.render.world import render_world_svg
from ogplatform.plugins.map_themes import MapTheme

__all__ = ["render_png", "render_world_png", "svg_to_png"]


def svg_to_png(svg: str, font_files: Sequence[str] = ()) -> bytes:
    """PNG bytes of an SVG document; text is drawn with exactly ``font_files`` (the files the
    labels were measured with), never with whatever the system has."""
    if font_files:
        return bytes(
            resvg_py.svg_to_bytes(
                svg_string=svg, font_files=list(font_files), skip_system_fonts=True
            )
        )
    return bytes(resvg_py.svg_to_bytes(svg_string=svg, skip_system_fonts=True))


def render_png(
    index: LocationIndex,
    location: Location,
    *,
    width: int = 1000,
    height: int = 640,
    theme: str | MapTheme = "modern",
    dpi: int = 72,
    show_features: bool = True,
    highlight: Sequence[HighlightInput] = (),
    graticule: bool | None = None,
    show_subdivision_labels: bool = True,
    show_country_labels: bool = True,
    show_city_labels: bool = True,
    show_river_labels: bool = False,
    show_lake_labels: bool = False,
    river_label_position: str = "center",
    lake_label_position: str = "center",
) -> tuple[bytes, MapLayout]:
    """The map as PNG bytes of exactly ``width`` x ``height`` pixels, and its layout.

    ``dpi`` does not change the pixel size: it says how large the pixels are on paper, so
    stroke widths (and, later, text) grow with it and a 300-dpi render is the print version
    of the same map. Label options: see :func:`render_svg`.
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
        show_subdivision_labels=show_subdivision_labels,
        show_country_labels=show_country_labels,
        show_city_labels=show_city_labels,
        show_river_labels=show_river_labels,
        show_lake_labels=show_lake_labels,
        river_label_position=river_label_position,
        lake_label_position=lake_label_position,
    )
    return svg_to_png(result.svg, result.font_files), result.layout


def render_world_png(
    index: LocationIndex,
    *,
    width: int = 1400,
    height: int = 760,
    theme: str | MapTheme = "modern",
    dpi: int = 72,
    show_features: bool = False,
    highlight: Sequence[HighlightInput] = (),
    graticule: bool | None = None,
    show_country_labels: bool = True,
) -> tuple[bytes, MapLayout]:
    """The world map (:func:`render_world_svg`) as PNG bytes of ``width`` x ``height``."""
    result = render_world_svg(
        index,
        width=width,
        height=height,
        theme=theme,
        dpi=dpi,
        show_features=show_features,
        highlight=highlight,
        graticule=graticule,
        show_country_labels=show_country_labels,
    )
    return svg_to_png(result.svg, result.font_files), result.layout
