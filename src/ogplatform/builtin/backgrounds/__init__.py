"""The built-in backgrounds: a generated catalog, and photos from a folder the operator names.

Entry points (group ``ogplatform.backgrounds``)::

    builtin = "ogplatform.builtin.backgrounds:catalog"
    folder = "ogplatform.builtin.backgrounds:folder"

``folder`` is read from ``OGP_BACKGROUNDS_DIR`` each time it is looked up (a module
``__getattr__``), so a broken manifest fails only that entry point, never the catalog's import.
"""

from __future__ import annotations

from ogplatform.builtin.backgrounds._background import GeneratedBackground
from ogplatform.builtin.backgrounds.catalog import catalog
from ogplatform.builtin.backgrounds.photos import PhotoBackground, folder_catalog, folder_from_env

__all__ = [
    "GeneratedBackground",
    "PhotoBackground",
    "catalog",
    "folder",
    "folder_catalog",
    "folder_from_env",
]

folder: list[PhotoBackground]  # declared for type checkers; produced by __getattr__ below


def __getattr__(name: str) -> list[PhotoBackground]:
    if name == "folder":
        return folder_from_env()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
