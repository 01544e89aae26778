"""Auto-fit: the largest size that fits a box, found by a bounded search."""

from __future__ import annotations

import pytest

from ogplatform.render import FontLibrary, TextBlock, TextStyle, fit_text, layout_text
from ogplatform.render import text as text_module
from ogplatform.render._breaking import PreparedText, Span, break_lines

TITLE = TextStyle("Inter", 700, line_height=1.15)
LONG = (
    "Shipping faster: how we cut our build times in half with remote caching and a few "
    "surprisingly simple tricks"
)


@pytest.fixture(scope="module")
def fonts() -> FontLibrary:
    return FontLibrary()


def fit_title(fonts: FontLibrary, text: str, step: float = 1.0) -> TextBlock:
    """A card title: 1000x180 box, 72 down to 40 px, at most 2 lines."""
    return fit_text(
        text,
        TITLE,
        fonts=fonts,
        width=1000,
        height=180,
        max_size=72,
        min_size=40,
        max_lines=2,
        step=step,
    )


def assert_fits(block: TextBlock, width: float, height: float, max_lines: int) -> None:
    assert 1 <= len(block.lines) <= max_lines
    assert block.height <= height + 1e-6
    assert all(line.width <= width + 1e-6 for line in block.lines)


def test_short_text_gets_a_larger_size_than_long_text(fonts: FontLibrary) -> None:
    short = fit_title(fonts, "Hello, world")
    medium = fit_title(fonts, LONG[:60])
    assert short.font_size == 72
    assert 40 <= medium.font_size < short.font_size
    for block in (short, medium):
        assert not block.truncated
        assert_fits(block, 1000, 180, 2)


def test_the_size_found_is_the_largest_that_fits(fonts: FontLibrary) -> None:
    block = fit_title(fonts, LONG[:60])
    bigger = layout_text(LONG[:60], TITLE, fonts=fonts, size=block.font_size + 1, width=1000)
    too_many = len(bigger.lines) > 2
    too_tall = bigger.height > 180
    assert too_many or too_tall


def test_half_pixel_steps(fonts: FontLibrary) -> None:
    block = fit_title(fonts, LONG[:60], step=0.5)
    assert (block.font_size * 2).is_integer()
    assert_fits(block, 1000, 180, 2)


def test_height_limits_the_lines_too(fonts: FontLibrary) -> None:
    # 3 lines allowed, but 100 px only holds 2 lines of 40 px at 1.15
    block = fit_text(
        LONG, TITLE, fonts=fonts, width=600, height=100, max_size=48, min_size=40, max_lines=3
    )
    assert len(block.lines) == 2
    assert block.truncated
    assert block.height <= 100


def test_overflow_at_min_size_is_clamped_with_an_ellipsis(fonts: FontLibrary) -> None:
    block = fit_title(fonts, LONG * 3)
    assert block.font_size == 40
    assert block.truncated
    assert block.lines[-1].text.endswith("…")
    assert_fits(block, 1000, 180, 2)


def counting_break_lines(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the size of every line-breaking pass ``fit_text`` makes."""
    calls: list[float] = []

    def spy(
        prep: PreparedText, size: float, width: float, max_lines: int
    ) -> tuple[list[Span], bool, float]:
        calls.append(size)
        return break_lines(prep, size, width, max_lines)

    monkeypatch.setattr(text_module, "break_lines", spy)
    return calls


@pytest.mark.parametrize(
    "text",
    ["word " * 2000, "x" * 10_000, "y" * 500, "🎉" * 3000, "مرحبا " * 1500],
    ids=["10k words", "10k chars no break", "500-char word", "3k emoji", "9k arabic"],
)
def test_search_terminates_and_clamps_huge_input(
    fonts: FontLibrary, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    calls = counting_break_lines(monkeypatch)
    block = fit_title(fonts, text)
    assert len(calls) <= text_module.MAX_FIT_PASSES + text_module._MAX_REBREAKS
    assert block.font_size == 40
    assert block.truncated
    assert_fits(block, 1000, 180, 2)


def test_search_is_logarithmic_in_the_size_range(
    fonts: FontLibrary, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = counting_break_lines(monkeypatch)
    block = fit_title(fonts, LONG[:60], step=0.5)
    assert len(calls) <= 2 + 7 + 1  # both ends, log2(65) probes, the final layout
    assert len(set(calls)) == len(calls) - 1  # no size probed twice (the last is the layout)
    assert block.font_size in calls


def test_min_equal_to_max_is_one_probe(fonts: FontLibrary) -> None:
    block = fit_text("Hi", TITLE, fonts=fonts, width=500, height=100, max_size=50, min_size=50)
    assert block.font_size == 50


def test_bad_ranges_are_refused(fonts: FontLibrary) -> None:
    with pytest.raises(ValueError, match="min_size"):
        fit_text("Hi", TITLE, fonts=fonts, width=500, height=100, max_size=30, min_size=50)
    with pytest.raises(ValueError, match="step"):
        fit_text("Hi", TITLE, fonts=fonts, width=500, height=100, max_size=60, min_size=50, step=0)
