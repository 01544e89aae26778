"""The /api/og query rules, one by one."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from ogplatform.cards.colors import parse_background, parse_color
from ogplatform.cards.params import parse_card_query
from ogplatform.errors import ApiError
from ogplatform.render import LinearGradient, RadialGradient, Solid


def parse(**params: str):
    return parse_card_query(urlencode(params).encode())


def code_of(raw: bytes) -> str:
    with pytest.raises(ApiError) as info:
        parse_card_query(raw)
    return info.value.code


def test_defaults():
    request = parse()
    assert (request.template, request.size, request.format) == ("gradient", "og", "png")
    assert (request.card.width, request.card.height) == (1200, 630)
    assert request.card.overlay == 0.55
    assert request.card.background is None


def test_aliases_fold_into_one_name():
    request = parse(subtitle="Sub", backgroundColor="ffffff", textColor="#112233",
                    accentColor="AABBCC")  # fmt: skip
    assert request.card.description == "Sub"
    assert request.card.background == Solid("#ffffff")
    assert (request.card.text_color, request.card.accent_color) == ("#112233", "#aabbcc")


def test_conflicting_aliases_are_rejected():
    raw = b"description=a&subtitle=b"
    assert code_of(raw) == "CONFLICTING_PARAMETERS"
    assert parse_card_query(b"description=a&subtitle=a").card.description == "a"


@pytest.mark.parametrize(("name", "limit", "code"), [("title", 80, "TITLE_TOO_LONG"),
    ("description", 200, "DESCRIPTION_TOO_LONG"), ("icon", 12, "ICON_TOO_LONG")])  # fmt: skip
def test_length_limits_count_user_perceived_characters(name, limit, code):
    family = "👩‍👩‍👧‍👦"  # one character, seven code points, 25 bytes
    assert parse(**{name: family * limit}).card.__getattribute__(name) == family * limit
    assert code_of(urlencode({name: family * (limit + 1)}).encode()) == code
    with pytest.raises(ApiError, match=f"{name} must be <= {limit} characters"):
        parse(**{name: "x" * (limit + 1)})


def test_ten_thousand_characters_fail_fast():
    assert code_of(urlencode({"title": "a" * 10_000}).encode()) == "TITLE_TOO_LONG"


@pytest.mark.parametrize("value", ["ff8800", "#ff8800", "FF8800"])
def test_colours_with_or_without_hash(value):
    assert parse(text=value).card.text_color == "#ff8800"


@pytest.mark.parametrize("value", ["f80", "red", "#ff880", "ff88001", "gg8800", "#ff8800;x"])
def test_bad_colours(value):
    assert code_of(urlencode({"accent": value}).encode()) == "INVALID_COLOR"


def test_backgrounds_parse():
    assert parse_background("f80") == Solid("#ff8800")
    shorthand = parse_background("0f172a-7c3aed")
    assert isinstance(shorthand, LinearGradient)
    assert shorthand.angle == 135
    assert [s.color for s in shorthand.stops] == ["#0f172a", "#7c3aed"]
    css = parse_background("linear-gradient(to right, #FF0000, #00ff00 30%, #0000ff)")
    assert isinstance(css, LinearGradient)
    assert css.angle == 90
    assert [s.offset for s in css.stops] == [0.0, 0.3, 1.0]
    assert isinstance(parse_background("radial-gradient(#fff, #000)"), RadialGradient)


BAD_BACKGROUNDS = ["garbage", "linear-gradient(#fff)", "url(http://x)", "#" * 300, "ff0000-",
                   "linear-gradient(45deg, #fff, javascript:1)", "a-b-c-d-e-f-0"]  # fmt: skip


@pytest.mark.parametrize("value", BAD_BACKGROUNDS)
def test_bad_backgrounds(value):
    assert code_of(urlencode({"bg": value}).encode()) == "INVALID_BACKGROUND"


def test_overlay_is_clamped_and_must_be_a_number():
    assert parse(overlay="1.7").card.overlay == 1.0
    assert parse(overlay="-2").card.overlay == 0.0
    assert parse(overlay="0.25").card.overlay == 0.25
    for bad in ("dark", "nan", "0x1"):
        assert code_of(urlencode({"overlay": bad}).encode()) == "INVALID_OVERLAY"


def test_format_and_size():
    assert parse(format="JPG").format == "jpeg"
    assert parse(size="square").card.width == 1080
    assert code_of(b"format=gif") == "INVALID_FORMAT"
    assert code_of(b"size=huge") == "INVALID_SIZE"


def test_invalid_utf8_and_control_characters():
    assert code_of(b"title=%ff%fe") == "INVALID_ENCODING"
    assert code_of(b"title=a%00b") == "INVALID_TEXT"
    assert code_of(b"title=a%1bb") == "INVALID_TEXT"
    assert parse(title="two\nlines").card.title == "two\nlines"


def test_bg_id_shape():
    assert parse(bgId="aurora-1").background_id == "aurora-1"
    assert code_of(b"bgId=../../etc") == "BACKGROUND_NOT_FOUND"


def test_parse_color():
    assert parse_color(" #ABCDEF ") == "#abcdef"
    assert parse_color("abc") is None
