"""Line breaking: prepared text (fonts, levels, break points) broken into lines at a size.

Preparation does not depend on the font size, so auto-fit prepares once and breaks many times.
Breaking sums word widths (cheap, cached); only the lines kept are shaped run by run, which is
the width a back-end draws.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ogplatform.render._bidi import base_level, char_levels
from ogplatform.render._clusters import Break, break_allowed, clusters, describe, paragraphs
from ogplatform.render._shaping import measure
from ogplatform.render.fonts import FontRef

__all__ = ["EMOJI", "PreparedText", "Span", "break_lines"]

EMOJI = -1
EPSILON = 1e-6
ELLIPSIS = "\u2026"

Span = tuple[int, int, int]
"""A line before shaping: (paragraph, first cluster, end cluster), trailing spaces excluded."""


@dataclass(slots=True)
class Cluster:
    """One visible grapheme cluster with the font (chain index, or EMOJI) and level it gets."""

    text: str
    font: int
    level: int
    brk: Break
    break_before: bool


class PreparedText:
    """The size-independent analysis of a text for one font chain."""

    __slots__ = (
        "_cluster_em",
        "_coverage",
        "_covered",
        "_signatures",
        "_word_em",
        "bases",
        "chain",
        "dropped",
        "paragraphs",
        "words",
    )

    def __init__(
        self,
        text: str,
        chain: tuple[FontRef, ...],
        coverage: Callable[[FontRef], frozenset[int]],
    ) -> None:
        self.chain = chain
        self._coverage = coverage
        self._covered: dict[tuple[str, int], tuple[int | None, str, tuple[int, ...]]] = {}
        self._signatures: dict[float, tuple[float | None, ...]] = {}
        self._word_em: dict[tuple[int, int, tuple[float | None, ...]], tuple[float, float]] = {}
        self._cluster_em: dict[tuple[int, int, tuple[float | None, ...]], float] = {}
        dropped: dict[str, None] = {}
        self.paragraphs: list[list[Cluster]] = []
        self.bases: list[int] = []
        self.words: list[list[tuple[int, int, int]]] = []
        for para in paragraphs(text):
            base = base_level(para)
            kept = self._analyse(para, base, dropped)
            if kept:
                self.paragraphs.append(kept)
                self.bases.append(base)
                self.words.append(_words(kept))
        self.dropped = tuple(dropped)

    def _font_for(self, text: str, prev: int) -> tuple[int | None, str, tuple[int, ...]]:
        """Chain index for a cluster, the part of it that index covers, and what it lacks.

        Script-neutral clusters (digits, punctuation) stay in the previous cluster's font when
        it has them, so an Arabic phrase keeps its own digits and spaces.
        """
        _, _, cps, common = describe(text)
        common = common and prev >= 0
        key = (text, prev if common else -2)
        cached = self._covered.get(key)
        if cached is not None:
            return cached
        covers = [*([prev] if common else []), *range(len(self.chain))]
        found = next(
            (i for i in covers if all(cp in self._coverage(self.chain[i]) for cp in cps)), None
        )
        if found is None:  # no face has all of it: take one with the base character
            found = next((i for i in covers if cps[0] in self._coverage(self.chain[i])), None)
        missing: tuple[int, ...] = ()
        if found is not None:
            cover = self._coverage(self.chain[found])
            missing = tuple(cp for cp in cps if cp not in cover)
            if missing:
                text = "".join(ch for ch in text if ord(ch) not in missing)
        result = self._covered[key] = (found, text, missing)
        return result

    def _analyse(self, para: str, base: int, dropped: dict[str, None]) -> list[Cluster]:
        levels = char_levels(para, base)
        kept: list[Cluster] = []
        prev_class = Break.OTHER
        breakable = False
        prev_font = -1
        offset = 0
        for text in clusters(para):
            level = levels[offset]
            offset += len(text)
            kind, cls, cps, _ = describe(text)
            breakable = breakable or break_allowed(prev_class, cls)
            prev_class = cls
            if not cps:
                continue  # bidi controls, ZWSP, joiners: their work is done
            if kind == 2:
                font: int | None = EMOJI
            else:
                font, text, missing = self._font_for(text, prev_font)
                for cp in missing:  # marks the chosen face lacks: never drawn as tofu
                    dropped[chr(cp)] = None
            if font is None:
                if kind != 1:
                    dropped[text] = None
                    continue
                font = EMOJI  # a text-style pictograph no font has: draw it as emoji
                cls = Break.IDEOGRAPHIC
            kept.append(Cluster(text, font, level, cls, breakable and bool(kept)))
            breakable = False
            if font != EMOJI:
                prev_font = font
        return kept

    def _signature(self, size: float) -> tuple[float | None, ...]:
        """What of the chain's shaping depends on the size: the ``opsz`` values."""
        signature = self._signatures.get(size)
        if signature is None:
            signature = tuple(ref.variations(size).get("opsz") for ref in self.chain)
            self._signatures[size] = signature
        return signature

    def _em(self, items: list[Cluster], size: float) -> float:
        total = 0.0
        for font, level, text in _group(items):
            if font == EMOJI:
                total += len(text)
            else:
                total += measure("".join(text), self.chain[font], size, bool(level % 2)) / size
        return total

    def span_em(self, items: list[Cluster], size: float) -> float:
        """Width of consecutive clusters shaped together, in em at ``size``."""
        return self._em(items, size)

    def word_em(self, para: int, word: int, size: float) -> tuple[float, float]:
        """Content and trailing-space widths of a word, in em at ``size``."""
        key = (para, word, self._signature(size))
        cached = self._word_em.get(key)
        if cached is None:
            start, end, stop = self.words[para][word]
            items = self.paragraphs[para]
            cached = (self._em(items[start:end], size), self._em(items[end:stop], size))
            self._word_em[key] = cached
        return cached

    def cluster_em(self, para: int, index: int, size: float) -> float:
        """Width of one cluster alone, in em at ``size`` (for breaking inside a word)."""
        key = (para, index, self._signature(size))
        cached = self._cluster_em.get(key)
        if cached is None:
            cached = self._cluster_em[key] = self._em([self.paragraphs[para][index]], size)
        return cached

    def ellipsis(self, para: int, last: Cluster | None) -> Cluster:
        """The ellipsis to put after ``last``: in its font when that font has one."""
        fonts = [last.font] if last is not None and last.font != EMOJI else []
        fonts += range(len(self.chain))
        for font in fonts:
            if ord(ELLIPSIS) in self._coverage(self.chain[font]):
                return Cluster(ELLIPSIS, font, self.bases[para], Break.CLOSING, False)
        return Cluster("...", 0, self.bases[para], Break.CLOSING, False)


