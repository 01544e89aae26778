"""The catalog's :class:`~ogplatform.plugins.Background`: metadata plus a generator."""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np
from PIL import Image

from ogplatform.builtin.backgrounds._art import Art
from ogplatform.builtin.backgrounds._canvas import finish
from ogplatform.builtin.backgrounds._color import rgb_to_hex, tone_of

__all__ = ["GeneratedBackground"]

_SAMPLE = (240, 126)  # big enough that its mean matches a full-size render's to within a step


class GeneratedBackground:
    """A deterministic generated background; ``dominant_color`` and ``tone`` come from its pixels.

    Both are computed on first use from a small render (the composition scales with the size,
    so the mean colour barely depends on it), which keeps importing the catalog cheap.
    """

    __slots__ = (
        "_art",
        "_grain",
        "_seed",
        "_summary",
        "author",
        "category",
        "id",
        "tags",
        "title",
        "version",
    )

    def __init__(
        self,
        id: str,
        title: str,
        category: str,
        tags: Sequence[str],
        art: Art,
        *,
        grain: float = 1.6,
        version: str = "1",
        author: str = "ogplatform",
    ) -> None:
        self.id = id
        self.version = version
        self.title = title
        self.author = author
        self.category = category
        self.tags: tuple[str, ...] = tuple(tags)
        self._art = art
        self._grain = grain
        self._seed = zlib.crc32(id.encode())  # stable across processes, unlike hash()
        self._summary: tuple[str, str] | None = None

    def image(self, width: int, height: int) -> Image.Image:
        """The background drawn at ``width`` x ``height`` (RGB); identical for identical sizes."""
        if width < 1 or height < 1:
            raise ValueError(f"background size must be positive, got {width}x{height}")
        return finish(self._art.draw(width, height), grain_amount=self._grain, seed=self._seed)

    @property
    def dominant_color(self) -> str:
        """The mean colour of the image as ``#rrggbb``."""
        return self._summarize()[0]

    @property
    def tone(self) -> str:
        """``'dark'`` (white text reads on it) or ``'light'`` (near-black text does)."""
        return self._summarize()[1]

    def _summarize(self) -> tuple[str, str]:
        if self._summary is None:
            sample = np.asarray(self.image(*_SAMPLE), dtype=np.float64)
            mean = sample.reshape(-1, 3).mean(axis=0)
            self._summary = (rgb_to_hex(mean), tone_of(mean))
        return self._summary

    def __repr__(self) -> str:
        return f"<GeneratedBackground {self.id!r} ({self.category})>"
