"""Where rendered assets live: key validation, the built-in local backend and the contract."""

from ogplatform.plugins.storage import (
    InvalidKeyError,
    ObjectNotFoundError,
    StorageBackend,
    StorageError,
    StorageFactory,
    StoredObject,
)
from ogplatform.storage._keys import MAX_KEY_BYTES, validate_key
from ogplatform.storage.local import LocalStorage, LocalStorageFactory

__all__ = [
    "MAX_KEY_BYTES",
    "InvalidKeyError",
    "LocalStorage",
    "LocalStorageFactory",
    "ObjectNotFoundError",
    "StorageBackend",
    "StorageError",
    "StorageFactory",
    "StoredObject",
    "validate_key",
]
