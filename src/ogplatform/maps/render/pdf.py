"""PDF output: the map's SVG compiled by typst into a one-page vector PDF.

The page is exactly the map's size on paper (``width / dpi`` by ``height / dpi`` inches, no
margin). Typst gets exactly the font files the labels were measured with, so every label stays
selectable, searchable text in the PDF. A typst compiler (with its fonts) is kept per font set
and reused: fonts are read once per process.

Typst would rasterise SVG filters at a high resolution (the vintage paper grain alone made a
25 MB page in 7 s), so a full-canvas filtered rectangle is drawn from a small seamless tile
rendered by resvg instead (:func:`~ogplatform.maps.render.raster.tile_filters`, which the
PNG output uses too): the same noise, a few hundred kilobytes.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import typst

from ogplatform.maps.geodata import Location, LocationIndex
from ogplatform.maps.render._highlight import HighlightInput
from ogplatform.maps.render.draw import MapLayout, render_svg
from ogplatform.maps.render.raster import tile_filters
from ogplatform.plugins.map_themes import MapTheme

__all__ = ["page_size_points", "render_pdf", "svg_to_pdf"]

# Constant source (typst parses it once); the map and page size arrive as sys.inputs.
_PAGE = b"""#set document(title: sys.inputs.at("title", default: none))
#set page(width: float(sys.inputs.width) * 1pt, height: float(sys.inputs.height) * 1pt,
          margin: 0pt)
#image(bytes(sys.inputs.map), format: "svg", width: 100%, height: 100%, fit: "stretch")
"""
_SESSIONS_KEPT = 8


def page_size_points(width: int, height: int, dpi: int) -> tuple[float, float]:
    """The page in PDF points (1/72 in) for a map of ``width`` x ``height`` px at ``dpi``."""
    return width * 72.0 / dpi, height * 72.0 / dpi


def svg_to_pdf(
    svg: str,
    *,
    width: int,
    height: int,
    dpi: int = 72,
    font_files: Sequence[str] = (),
    title: str | None = None,
) -> bytes:
    """A one-page PDF of the SVG document (``width`` x ``height`` px) at ``dpi``.

    Text is set with exactly ``font_files`` (no system fonts): a family not among them
    vanishes, as in the PNG. ``title`` becomes the document title in the PDF's metadata.
    """
    page_w, page_h = page_size_points(width, height, dpi)
    inputs = {
        "map": tile_filters(svg),
        "width": repr(page_w),
        "height": repr(page_h),
    }
    if title:
        inputs["title"] = title
    session = _session(tuple(sorted(set(font_files))))
    with session.lock:  # a typst.Compiler is not re-entrant (it releases the GIL meanwhile)
        pdf = session.compiler.compile(input=_PAGE, format="pdf", sys_inputs=inputs)
    assert isinstance(pdf, bytes)
    return pdf


def render_pdf(
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
    """The map as a vector PDF whose page is ``width / dpi`` x ``height / dpi`` inches, and
    its layout. Options as for :func:`~ogplatform.maps.render.render_svg`; a 1400x900 map at
    72 dpi is a 19.44 x 12.5 in page, at 300 dpi 4.67 x 3 in (the print version)."""
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
    pdf = svg_to_pdf(
        result.svg,
        width=width,
        height=height,
        dpi=dpi,
        font_files=result.font_files,
        title=location.name,
    )
    return pdf, result.layout


# -- typst sessions: one compiler per font set, fonts loaded once -----------------------------


@dataclass(slots=True)
class _Session:
    compiler: typst.Compiler
    lock: threading.Lock
    font_dir: tempfile.TemporaryDirectory[str]  # kept alive as long as the compiler


_sessions: OrderedDict[tuple[str, ...], _Session] = OrderedDict()
_sessions_lock = threading.Lock()


def _session(font_files: tuple[str, ...]) -> _Session:
    with _sessions_lock:
        session = _sessions.get(font_files)
        if session is not None:
            _sessions.move_to_end(font_files)
            return session
        # typst reads fonts from folders only: one of links to exactly these files.
        folder = tempfile.TemporaryDirectory(prefix="ogp-typst-fonts-")
        for i, path in enumerate(font_files):
            os.symlink(os.path.abspath(path), os.path.join(folder.name, f"{i:03d}-{_base(path)}"))
        fonts = typst.Fonts(
            include_system_fonts=False, include_embedded_fonts=False, font_paths=[folder.name]
        )
        session = _Session(typst.Compiler(font_paths=fonts), threading.Lock(), folder)
        _sessions[font_files] = session
        while len(_sessions) > _SESSIONS_KEPT:
            _sessions.popitem(last=False)
        return session


def _base(path: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", os.path.basename(path))
