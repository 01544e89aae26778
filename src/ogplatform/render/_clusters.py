"""Grapheme clusters: cleaning input, telling emoji apart, and where lines may break.

Everything downstream works on whole clusters (``regex``'s ``\\X``), so no operation can cut a
ZWJ emoji sequence, a flag, a skin-tone modifier or a combining mark apart.
"""

from __future__ import annotations

from enum import IntEnum
from functools import lru_cache

import regex  # type: ignore[import-untyped,unused-ignore]

__all__ = [
    "Break",
    "break_allowed",
    "break_class",
    "clusters",
    "describe",
    "emoji_kind",
    "is_common_script",
    "paragraphs",
    "significant_codepoints",
]

_CLUSTER = regex.compile(r"\X")
# C0/C1 controls except the newline, and lone surrogates (they cannot be encoded for shaping).
_UNWANTED = regex.compile(r"[^\P{Cc}\n]|\p{Cs}")
_SPACES = regex.compile(r" {2,}")
_IGNORABLE = regex.compile(r"\p{Default_Ignorable_Code_Point}")
_EMOJI_FORCED = regex.compile(
    r"[\p{Emoji_Presentation}\p{Emoji_Modifier}\p{Regional_Indicator}\uFE0F\u20E3"
    r"\U000E0020-\U000E007F]"
)
_PICTOGRAPHIC = regex.compile(r"\p{Extended_Pictographic}")
_COMMON = regex.compile(r"[\p{Zyyy}\p{Zinh}]")
_IDEOGRAPHIC = regex.compile(
    r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\p{Bopomofo}\u3000-\u303F\uFF01-\uFF60]"
)

_NON_BREAKING_SPACES = frozenset("\u00a0\u2007\u202f")
_GLUE = frozenset("\u00a0\u2007\u202f\u2060\ufeff")
_HYPHENS = frozenset("-\u2010\u2012\u2013\u2014")
# Never break before these (UAX #14 CL, CP, EX, IS, NS and IN, the common ones).
_CLOSING = frozenset(
    ")]}!?,.:;\u2019\u201d\u2026\u2025"
    "\u3001\u3002\uff0c\uff0e\uff09\u300d\u300f\u3011\u3015\u3009\u300b\u3019\u3017\uff5d"
    "\uff3d\uff01\uff1f\uff1a\uff1b\u30fb\u30fc\u301c\u309d\u309e\u30fd\u30fe\u3005"
    "\u3041\u3043\u3045\u3047\u3049\u3063\u3083\u3085\u3087\u308e"
    "\u30a1\u30a3\u30a5\u30a7\u30a9\u30c3\u30e3\u30e5\u30e7\u30ee\u30f5\u30f6"
)
# Never break after these (UAX #14 OP and opening quotes).
_OPENING = frozenset(
    "([{\u2018\u201c\u00bf\u00a1\uff08\u300c\u300e\u3010\u3014\u3008\u300a\u3018\u3016\uff5b\uff3b"
)


class Break(IntEnum):
    """Line-breaking class of a cluster (a small subset of UAX #14)."""

    OTHER = 0
    SPACE = 1
    ZWSP = 2
    HYPHEN = 3
    IDEOGRAPHIC = 4
    CLOSING = 5
    OPENING = 6
    GLUE = 7


def paragraphs(text: str) -> list[str]:
    """Clean ``text`` and split it into non-empty paragraphs at newlines.

    Controls (NUL, BEL, ...) and lone surrogates are removed, tabs become spaces, runs of spaces
    collapse to one and each paragraph is trimmed, as HTML's ``white-space: normal`` does.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n")
    text = _UNWANTED.sub("", text)
    out: list[str] = []
    for para in text.split("\n"):
        para = _SPACES.sub(" ", para).strip(" ")
        if para:
            out.append(para)
    return out


def clusters(text: str) -> list[str]:
    """The extended grapheme clusters of ``text``."""
    return list(_CLUSTER.findall(text))


def significant_codepoints(cluster: str) -> tuple[int, ...]:
    """Code points a font must cover to draw ``cluster`` (default-ignorables left out)."""
    return tuple(ord(ch) for ch in cluster if not _IGNORABLE.match(ch))


def emoji_kind(cluster: str) -> int:
    """2: drawn as emoji; 1: pictograph with text presentation (emoji only if no font has
    it); 0: not an emoji."""
    if "\ufe0e" in cluster:
        return 0
    if _EMOJI_FORCED.search(cluster) or ("\u200d" in cluster and _PICTOGRAPHIC.search(cluster)):
        return 2
    return 1 if _PICTOGRAPHIC.search(cluster) else 0


def is_common_script(cluster: str) -> bool:
    """Whether the cluster's base is script-neutral (digits, punctuation, spaces)."""
    return bool(_COMMON.match(cluster))


def break_class(cluster: str, emoji: bool) -> Break:
    """The line-breaking class of ``cluster``."""
    base = cluster[0]
    if base == "\u200b":
        return Break.ZWSP
    if base in _GLUE:
        return Break.GLUE
    if base == " " or (base.isspace() and base not in _NON_BREAKING_SPACES and base != "\n"):
        return Break.SPACE
    if base in _CLOSING:
        return Break.CLOSING
    if base in _OPENING:
        return Break.OPENING
    if base in _HYPHENS:
        return Break.HYPHEN
    if emoji or _IDEOGRAPHIC.match(base):
        return Break.IDEOGRAPHIC
    return Break.OTHER


def break_allowed(before: Break, after: Break) -> bool:
    """Whether a line may break between a cluster of class ``before`` and one of ``after``."""
    if after in (Break.SPACE, Break.ZWSP, Break.CLOSING, Break.GLUE):
        return False
    if before in (Break.OPENING, Break.GLUE):
        return False
    if before in (Break.SPACE, Break.ZWSP, Break.HYPHEN):
        return True
    return Break.IDEOGRAPHIC in (before, after)


@lru_cache(maxsize=65536)
def describe(cluster: str) -> tuple[int, Break, tuple[int, ...], bool]:
    """Everything size- and font-independent about a cluster, memoized (clusters repeat).

    Returns ``(emoji_kind, break_class, significant_codepoints, is_common_script)``.
    """
    kind = emoji_kind(cluster)
    return (
        kind,
        break_class(cluster, kind == 2),
        significant_codepoints(cluster),
        is_common_script(cluster),
    )
