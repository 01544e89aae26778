"""Text keys shared by the build and the loader: accent-free search keys and URL-safe slugs."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["fold", "slugify"]

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
# Letters NFKD does not decompose into a base letter plus accents.
_SPECIAL = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "ł": "l",
        "þ": "th",
        "\u0131": "i",
        "œ": "oe",
    }
)
# Apostrophes in their many code points (right and left quote, modifier letters).
_APOSTROPHES = str.maketrans("", "", "'`\u2019\u2018\u02bb\u02bc")


def fold(text: str) -> str:
    """Lower-case, accent-free, punctuation-free form of ``text`` ("Bío-Bío" -> "bio bio")."""
    text = text.lower().translate(_SPECIAL).translate(_APOSTROPHES)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _NON_ALNUM.sub(" ", text).strip()


def slugify(text: str) -> str:
    """URL-safe slug of ``text`` ("Lake of the Woods" -> "lake-of-the-woods")."""
    return fold(text).replace(" ", "-")
