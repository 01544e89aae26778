"""validate_key: what a storage key may and may not be."""

from __future__ import annotations

import unicodedata

import pytest

from ogplatform.storage import MAX_KEY_BYTES, InvalidKeyError, validate_key

HOSTILE = [
    pytest.param("..", "'..' segments", id="dotdot"),
    pytest.param("a/../b", "'..' segments", id="traversal"),
    pytest.param("a/./b", "'.' segments", id="dot"),
    pytest.param("/etc/passwd", "must be relative", id="absolute"),
    pytest.param("a\\b", "'\\'", id="backslash"),
    pytest.param("a\x00b", "control character '\\x00'", id="nul"),
    pytest.param("a\x1fb", "control character", id="unit-separator"),
    pytest.param("a\x7fb", "control character", id="del"),
    pytest.param("x" * 600, f"at most {MAX_KEY_BYTES} bytes", id="too-long"),
    pytest.param("é" * 300, f"at most {MAX_KEY_BYTES} bytes", id="too-long-in-utf8"),
    pytest.param("a/" + "x" * 256, "at most 255 bytes", id="segment-too-long"),
    pytest.param("C:/x", "drive letter", id="drive-letter"),
    pytest.param("c:x", "drive letter", id="drive-relative"),
    pytest.param(".meta/x", "must not start with '.'", id="metadata-folder"),
    pytest.param("a/.tmp-123", "must not start with '.'", id="temp-file"),
    pytest.param("a//b", "empty segments", id="empty-segment"),
    pytest.param("a/", "empty segments", id="trailing-slash"),
    pytest.param("", "must not be empty", id="empty"),
    pytest.param(unicodedata.normalize("NFD", "café.png"), "NFC", id="not-nfc"),
    pytest.param("a b", "' '", id="space"),
    pytest.param("%2e%2e/x", "'%'", id="percent-encoded"),
    pytest.param("a?b", "'?'", id="question-mark"),
    pytest.param("a#b", "'#'", id="hash"),
    pytest.param("a*b", "'*'", id="star"),
    pytest.param('a"b', "'\"'", id="double-quote"),
    pytest.param("a<b>", "'<'", id="angle"),
    pytest.param("a|b", "'|'", id="pipe"),
    pytest.param("map:1", "':'", id="colon"),
    pytest.param("a\u202eb", "'\\u202e'", id="bidi-override"),
]


@pytest.mark.parametrize(("key", "reason"), HOSTILE)
def test_hostile_key_is_refused_with_reason(key: str, reason: str) -> None:
    with pytest.raises(InvalidKeyError) as caught:
        validate_key(key)
    assert reason in str(caught.value)


@pytest.mark.parametrize("key", [123, b"a/b", None])
def test_non_str_key_is_refused(key: object) -> None:
    with pytest.raises(InvalidKeyError, match="must be a str"):
        validate_key(key)  # type: ignore[arg-type]


def test_message_echoes_the_key() -> None:
    with pytest.raises(InvalidKeyError) as caught:
        validate_key("a/../b")
    assert str(caught.value) == "storage key must not contain '..' segments: 'a/../b'"


def test_long_key_is_truncated_in_message() -> None:
    with pytest.raises(InvalidKeyError) as caught:
        validate_key("x" * 1000 + " ")
    message = str(caught.value)
    assert len(message) < 200
    assert message.endswith("...")


def test_invalid_key_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="relative"):
        validate_key("/x")


@pytest.mark.parametrize(
    "key",
    [
        "maps/og-images/2489e9ad-2ee2-8e00-8ec9-32d5f69181c0.png",
        "a",
        "a.b.c",
        "x~y=z+w@v,u_t-s",
        "cartes/été/Zürich.png",
        "日本/地図.png",
        "हिन्दी/नक्शा.png",  # needs combining vowel signs
        "Ωμέγα/١٢٣.webp",
        "a/" + "x" * 255,
        "/".join(["abc"] * 128),  # exactly 511 bytes
    ],
)
def test_valid_key_is_returned_unchanged(key: str) -> None:
    assert validate_key(key) == key


def test_key_of_exactly_max_bytes_is_accepted_and_one_more_is_not() -> None:
    key = "/".join(["x" * 170] * 3)
    assert len(key.encode()) == MAX_KEY_BYTES
    assert validate_key(key) == key
    with pytest.raises(InvalidKeyError, match="bytes"):
        validate_key(key + "x")
