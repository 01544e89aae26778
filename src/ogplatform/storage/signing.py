"""Signed download URLs: ``?expires=<unix seconds>&signature=<hex HMAC-SHA256>`` for one key.

A signature proves that this server handed the URL out, for that object, until that moment;
it is checked in constant time and needs no database. The key comes from ``[storage]
signing_secret`` or, when that is empty, from a random secret made once and kept (mode 0600)
in ``signing_secret_file``, so an embedded install works without configuration.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import math
import os
import secrets
import time
from pathlib import Path

from ogplatform.settings import StorageSettings

__all__ = ["ROUNDING", "SignatureError", "UrlSigner", "url_signer"]

ROUNDING = 300  # expiries fall on 5-minute steps, so a URL handed out twice is the same URL
_DOMAIN = b"ogplatform-storage-download-v1\n"  # these signatures cannot be replayed elsewhere
_SIGNATURE_HEX = 64
_MAX_EXPIRES_DIGITS = 12


class SignatureError(Exception):
    """A signed URL that is malformed, tampered with or expired (the message says which)."""


class UrlSigner:
    """Signs and checks ``(key, expires)`` pairs with one secret."""

    __slots__ = ("_secret", "lifetime")

    def __init__(self, secret: bytes, lifetime: int) -> None:
        if len(secret) < 32:
            raise ValueError("a URL-signing secret must be at least 32 bytes")
        self._secret = secret
        self.lifetime = lifetime

    def signature(self, key: str, expires: int) -> str:
        message = _DOMAIN + key.encode() + b"\n" + str(expires).encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def sign(self, key: str, now: float | None = None) -> dict[str, str]:
        """The query parameters that let anyone holding them read ``key`` for ``lifetime``."""
        moment = time.time() if now is None else now
        expires = math.ceil((moment + self.lifetime) / ROUNDING) * ROUNDING
        return {"expires": str(expires), "signature": self.signature(key, expires)}

    def verify(self, key: str, expires: str, signature: str, now: float | None = None) -> None:
        """Raise :class:`SignatureError` unless ``signature`` is ours for ``key`` and current."""
        if not (expires.isascii() and expires.isdigit()) or len(expires) > _MAX_EXPIRES_DIGITS:
            raise SignatureError("expires must be a Unix time in seconds")
        if len(signature) != _SIGNATURE_HEX:
            raise SignatureError("signature is not valid for this URL")
        expected = self.signature(key, int(expires))
        if not hmac.compare_digest(expected.encode(), signature.lower().encode()):
            raise SignatureError("signature is not valid for this URL")
        if int(expires) <= (time.time() if now is None else now):
            raise SignatureError("this signed URL has expired")


def url_signer(settings: StorageSettings) -> UrlSigner:
    """The signer for these settings (the secret file is read, or made, once per process)."""
    if settings.signing_secret:
        secret = settings.signing_secret.encode()
    else:
        secret = _file_secret(settings.signing_secret_file)
    return UrlSigner(secret, settings.signed_url_seconds)


@functools.lru_cache(maxsize=8)
def _file_secret(path_name: str) -> bytes:
    """The secret kept in ``path_name``, made first if there is none.

    Created with O_EXCL from a complete temporary file (``os.link``), so processes starting
    together agree on one secret and none reads a half-written one.
    """
    path = Path(path_name)
    with contextlib.suppress(FileNotFoundError):
        return _read_secret(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with open(fd, "w") as fh:
            fh.write(secrets.token_hex(32) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        with contextlib.suppress(FileExistsError):  # another process won: use its secret
            os.link(temp, path)
    finally:
        temp.unlink()
    return _read_secret(path)


def _read_secret(path: Path) -> bytes:
    secret = path.read_text().strip().encode()
    if len(secret) < 32:
        raise ValueError(f"{path} holds no usable URL-signing secret (32+ characters)")
    return secret
