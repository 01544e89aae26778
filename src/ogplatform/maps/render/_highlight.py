"""Highlight requests: codes or ids, or objects ``{"id"|"code", "color"?, "label"?}``."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = ["Highlight", "HighlightInput", "parse_highlights"]

HighlightInput = str | Mapping[str, object]

# hex colours and CSS colour names: the only colour syntax we pass into SVG attributes
_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})|[a-zA-Z]{3,24}")
MAX_LABEL = 80


@dataclass(frozen=True, slots=True)
class Highlight:
    """One highlighted unit: its code or id as given, its fill and the label replacing its
    name (``None``: the theme's highlight colour, the unit's own name)."""

    key: str
    color: str | None = None
    label: str | None = None


def parse_highlights(items: Sequence[HighlightInput]) -> list[Highlight]:
    """Normalise ``highlight``; ``ValueError`` for a malformed entry (an unknown code is the
    renderer's :class:`UnknownSubdivisionError`, raised once the mapped place is known)."""
    if isinstance(items, str):
        items = [items]
    out: list[Highlight] = []
    for item in items:
        if isinstance(item, str):
            out.append(Highlight(item))
            continue
        if not isinstance(item, Mapping):
            raise ValueError("highlight entries must be codes or objects with an id or code")
        key = item.get("code", item.get("id"))
        if not isinstance(key, str) or not key.strip():
            raise ValueError("a highlight object needs an id or code (string)")
        color = item.get("color")
        if color is not None and (not isinstance(color, str) or not _COLOUR.fullmatch(color)):
            raise ValueError(f"highlight color must be #rgb, #rrggbb or a CSS name: {color!r}")
        label = item.get("label")
        if label is not None:
            if not isinstance(label, str):
                raise ValueError("highlight label must be a string")
            label = " ".join(label.split())[:MAX_LABEL] or None
        out.append(Highlight(key, color, label))
    return out