def _words(items: list[Cluster]) -> list[tuple[int, int, int]]:
    """Split clusters at break opportunities into (start, content end, end) words."""
    words: list[tuple[int, int, int]] = []
    start = 0
    for i in range(1, len(items) + 1):
        if i == len(items) or items[i].break_before:
            end = i
            while end > start and items[end - 1].brk == Break.SPACE:
                end -= 1
            words.append((start, end, i))
            start = i
    return words


def _group(items: list[Cluster]) -> list[tuple[int, int, list[str]]]:
    """Consecutive clusters sharing font and level, as (font, level, texts); emoji alone."""
    groups: list[tuple[int, int, list[str]]] = []
    for item in items:
        if groups and item.font != EMOJI and groups[-1][:2] == (item.font, item.level):
            groups[-1][2].append(item.text)
        else:
            groups.append((item.font, item.level, [item.text]))
    return groups


def group_runs(items: list[Cluster]) -> list[tuple[int, int, str]]:
    """Logical runs of a line: (font index or EMOJI, level, text).

    Spaces at either edge of a right-to-left run become runs of their own: a back-end that
    re-runs bidi on the run (resvg) would move trailing spaces to the other side (rule L1).
    """
    runs: list[tuple[int, int, str]] = []
    for font, level, texts in _group(items):
        if not level % 2 or font == EMOJI:
            runs.append((font, level, "".join(texts)))
            continue
        start, end = 0, len(texts)
        while start < end and texts[start].isspace():
            start += 1
        while end > start and texts[end - 1].isspace():
            end -= 1
        pieces = ("".join(texts[:start]), "".join(texts[start:end]), "".join(texts[end:]))
        runs.extend((font, level, piece) for piece in pieces if piece)
    return runs


def break_lines(
    prep: PreparedText, size: float, width: float, max_lines: int
) -> tuple[list[Span], bool, float]:
    """Greedy line breaking at ``size`` px into ``width`` px.

    Returns the first ``max_lines`` lines, whether text was left over, and the widest line's
    estimated width in px. A word wider than the line is broken between grapheme clusters.
    """
    limit = width / size + EPSILON
    spans: list[Span] = []
    widest = 0.0

    def emit(para: int, start: int, end: int, em: float) -> bool:
        nonlocal widest
        if len(spans) == max_lines:
            return False
        spans.append((para, start, end))
        widest = max(widest, em)
        return True

    for para, words in enumerate(prep.words):
        line_start = -1
        content_end = 0
        used = 0.0  # width of the open line, trailing spaces included
        content = 0.0  # width of the open line up to content_end
        for index, (start, end, _) in enumerate(words):
            word, space = prep.word_em(para, index, size)
            if line_start >= 0 and used + word > limit:
                if not emit(para, line_start, content_end, content):
                    return spans, True, widest * size
                line_start = -1
            if line_start < 0 and word > limit:  # break inside the word
                piece_start, piece = start, 0.0
                items = prep.paragraphs[para]
                for i in range(start, end):
                    # Measured as shaped (kerning, contextual forms), not summed per cluster:
                    # the sum can be a few px narrower than what is drawn.
                    grown = prep.span_em(items[piece_start : i + 1], size)
                    if i > piece_start and grown > limit:
                        if not emit(para, piece_start, i, piece):
                            return spans, True, widest * size
                        piece_start = i
                        grown = prep.cluster_em(para, i, size)
                    piece = grown
                line_start, content_end, content, used = piece_start, end, piece, piece + space
                continue
            if line_start < 0:
                line_start, used = start, 0.0
            content = used + word
            used = content + space
            content_end = end
        if line_start >= 0 and not emit(para, line_start, content_end, content):
            return spans, True, widest * size
    return spans, False, widest * size
