"""The background contract (entry-point group ``ogplatform.backgrounds``).

An entry point names one :class:`Background`, or a list/tuple of them (a catalog pack).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

__all__ = ["Background"]


@runtime_checkable
class Background(Protocol):
    id: str  # what `bgId` refers to
    version: str  # bump when the pixels change: it is part of every cache key
    title: str
    author: str
    category: str
    tags: Sequence[str]
    dominant_color: str  # "#rrggbb", used for placeholders and text contrast

    def load(self) -> bytes:
        """Return the encoded image (PNG/JPEG/WebP) the renderer decodes and caches."""
        ...
