"""Bidirectional text: paragraph direction, embedding levels and visual order.

Levels come from python-bidi's Rust implementation (``unicode-bidi``), whose ``debug=True``
output is the documented way it exposes "the calculated levels" (one per UTF-8 byte).
"""

from __future__ import annotations

from collections.abc import Sequence

import regex  # type: ignore[import-untyped,unused-ignore]
from bidi import get_base_level, get_display  # type: ignore[import-untyped,unused-ignore]

__all__ = ["base_level", "char_levels", "visual_order"]

# Anything that can raise a level above 0: right-to-left letters, Arabic digits, explicit
# embeddings, overrides and isolates.
_NEEDS_BIDI = regex.compile(r"[\p{bc=R}\p{bc=AL}\p{bc=AN}\u202A-\u202E\u2066-\u2069]")
_LEVEL = regex.compile(r"Level\(\s*(\d+)")


def base_level(paragraph: str) -> int:
    """0 (left-to-right) or 1 (right-to-left), from the first strong character (UAX #9 P2-P3)."""
    if not _NEEDS_BIDI.search(paragraph):
        return 0
    return 1 if int(get_base_level(paragraph)) % 2 else 0


def char_levels(paragraph: str, base: int) -> list[int]:
    """The resolved embedding level of every character of ``paragraph``."""
    if not _NEEDS_BIDI.search(paragraph):
        return [base] * len(paragraph)
    debug = str(get_display(paragraph, base_dir="R" if base else "L", debug=True))
    start = debug.find("levels: [")
    end = debug.find("]", start)
    byte_levels = [int(m) for m in _LEVEL.findall(debug, start, end)] if start >= 0 else []
    if len(byte_levels) != len(paragraph.encode("utf-8")):
        # Unknown output format: fall back to strong directions only (never crash).
        return [base if not _NEEDS_BIDI.match(ch) else 1 for ch in paragraph]
    levels: list[int] = []
    offset = 0
    for ch in paragraph:
        levels.append(byte_levels[offset])
        offset += len(ch.encode("utf-8"))
    return levels


def visual_order(levels: Sequence[int]) -> list[int]:
    """Indices of items with ``levels`` in left-to-right display order (UAX #9 rule L2)."""
    order = list(range(len(levels)))
    odd = [level for level in levels if level % 2]
    if not odd:
        return order
    lowest_odd = min(odd)
    for level in range(max(levels), lowest_odd - 1, -1):
        i = 0
        while i < len(order):
            if levels[order[i]] >= level:
                j = i
                while j < len(order) and levels[order[j]] >= level:
                    j += 1
                order[i:j] = order[i:j][::-1]
                i = j
            else:
                i += 1
    return order
