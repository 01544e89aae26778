"""The ``userKey`` (a bearer secret: validated, hashed, never stored or logged) and saved ids."""

from __future__ import annotations

import hashlib
import re
import secrets

from ogplatform.errors import ApiError

__all__ = [
    "TEMPLATE_ID_PREFIX",
    "USER_KEY_MAX",
    "USER_KEY_MIN",
    "is_template_id",
    "new_template_id",
    "owner_hash",
    "validate_user_key",
]

USER_KEY_MIN = 8
USER_KEY_MAX = 128
_USER_KEY = re.compile(rf"[A-Za-z0-9_.\-]{{{USER_KEY_MIN},{USER_KEY_MAX}}}")

TEMPLATE_ID_PREFIX = "tpl_"
# 16 random bytes: 128 bits, 22 url-safe base64 characters.
_TEMPLATE_ID_BYTES = 16
_TEMPLATE_ID = re.compile(rf"{TEMPLATE_ID_PREFIX}[A-Za-z0-9_\-]{{22}}")


def validate_user_key(value: str | None) -> str:
    """Return ``value`` if it is a well-formed userKey; raise 400 ``INVALID_USER_KEY`` if not.

    The message never repeats the key: error bodies can end up in logs and screenshots.
    """
    if value is None or value == "":
        raise ApiError(400, "userKey is required", code="INVALID_USER_KEY")
    if not _USER_KEY.fullmatch(value):
        raise ApiError(
            400,
            f"userKey must be {USER_KEY_MIN} to {USER_KEY_MAX} characters from A-Z a-z 0-9 _ - .",
            code="INVALID_USER_KEY",
        )
    return value


def owner_hash(user_key: str) -> str:
    """The SHA-256 (hex) of a userKey: what the database stores in place of the key."""
    return hashlib.sha256(user_key.encode("ascii")).hexdigest()


def new_template_id() -> str:
    """A fresh, unguessable saved-template id: ``tpl_`` and 22 url-safe random characters."""
    return TEMPLATE_ID_PREFIX + secrets.token_urlsafe(_TEMPLATE_ID_BYTES)


def is_template_id(value: str) -> bool:
    """Whether ``value`` has the shape of an id made by :func:`new_template_id`."""
    return _TEMPLATE_ID.fullmatch(value) is not None
