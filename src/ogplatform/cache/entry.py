"""What the render cache stores: the bytes, how to serve them, and what they depend on."""

from __future__ import annotations

import hashlib
import time

import msgspec

__all__ = ["CachedImage", "CorruptEntryError", "dump", "load"]


class CorruptEntryError(ValueError):
    """Stored bytes that do not decode or whose checksum does not match."""


class CachedImage(msgspec.Struct, frozen=True):
    body: bytes
    content_type: str
    etag: str  # strong validator: a digest of body, quoted as HTTP wants it
    tags: tuple[str, ...]  # what the image depends on: "card", "template-gradient", "bg-x"
    created: float

    @classmethod
    def of(cls, body: bytes, content_type: str, tags: tuple[str, ...]) -> CachedImage:
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        return cls(body, content_type, etag, tags, time.time())

    @property
    def size(self) -> int:
        return len(self.body) + 256  # bytes, with a rough allowance for the rest


_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(CachedImage)
_DIGEST = 16


def dump(entry: CachedImage) -> bytes:
    """Serialized with a checksum in front, so a damaged copy is detected, never served."""
    payload = _encoder.encode(entry)
    return hashlib.blake2b(payload, digest_size=_DIGEST).digest() + payload


def load(data: bytes) -> CachedImage:
    digest, payload = data[:_DIGEST], data[_DIGEST:]
    if hashlib.blake2b(payload, digest_size=_DIGEST).digest() != digest:
        raise CorruptEntryError("checksum mismatch")
    try:
        return _decoder.decode(payload)
    except msgspec.DecodeError as exc:
        raise CorruptEntryError(str(exc)) from None
