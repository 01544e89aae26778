"""The map renderer (pure, no HTTP): projection per location, SVG drawing, PNG and PDF output."""

from ogplatform.maps.render.draw import MapLayout, MapSvg, UnknownSubdivisionError, render_svg
from ogplatform.maps.render.pdf import render_pdf, svg_to_pdf
from ogplatform.maps.render.projection import (
    Albers,
    EqualEarth,
    Fit,
    LambertAzimuthal,
    Projection,
    TransverseMercator,
    choose_projection,
)
from ogplatform.maps.render.raster import render_png, render_world_png, svg_to_png
from ogplatform.maps.render.themes import THEMES, MapThemeDef, get_theme
from ogplatform.maps.render.world import WORLD_CODE, render_world_svg

__all__ = [
    "THEMES",
    "WORLD_CODE",
    "Albers",
    "EqualEarth",
    "Fit",
    "LambertAzimuthal",
    "MapLayout",
    "MapSvg",
    "MapThemeDef",
    "Projection",
    "TransverseMercator",
    "UnknownSubdivisionError",
    "choose_projection",
    "get_theme",
    "render_pdf",
    "render_png",
    "render_svg",
    "render_world_png",
    "render_world_svg",
    "svg_to_pdf",
    "svg_to_png",
]
