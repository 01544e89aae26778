"""The background contract (entry-point group ``ogplatform.backgrounds``).

An entry point names one :class:`Background`, or a list/tuple of them (a catalog pack). The
renderer asks a background for pixels at the card's size and caches them per
(id, version, size), so ``image()`` may be slow-ish (tens of ms) but must be deterministic.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from PIL.Image import Image

__all__ = ["Background"]


@runtime_checkable
class Background(Protocol):
    id: str  # what `bgId` refers to: url-safe, stable
    version: str  # bump when the pixels change: it is part of every cache key
    title: str
    author: str
    category: str  # "abstract", "gradient", "technology", "nature", "texture", ...
    tags: Sequence[str]

    @property
    def dominant_color(self) -> str:
        """``#rrggbb``: placeholders, and choosing a readable text colour."""
        ...

    @property
    def tone(self) -> str:
        """``"dark"`` or ``"light"``: which text colour reads on it without an overlay."""
        ...

    def image(self, width: int, height: int) -> Image:
        """The background as an RGB image of exactly ``width`` x ``height`` pixels.

        Photos are cover-fitted (cropped, never stretched); generated art is drawn at that size.
        The same arguments always give the same pixels.
        """
        ...
