"""The built-in ``ogplatform.storage`` entry points."""

from ogplatform.storage.local import LocalStorageFactory

__all__ = ["local"]

local = LocalStorageFactory()
"""Files in a folder on the local disk: ``[storage] backend = "local"``."""
