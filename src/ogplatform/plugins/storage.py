"""The storage-backend contract: where rendered assets (map images, thumbnails, OG cards) live.

A plugin registers a :class:`StorageFactory` in the ``ogplatform.storage`` entry-point group. The
factory turns the ``[storage.options]`` table of ``litestar.toml`` into a :class:`StorageBackend`.
Keys are ``/``-separated relative paths such as ``maps/og-images/<map_id>.png``; backends call
:func:`ogplatform.storage.validate_key` before touching anything. A key is never also the
folder of another key (``a`` and ``a/b`` cannot both exist on a filesystem): key schemes keep
objects at the leaves. Run :func:`ogplatform.testing.check_storage_backend` against a new backend.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import msgspec

__all__ = [
    "InvalidKeyError",
    "ObjectNotFoundError",
    "RangeReadable",
    "StorageBackend",
    "StorageError",
    "StorageFactory",
    "StoredObject",
]


class StorageError(Exception):
    """A storage operation failed for a reason that is not the caller's fault."""


class InvalidKeyError(StorageError, ValueError):
    """The key is not an acceptable object key (traversal, absolute, NUL, too long...)."""


class ObjectNotFoundError(StorageError, KeyError):
    """No object is stored under the key."""


class StoredObject(msgspec.Struct, frozen=True, kw_only=True):
    """What a backend knows about one stored object."""

    key: str
    size: int
    content_type: str
    etag: str  # hex SHA-256 of the bytes: a strong validator for HTTP


@runtime_checkable
class StorageBackend(Protocol):
    """One place to keep bytes under keys. Every write is atomic: all or nothing."""

    async def put(self, key: str, data: bytes, content_type: str) -> StoredObject: ...

    async def get(self, key: str) -> tuple[StoredObject, bytes]:
        """Return the object and its bytes; raise ObjectNotFoundError if absent."""
        ...

    def stream(self, key: str, chunk_size: int = 64 * 1024) -> AsyncIterator[bytes]:
        """Yield the bytes in chunks; raise ObjectNotFoundError (on first iteration) if absent."""
        ...

    async def stat(self, key: str) -> StoredObject | None: ...

    async def exists(self, key: str) -> bool: ...

    async def delete(self, key: str) -> bool:
        """Remove the object; return False if there was none."""
        ...

    def url(self, key: str) -> str | None:
        """A URL clients can fetch the object from directly, or None to serve it through us."""
        ...

    async def check(self) -> None:
        """Raise StorageError if the backend cannot serve requests now (used by /readyz)."""
        ...

    async def close(self) -> None: ...


@runtime_checkable
class RangeReadable(Protocol):
    """Optional: a backend that can read part of an object without reading what comes before.

    HTTP range requests (``Range: bytes=...``) use it when the backend has it, and otherwise
    skip through :meth:`StorageBackend.stream`, which is correct but reads the whole prefix.
    """

    def stream_range(
        self, key: str, offset: int, length: int, chunk_size: int = 64 * 1024
    ) -> AsyncIterator[bytes]:
        """Yield at most ``length`` bytes starting at byte ``offset``, in non-empty chunks.

        Fewer bytes (or none) when the object ends sooner. Raise ValueError for a negative
        ``offset`` or ``length``, ObjectNotFoundError (on first iteration) if absent.
        """
        ...


@runtime_checkable
class StorageFactory(Protocol):
    """The object an ``ogplatform.storage`` entry point names."""

    id: str
    version: str
    description: str

    def create(self, options: Mapping[str, Any], *, base_dir: Path) -> StorageBackend:
        """Build a backend from ``[storage.options]``; relative paths resolve against base_dir.

        Raise ValueError with a readable message for a bad option.
        """
        ...
