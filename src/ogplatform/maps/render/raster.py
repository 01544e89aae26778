"""PNG output: the map's SVG rasterised with resvg at the requested pixel size.

A full-canvas filtered rectangle (the vintage paper grain: ``feTurbulence``) is drawn from a
small seamless tile of the same filter, rendered once per process and repeated as a pattern:
resvg would otherwise compute the noise for every pixel of every map (Germany 2400x1600: 5 of
its 7 s). The PDF output (:mod:`ogplatform.maps.render.pdf`) uses the same tiles for typst,
which would rasterise the filter finely.
"""

from __future__ import annotations

import base64
import re
import threading
from collections.abc import Callable, Sequence

import resvg_py

from ogplatform.maps.geodata import Location, LocationIndex
from ogplatform.maps.render._highlight import HighlightInput
from ogplatform.maps.render.draw import MapLayout, render_svg
from ogplatform.maps.render.world import render_world_svg
from ogplatform.plugins.map_themes import MapTheme

__all__ = ["render_png", "render_world_png", "svg_to_png", "tile_filters"]

GRAIN_TILE = 256  # px: big enough that the repeat is invisible, small enough to embed
_FILTER = re.compile(r'<filter\b[^>]*\bid="(?P<id>[^"]+)"[^>]*>.*?</filter>', re.S)


def svg_to_png(svg: str, font_files: Sequence[str] = ()) -> bytes:
    """PNG bytes of an SVG document; text is drawn with exactly ``font_files`` (the files the
    labels were measured with), never with whatever the system has. Full-canvas filters are
    drawn from seamless tiles (:func:`tile_filters`)."""
    return _rasterise(tile_filters(svg), font_files)


def _rasterise(svg: str, font_files: Sequence[str] = ()) -> bytes:
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


# -- filters: a seamless raster tile instead of a canvas-sized filter -----------------------


def tile_filters(svg: str) -> str:
    """Replace every ``<rect … filter="url(#id)"/>`` by the same rectangle filled with a
    pattern of one resvg-rendered ``GRAIN_TILE``-px tile of that filter (seamless: the noise
    is stitched). A filter on anything else is left as it is."""
    if "<filter" not in svg:
        return svg
    patterns: list[str] = []
    for match in list(_FILTER.finditer(svg)):
        fid = match["id"]
        rect = re.compile(rf'<rect\b([^>]*?)\s+filter="url\(#{re.escape(fid)}\)"([^>]*)/>')
        if not rect.search(svg):
            continue  # a filter on something else
        tile = _tile_png(match[0])
        pid = f"{fid}-tile"
        patterns.append(
            f'<pattern id="{pid}" width="{GRAIN_TILE}" height="{GRAIN_TILE}" '
            f'patternUnits="userSpaceOnUse"><image width="{GRAIN_TILE}" '
            f'height="{GRAIN_TILE}" href="data:image/png;base64,{tile}"/></pattern>'
        )
        svg = rect.sub(_filled_with(pid), svg)
    if not patterns:
        return svg
    head_end = svg.index(">", svg.index("<svg")) + 1
    return f"{svg[:head_end]}<defs>{''.join(patterns)}</defs>{svg[head_end:]}"


def _filled_with(pattern_id: str) -> Callable[[re.Match[str]], str]:
    """A substitution: the matched rectangle, its filter (and any fill) swapped for the
    pattern."""

    def without_fill(attributes: str) -> str:
        return re.sub(r'\s+fill="[^"]*"', "", attributes)

    def substitute(m: re.Match[str]) -> str:
        return f'<rect{without_fill(m[1])} fill="url(#{pattern_id})"{without_fill(m[2])}/>'

    return substitute


_tiles: dict[str, str] = {}
_tiles_lock = threading.Lock()


def _tile_png(filter_markup: str) -> str:
    """A ``GRAIN_TILE``-px square of the filter as base64 PNG (cached per filter)."""
    with _tiles_lock:
        cached = _tiles.get(filter_markup)
    if cached is None:
        stitched = filter_markup.replace("<feTurbulence ", '<feTurbulence stitchTiles="stitch" ')
        fid = _FILTER.match(filter_markup)
        assert fid is not None
        n = GRAIN_TILE
        tile_svg = (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{n}" height="{n}">'
            f'<defs>{stitched}</defs><rect width="{n}" height="{n}" '
            f'filter="url(#{fid["id"]})"/></svg>'
        )
        cached = base64.b64encode(_rasterise(tile_svg)).decode("ascii")
        with _tiles_lock:
            _tiles[filter_markup] = cached
    return cached
