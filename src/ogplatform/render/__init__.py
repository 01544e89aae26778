"""Rendering, pure (no HTTP, no database): fonts, text layout, the card scene, SVG and raster.

Imports nothing else from ogplatform, so plugins and routes may depend on it, never the reverse.
"""

from ogplatform.render.fonts import (
    DEFAULT_FALLBACK_FAMILIES,
    FontLibrary,
    FontRef,
    UnknownFontFamilyError,
)
from ogplatform.render.raster import ImageFormat, encode, render_raster
from ogplatform.render.scene import (
    Layer,
    LinearGradient,
    Paint,
    RadialGradient,
    Rect,
    Scene,
    Solid,
    Stop,
    Text,
)
from ogplatform.render.svg import scene_svg, xml_text
from ogplatform.render.text import (
    Align,
    Direction,
    Line,
    Run,
    TextBlock,
    TextStyle,
    fit_text,
    layout_text,
)

# Bump when the renderer draws the same scene differently: it is part of every cache key.
RENDER_VERSION = "1"

__all__ = [
    "DEFAULT_FALLBACK_FAMILIES",
    "RENDER_VERSION",
    "Align",
    "Direction",
    "FontLibrary",
    "FontRef",
    "ImageFormat",
    "Layer",
    "Line",
    "LinearGradient",
    "Paint",
    "RadialGradient",
    "Rect",
    "Run",
    "Scene",
    "Solid",
    "Stop",
    "Text",
    "TextBlock",
    "TextStyle",
    "UnknownFontFamilyError",
    "encode",
    "fit_text",
    "layout_text",
    "render_raster",
    "scene_svg",
    "xml_text",
]
