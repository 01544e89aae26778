"""Text layout: measuring, wrapping, fallback, bidi, clamping at grapheme boundaries."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest
import regex  # type: ignore[import-untyped,unused-ignore]

from ogplatform.render import (
    FontLibrary,
    TextBlock,
    TextStyle,
    UnknownFontFamilyError,
    layout_text,
)

CJK_DIR = Path(os.environ.get("OGP_TEST_CJK_FONT_DIR", "/usr/share/fonts/opentype/noto"))
INTER = TextStyle("Inter", 400)
PROSE = (
    "The quick brown fox jumps over the lazy dog while a wizard's job is to vex chumps "
    "quickly in fog. Sphinx of black quartz, judge my vow!"
)
CLOSING = set("、。，．）」』】！？")  # noqa: RUF001
OPENING = set("（「『【")  # noqa: RUF001


def require_cjk_fonts() -> Path:
    """The CJK font directory (Debian ``fonts-noto-cjk``): skip without it, fail in CI."""
    if any(CJK_DIR.glob("NotoSansCJK*")):
        return CJK_DIR
    reason = f"no Noto Sans CJK fonts in {CJK_DIR} (apt-get install fonts-noto-cjk)"
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"{reason}; CI must provide them", pytrace=False)
    print(f"\nSKIP: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def fonts() -> FontLibrary:
    return FontLibrary([CJK_DIR])


@pytest.fixture
def cjk_fonts(fonts: FontLibrary) -> FontLibrary:
    require_cjk_fonts()
    return fonts


def one_line_width(fonts: FontLibrary, text: str, size: float = 48) -> float:
    block = layout_text(text, INTER, fonts=fonts, size=size, width=100_000)
    assert len(block.lines) == 1
    return block.lines[0].width


def assert_within(block: TextBlock, width: float) -> None:
    for line in block.lines:
        assert line.width <= width + 1e-6, (line.text, line.width, width)
        assert line.x >= 0
        assert line.x + line.width <= width + 1e-6
        for run in line.runs:
            assert line.x - 1e-6 <= run.x <= line.x + line.width + 1e-6


# --- measuring -----------------------------------------------------------------------------


def test_kerning_makes_av_narrower_than_its_letters(fonts: FontLibrary) -> None:
    assert one_line_width(fonts, "AV") < one_line_width(fonts, "A") + one_line_width(fonts, "V")


def test_width_scales_with_size_and_weight(fonts: FontLibrary) -> None:
    regular = one_line_width(fonts, "Hello world", 40)
    assert one_line_width(fonts, "Hello world", 80) > 1.9 * regular
    bold = layout_text("Hello world", TextStyle("Inter", 800), fonts=fonts, size=40, width=9999)
    assert bold.width > regular


def test_empty_and_whitespace_only_give_an_empty_block(fonts: FontLibrary) -> None:
    for text in ("", "   ", " \t\n \r\n  "):
        block = layout_text(text, INTER, fonts=fonts, size=40, width=500, max_lines=2)
        assert block.lines == ()
        assert (block.width, block.height) == (0.0, 0.0)
        assert not block.truncated
        assert block.dropped == ()


def test_controls_and_lone_surrogates_are_stripped(fonts: FontLibrary) -> None:
    block = layout_text("A\x00B\x07C\x1b\x7f\ud800D", INTER, fonts=fonts, size=40, width=900)
    assert block.text == "ABCD"
    assert block.dropped == ()


def test_whitespace_collapses_and_newlines_break(fonts: FontLibrary) -> None:
    block = layout_text("  one \t  two\n\nthree  ", INTER, fonts=fonts, size=40, width=2000)
    assert [line.text for line in block.lines] == ["one two", "three"]


def test_invalid_arguments_are_refused(fonts: FontLibrary) -> None:
    with pytest.raises(ValueError, match="font size"):
        layout_text("x", INTER, fonts=fonts, size=0, width=100)
    with pytest.raises(ValueError, match="width"):
        layout_text("x", INTER, fonts=fonts, size=10, width=-1)
    with pytest.raises(ValueError, match="max_lines"):
        layout_text("x", INTER, fonts=fonts, size=10, width=100, max_lines=0)
    with pytest.raises(ValueError, match="line_height"):
        layout_text("x", TextStyle(line_height=0), fonts=fonts, size=10, width=100)


def test_unknown_family_raises(fonts: FontLibrary) -> None:
    with pytest.raises(UnknownFontFamilyError, match="Inter"):
        layout_text("Hello", TextStyle("Helvetica Neue"), fonts=fonts, size=40, width=500)


# --- wrapping ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "width"), [(24, 180), (24, 777), (40, 333), (40, 1000), (64, 500), (64, 777)]
)
def test_wrapped_lines_never_exceed_the_box_and_are_filled(
    fonts: FontLibrary, width: float, size: float
) -> None:
    block = layout_text(PROSE, INTER, fonts=fonts, size=size, width=width)
    assert_within(block, width)
    assert " ".join(line.text for line in block.lines) == PROSE
    for line, following in zip(block.lines, block.lines[1:], strict=False):
        joined = f"{line.text} {following.text.split(' ')[0]}"
        assert one_line_width(fonts, joined, size) > width, "greedy: the next word did not fit"


def test_baselines_step_by_the_line_height(fonts: FontLibrary) -> None:
    style = TextStyle("Inter", 700, line_height=1.25)
    block = layout_text(PROSE, style, fonts=fonts, size=40, width=400)
    assert block.line_height == 50
    assert block.height == 50 * len(block.lines)
    steps = {round(b.baseline_y - a.baseline_y, 6) for a, b in itertools.pairwise(block.lines)}
    assert steps == {50.0}
    assert 0 < block.lines[0].baseline_y < 50
    assert block.ascent > 0
    assert block.descent > 0


def test_hyphens_are_break_opportunities(fonts: FontLibrary) -> None:
    text = "state-of-the-art-rendering-pipeline"
    block = layout_text(text, INTER, fonts=fonts, size=40, width=300)
    assert len(block.lines) > 1
    assert "".join(line.text for line in block.lines) == text
    assert all(line.text.endswith("-") for line in block.lines[:-1])
    assert_within(block, 300)


def test_a_long_word_breaks_between_clusters(fonts: FontLibrary) -> None:
    word = "Donaudampfschifffahrtsgesellschaftskapitänsmütze" * 3
    block = layout_text(word, INTER, fonts=fonts, size=40, width=300)
    assert len(block.lines) > 3
    assert "".join(line.text for line in block.lines) == word
    assert_within(block, 300)


@pytest.mark.parametrize("align", ["left", "right", "center", "start", "end"])
def test_alignment_offsets_lines_within_the_box(fonts: FontLibrary, align: str) -> None:
    style = TextStyle("Inter", align=align)  # type: ignore[arg-type]
    block = layout_text(
        "Short line and a longer second one", style, fonts=fonts, size=40, width=400
    )
    for line in block.lines:
        free = 400 - line.width
        expected = {"left": 0, "start": 0, "right": free, "end": free, "center": free / 2}[align]
        assert line.x == pytest.approx(expected)
        assert line.runs[0].x == pytest.approx(line.x)


# --- fallback and emoji ---------------------------------------------------------------------


def test_fallback_runs_use_a_font_per_script(cjk_fonts: FontLibrary) -> None:
    block = layout_text("Hello مرحبا 日本語", INTER, fonts=cjk_fonts, size=40, width=2000)
    fonts_by_text = {run.text.strip(): run.font.family for run in block.lines[0].runs}
    assert fonts_by_text["Hello"] == "Inter"
    assert fonts_by_text["مرحبا"] == "Noto Sans Arabic"
    assert fonts_by_text["日本語"] == "Noto Sans CJK JP"
    assert block.dropped == ()


def test_hebrew_falls_back_to_heebo(fonts: FontLibrary) -> None:
    block = layout_text("שלום עולם", INTER, fonts=fonts, size=40, width=2000)
    assert {run.font.family for run in block.lines[0].runs} == {"Heebo"}


def test_a_mark_no_font_has_is_dropped_from_its_cluster(fonts: FontLibrary) -> None:
    block = layout_text("ax\u0f80b", INTER, fonts=fonts, size=40, width=900)  # Tibetan sign
    assert block.text == "axb"
    assert block.dropped == ("\u0f80",)


def test_uncovered_code_points_are_dropped_and_reported(fonts: FontLibrary) -> None:
    block = layout_text("A\U0010fffdB\U0010fffd \u0378", INTER, fonts=fonts, size=40, width=900)
    assert block.text == "AB"
    assert block.dropped == ("\U0010fffd", "\u0378")
    assert all("\U0010fffd" not in run.text for line in block.lines for run in line.runs)


@pytest.mark.parametrize("emoji", ["👩‍👩‍👧‍👦", "🇺🇦", "👍🏽", "🎉", "1️⃣", "❤️"])
def test_emoji_clusters_are_kept_as_one_em_runs(fonts: FontLibrary, emoji: str) -> None:
    block = layout_text(f"Go {emoji} now", INTER, fonts=fonts, size=40, width=2000)
    runs = block.lines[0].runs
    marked = [run for run in runs if run.emoji]
    assert [run.text for run in marked] == [emoji]
    assert marked[0].width == 40
    assert block.dropped == ()
    texts = [run.text for run in runs]
    assert texts.index(emoji) == 1
    assert all(a.x + a.width == pytest.approx(b.x) for a, b in itertools.pairwise(runs))


def test_text_presentation_digits_are_not_emoji(fonts: FontLibrary) -> None:
    block = layout_text("# 1 * ©", INTER, fonts=fonts, size=40, width=2000)
    assert not any(run.emoji for run in block.lines[0].runs)


# --- bidi --------------------------------------------------------------------------------------


def test_arabic_is_detected_rtl_and_right_aligned(fonts: FontLibrary) -> None:
    block = layout_text("مرحبا بالعالم", INTER, fonts=fonts, size=40, width=800)
    assert block.direction == "rtl"
    line = block.lines[0]
    assert line.direction == "rtl"
    assert all(run.rtl for run in line.runs)
    assert line.x + line.width == pytest.approx(800)  # align="start" is the right edge


def test_rtl_lines_read_right_to_left_across_a_wrap(fonts: FontLibrary) -> None:
    block = layout_text("مرحبا بالعالم مرحبا بالعالم", INTER, fonts=fonts, size=40, width=250)
    assert len(block.lines) >= 2
    assert block.lines[0].text.startswith("مرحبا")  # the first word of the text is on top


def test_rtl_paragraph_puts_numbers_to_the_left(fonts: FontLibrary) -> None:
    block = layout_text("مرحبا بالعالم 123", INTER, fonts=fonts, size=40, width=2000)
    runs = block.lines[0].runs
    assert runs[0].text == "123"
    assert not runs[0].rtl
    assert runs[-1].rtl
    assert runs[-1].text.startswith("مرحبا")


def test_mixed_ltr_paragraph_orders_runs_visually(fonts: FontLibrary) -> None:
    block = layout_text("Hello مرحبا 123", INTER, fonts=fonts, size=40, width=2000)
    assert block.direction == "ltr"
    runs = block.lines[0].runs
    assert [run.text for run in runs] == ["Hello ", "123", " ", "مرحبا"]
    assert [run.rtl for run in runs] == [False, False, True, True]
    assert [run.x for run in runs] == sorted(run.x for run in runs)
    assert block.lines[0].x == 0


def test_forced_text_overrides_direction_for_back_ends() -> None:
    from ogplatform.render import FontRef, Run

    ref = FontRef("Inter", 400, False, "/x.ttf")
    assert Run("abc", ref, 0, 10).forced_text == "\u202dabc\u202c"
    arabic = "\u0645\u0631\u062d\u0628\u0627"
    assert Run(arabic, ref, 0, 10, rtl=True).forced_text == f"\u202e{arabic}\u202c"


# --- CJK -----------------------------------------------------------------------------------


def test_cjk_wraps_between_ideographs(cjk_fonts: FontLibrary) -> None:
    text = "日本語のテキストを折り返す"
    block = layout_text(text, INTER, fonts=cjk_fonts, size=40, width=200)
    assert len(block.lines) >= 3
    assert "".join(line.text for line in block.lines) == text
    assert_within(block, 200)


@pytest.mark.parametrize("width", range(170, 430, 20))  # from 4 ideographs up
def test_cjk_never_breaks_before_closing_or_after_opening(
    cjk_fonts: FontLibrary, width: int
) -> None:
    text = "日本語のテキストを折り返す。「次の文」です、（括弧）も。"  # noqa: RUF001
    block = layout_text(text, INTER, fonts=cjk_fonts, size=40, width=width)
    assert "".join(line.text for line in block.lines) == text
    for line in block.lines:
        assert line.text[0] not in CLOSING, line.text
        assert line.text[-1] not in OPENING, line.text
    assert_within(block, width)


# --- clamping ----------------------------------------------------------------------------------

CLAMP_CASES = {
    "zwj family": "Family 👩‍👩‍👧‍👦👩‍👩‍👧‍👦👩‍👩‍👧‍👦👩‍👩‍👧‍👦 photos from the trip",
    "flags": "Solidarity 🇺🇦🇺🇦🇺🇦🇺🇦🇺🇦 for everyone",
    "skin tones": "Thumbs 👍🏽👍🏽👍🏿👍🏻👍🏽 up for this",
    "combining": (
        "Cafe\u0301 e\u0301te\u0301 re\u0301sume\u0301 na\u0131\u0308ve cre\u0300me "
        "bru\u0302le\u0301e"
    ),
    "arabic": "مرحبا بالعالم هذا نص طويل جدا لاختبار القص",
}


@pytest.mark.parametrize("case", sorted(CLAMP_CASES))
def test_clamping_cuts_only_between_grapheme_clusters(fonts: FontLibrary, case: str) -> None:
    text = CLAMP_CASES[case]
    boundaries = {0}
    for match in regex.finditer(r"\X", text):
        boundaries.add(match.end())
    full = layout_text(text, INTER, fonts=fonts, size=32, width=100_000).width
    cut_points = set()
    for width in range(40, int(full), 5):
        block = layout_text(text, INTER, fonts=fonts, size=32, width=width, max_lines=1)
        assert len(block.lines) == 1
        line = block.lines[0]
        assert block.truncated
        assert line.width <= width + 1e-6
        logical = "".join(
            run.text
            for run in sorted(line.runs, key=lambda r: r.x, reverse=line.direction == "rtl")
        )
        assert logical.endswith("…")
        kept = logical[:-1]
        assert text.startswith(kept), (width, kept)
        assert len(kept) in boundaries, (width, kept)
        assert not kept.endswith(" ")
        cut_points.add(len(kept))
    assert len(cut_points) > 5  # the sweep really cut at many places


def test_text_that_fits_is_not_clamped(fonts: FontLibrary) -> None:
    block = layout_text("Short title", INTER, fonts=fonts, size=40, width=900, max_lines=1)
    assert not block.truncated
    assert block.text == "Short title"


def test_clamping_keeps_max_lines_and_fills_the_last_one(fonts: FontLibrary) -> None:
    block = layout_text(PROSE, INTER, fonts=fonts, size=40, width=500, max_lines=2)
    assert block.truncated
    assert len(block.lines) == 2
    assert block.lines[-1].text.endswith("…")
    assert block.lines[-1].width > 500 * 0.6
    full = layout_text(PROSE, INTER, fonts=fonts, size=40, width=500)
    assert block.lines[0].text == full.lines[0].text


def test_rtl_ellipsis_sits_at_the_left_end(fonts: FontLibrary) -> None:
    text = CLAMP_CASES["arabic"]
    block = layout_text(text, INTER, fonts=fonts, size=40, width=300, max_lines=1)
    line = block.lines[0]
    assert line.runs[0].rtl
    assert line.runs[0].text.endswith("…")  # logical end of the leftmost RTL run
    assert line.x + line.width == pytest.approx(300, abs=1e-6) or line.width <= 300


def test_a_word_broken_across_lines_never_overflows_its_box() -> None:
    """Regression: pieces of a too-long word were measured cluster by cluster, and the shaped
    line came out up to 9 px wider than the box."""
    fonts = FontLibrary()
    style = TextStyle("Inter", weight=800, line_height=1.1)
    for text in ("owner/" + "r" * 60, "AVAVAVAVAV" * 12, "Wolfeschlegelsteinhausenbergerdorff" * 3):
        block = layout_text(text, style, fonts=fonts, size=48, width=970, max_lines=3)
        assert all(line.width <= 970 + 0.5 for line in block.lines), [
            ln.width for ln in block.lines
        ]
