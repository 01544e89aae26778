"""Rendering, pure (no HTTP, no database): fonts and text layout so far.

Imports nothing else from ogplatform, so plugins and routes may depend on it, never the reverse.
"""

from ogplatform.render.fonts import (
    DEFAULT_FALLBACK_FAMILIES,
    FontLibrary,
    FontRef,
    UnknownFontFamilyError,
)
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

__all__ = [
    "DEFAULT_FALLBACK_FAMILIES",
    "Align",
    "Direction",
    "FontLibrary",
    "FontRef",
    "Line",
    "Run",
    "TextBlock",
    "TextStyle",
    "UnknownFontFamilyError",
    "fit_text",
    "layout_text",
]
