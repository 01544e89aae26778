"""The map-theme contract (entry-point group ``ogplatform.map_themes``).

An entry point names one :class:`MapTheme`, or a list/tuple of them. The seed API's theme object
is ``{"name", "version", "display_name"}``; ``id`` is that ``name``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

__all__ = ["MapTheme"]


@runtime_checkable
class MapTheme(Protocol):
    id: str  # "modern", "vintage", "satellite", "monochrome", "blueprint"
    version: str  # "1.0": part of every cache key and of the job's `theme` object
    display_name: str  # "Modern Clean Style"
    palette: Mapping[str, str]  # named colours ("land", "water", "border", "label", ...)
