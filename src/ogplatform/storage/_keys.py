"""Object-key validation shared by every storage backend."""

from __future__ import annotations

import re
import unicodedata

from ogplatform.plugins.storage import InvalidKeyError

__all__ = ["MAX_KEY_BYTES", "MAX_SEGMENT_BYTES", "validate_key"]

MAX_KEY_BYTES = 512
"""Longest accepted key, in bytes of UTF-8."""

MAX_SEGMENT_BYTES = 255
"""Longest accepted ``/``-separated segment, in bytes of UTF-8 (the usual NAME_MAX)."""

_ALLOWED_PUNCTUATION = frozenset("-_.~=+@,/")
# Marks (M*) are allowed alongside letters and digits because NFC text in scripts such as
# Devanagari or Thai cannot be written without combining vowel signs.
_ALLOWED_CATEGORIES = ("L", "N", "M")
_DRIVE_LETTER = re.compile(r"[A-Za-z]:")
_SHOWN_CHARS = 80


def _show(key: str) -> str:
    """The key as it appears in an error message: repr'd, and cut short if long."""
    if len(key) > _SHOWN_CHARS:
        return repr(key[: _SHOWN_CHARS - 3]) + "..."
    return repr(key)


def _bad(reason: str, key: str) -> InvalidKeyError:
    return InvalidKeyError(f"storage key {reason}: {_show(key)}")


def validate_key(key: str) -> str:
    """Check that ``key`` is a safe, canonical object key and return it.

    A key is a relative ``/``-separated path of non-hidden segments made of letters, digits,
    marks and ``-_.~=+@,``, in NFC form, at most MAX_KEY_BYTES long. Anything a filesystem,
    URL or shell could read as something else is refused.

    Raises:
        InvalidKeyError: saying what is wrong with the key.
    """
    if not isinstance(key, str):
        raise InvalidKeyError(f"storage key must be a str, not {type(key).__name__}")
    if not key:
        raise InvalidKeyError("storage key must not be empty")
    for char in key:
        if ord(char) < 0x20 or ord(char) == 0x7F:
            raise _bad(f"must not contain control character {char!r}", key)
    if "\\" in key:
        raise _bad("must not contain '\\' (use '/' to separate segments)", key)
    if key.startswith("/"):
        raise _bad("must be relative, not start with '/'", key)
    if _DRIVE_LETTER.match(key):
        raise _bad("must not start with a drive letter", key)
    if unicodedata.normalize("NFC", key) != key:
        # Two spellings of one name would otherwise address two different objects.
        raise _bad("must be NFC-normalized Unicode", key)
    if len(key.encode()) > MAX_KEY_BYTES:
        raise _bad(f"must be at most {MAX_KEY_BYTES} bytes of UTF-8", key)
    for segment in key.split("/"):
        _check_segment(segment, key)
    for char in key:
        if char not in _ALLOWED_PUNCTUATION and not unicodedata.category(char).startswith(
            _ALLOWED_CATEGORIES
        ):
            raise _bad(f"must not contain {char!r}", key)
    return key


def _check_segment(segment: str, key: str) -> None:
    if not segment:
        raise _bad("must not contain empty segments ('//' or a trailing '/')", key)
    if segment in {".", ".."}:
        raise _bad(f"must not contain {segment!r} segments", key)
    if segment.startswith("."):
        # Hidden names are reserved for backends (metadata folders, temporary files).
        raise _bad(f"segments must not start with '.' ({segment[:_SHOWN_CHARS]!r})", key)
    if len(segment.encode()) > MAX_SEGMENT_BYTES:
        raise _bad(f"segments must be at most {MAX_SEGMENT_BYTES} bytes of UTF-8", key)
