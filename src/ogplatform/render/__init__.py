"""Rendering, pure (no HTTP, no database): fonts, text layout, the card scene, SVG and raster.

Imports nothing else from ogplatform, so plugins and routes may depend on it, never the reverse.

The names below are imported on first use (PEP 562): the map renderer, which needs the text
layout but not the card rasteriser (Pillow, aggdraw), does not pay for the rest.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_WHERE = {
    "DEFAULT_FALLBACK_FAMILIES": "fonts",
    "FontLibrary": "fonts",
    "FontRef": "fonts",
    "UnknownFontFamilyError": "fonts",
    "ImageFormat": "raster",
    "encode": "raster",
    "render_raster": "raster",
    "Layer": "scene",
    "LinearGradient": "scene",
    "Paint": "scene",
    "RadialGradient": "scene",
    "Rect": "scene",
    "Scene": "scene",
    "Solid": "scene",
    "Stop": "scene",
    "Text": "scene",
    "scene_svg": "svg",
    "xml_text": "svg",
    "Align": "text",
    "Direction": "text",
    "Line": "text",
    "Run": "text",
    "TextBlock": "text",
    "TextStyle": "text",
    "fit_text": "text",
    "layout_text": "text",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
