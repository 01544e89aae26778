"""The built-in catalog: every generated background, palettes and seeds chosen by hand.

Ids are stable (they are what ``bgId`` refers to); bump an entry's ``version`` whenever its
pixels change, because the version is part of every cache key.
"""

from __future__ import annotations

from ogplatform.builtin.backgrounds._background import GeneratedBackground
from ogplatform.builtin.backgrounds._catalog_crisp import abstract, geometric, technology
from ogplatform.builtin.backgrounds._catalog_soft import gradients, nature, textures

__all__ = ["catalog"]

catalog: list[GeneratedBackground] = [
    *gradients,
    *textures,
    *nature,
    *technology,
    *abstract,
    *geometric,
]
