"""PNG output: the map's SVG drawn with Skia at the requested pixel size (labels from our
own glyph outlines: :mod:`ogplatform.maps.render._skia`), checked against resvg, which drew
it before (:func:`svg_to_png_resvg`, 3-5x slower; the tests compare the two).

A full-canvas filtered rectangle (the vintage paper grain: ``feTurbulence``) is drawn from a
small seamless tile of the same filter, rendered by resvg once per process, rather than
computing the noise for every pixel of every map (Germany 2400x1600: 5 of its 7 s with
resvg). In a PNG the tile is composited with numpy over the drawn map (the rectangle left out
of the SVG that is drawn), so the grain lies over everything, the neatline included, where
the SVG has it under the last few elements (a difference of a few levels on the neatline's
pixels). The PDF output (:mod:`ogplatform.maps.render.pdf`) fills the rectangle with a
pattern of the same tile (:func:`tile_filters`), as typst would rasterise the filter finely.
"""

from __future__ import annotations

import base64
import io
import re
import threading
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt
import resvg_py

from ogplatform.maps.geodata import Location, LocationIndex
from ogplatform.maps.render._highlight import HighlightInput
from ogplatform.maps.render._skia import UnsupportedSvg, draw_svg
from ogplatform.maps.render.draw import MapLayout, render_svg
from ogplatform.maps.render.world import render_world_svg
from ogplatform.plugins.map_themes import MapTheme

__all__ = [
    "render_png",
    "render_world_png",
    "svg_to_png",
    "svg_to_png_resvg",
    "tile_filters",
]

GRAIN_TILE = 256  # px: big enough that the repeat is invisible, small enough to embed
_FILTER = re.compile(r'<filter\b[^>]*\bid="(?P<id>[^"]+)"[^>]*>.*?</filter>', re.S)


def svg_to_png(svg: str, font_files: Sequence[str] = ()) -> bytes:
    """PNG bytes of a map SVG (as :func:`render_svg` writes them), drawn with Skia; its
    labels are set again with the platform's own fonts and layout, exactly as they were
    measured, never with whatever the system has (``font_files``, the files they were
    measured with, is what the resvg reference needs). Full-canvas filters are drawn from
    seamless tiles: composited with numpy afterwards when they only generate (noise), else as
    a pattern (:func:`tile_filters`)."""
    lifted, overlays = _lift_overlays(svg)
    size = _SIZE.search(lifted)
    if size is None:  # not as the map writer makes them: resvg reads any size and viewBox
        return svg_to_png_resvg(svg, font_files)
    try:
        rgba = draw_svg(tile_filters(lifted), int(size[1]), int(size[2]))
    except UnsupportedSvg:  # text in a form the map writer does not use: resvg draws it all
        return svg_to_png_resvg(svg, font_files)
    return _encode(rgba, overlays)


def svg_to_png_resvg(svg: str, font_files: Sequence[str] = ()) -> bytes:
    """The same PNG drawn entirely by resvg: the reference the Skia path is checked against
    (tests compare them pixel by pixel)."""
    svg, overlays = _lift_overlays(svg)
    png = _rasterise(tile_filters(svg), font_files)
    if not overlays:
        return png
    from PIL import Image

    rgba = np.asarray(Image.open(io.BytesIO(png)).convert("RGBA")).astype(np.uint16)
    rgba[:, :, :3] = (rgba[:, :, :3] * rgba[:, :, 3:4] + 127) // 255  # premultiplied
    return _encode(rgba.astype(np.uint8), overlays)


# A filter that reads nothing beneath it (its output is the same wherever it is drawn).
_READS_BELOW = re.compile(r"SourceGraphic|SourceAlpha|Background|FillPaint|StrokePaint|feImage")
_SIZE = re.compile(r'<svg\b[^>]*?\swidth="(\d+)"[^>]*?\sheight="(\d+)"')


def _lift_overlays(svg: str) -> tuple[str, list[tuple[str, float]]]:
    """Take out the canvas-sized rectangles drawn only by a generating filter (paper grain):
    ``(svg without them, [(filter markup, opacity)])`` to composite over the raster."""
    if "<filter" not in svg:
        return svg, []
    size = _SIZE.search(svg)
    if size is None:
        return svg, []
    w, h = size[1], size[2]
    overlays: list[tuple[str, float]] = []
    for match in list(_FILTER.finditer(svg)):
        if _READS_BELOW.search(match[0]):
            continue
        fid = re.escape(match["id"])
        rect = re.compile(
            rf'<rect width="{w}" height="{h}" filter="url\(#{fid}\)"'
            r'(?: opacity="(?P<op>[0-9.]+)")?\s*/>'
        )
        found = list(rect.finditer(svg))
        if not found:
            continue
        for m in found:
            overlays.append((match[0], float(m["op"]) if m["op"] else 1.0))
        svg = rect.sub("", svg)
    return svg, overlays


def _encode(rgba: npt.NDArray[np.uint8], overlays: list[tuple[str, float]]) -> bytes:
    """PNG of the pixels (premultiplied RGBA; opaque ones become RGB) with the overlays'
    tiles composited (source-over) on top."""

    from ogplatform.render.raster import encode_png_pixels

    opaque = int(rgba[:, :, 3].min()) == 255
    if not overlays:
        if opaque:  # the maps are: the sea covers the canvas
            return encode_png_pixels(rgba, sub_filter=False)
        return _encode_rgba(_unpremultiply(rgba))
    out: npt.NDArray[np.float32] = rgba[:, :, :3].astype(np.float32)
    for markup, opacity in overlays:
        colour, alpha = _tile_layers(markup)
        n = GRAIN_TILE
        height, width = out.shape[:2]
        reps = -(-width // n)
        for y0 in range(0, height, n):  # band by band: one tile row at a time
            band = out[y0 : y0 + n]
            rows = band.shape[0]
            a = np.tile(alpha[:rows], (1, reps))[:, :width, None] * opacity
            c = np.tile(colour[:rows], (1, reps, 1))[:, :width]
            band += (c - band) * a
    pixels = np.clip(np.rint(out), 0, 255).astype(np.uint8)
    if opaque:
        return encode_png_pixels(pixels, sub_filter=False)
    merged = np.dstack([pixels, rgba[:, :, 3]])  # transparent parts keep their alpha
    return _encode_rgba(_unpremultiply(merged))


def _unpremultiply(rgba: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    alpha = rgba[:, :, 3:4].astype(np.float32)
    rgb = rgba[:, :, :3].astype(np.float32) * 255.0 / np.maximum(alpha, 1.0)
    return np.dstack([np.clip(np.rint(rgb), 0, 255).astype(np.uint8), rgba[:, :, 3]])


def _encode_rgba(rgba: npt.NDArray[np.uint8]) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()


_layers: dict[str, tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]] = {}


def _tile_layers(markup: str) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """A filter's tile as colour (n, n, 3) and alpha (n, n) in 0..1 (cached per filter)."""
    cached = _layers.get(markup)
    if cached is None:
        from PIL import Image

        tile = np.asarray(
            Image.open(io.BytesIO(base64.b64decode(_tile_png(markup)))).convert("RGBA")
        ).astype(np.float32)
        cached = (tile[:, :, :3], tile[:, :, 3] / 255.0)
        _layers[markup] = cached
    return cached


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
    selected_features: Sequence[str] = (),
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
        selected_features=selected_features,
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
    selected_features: Sequence[str] = (),
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
        selected_features=selected_features,
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
