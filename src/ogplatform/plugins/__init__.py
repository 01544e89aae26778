"""The four plugin contracts and the registry that finds plugins through entry points.

Kinds and their entry-point groups: templates (``ogplatform.templates``), backgrounds
(``ogplatform.backgrounds``), map themes (``ogplatform.map_themes``) and storage backends
(``ogplatform.storage``). See docs/plugins.md for a walk-through.

The names below are imported on first use (PEP 562): importing one contract module
(``ogplatform.plugins.map_themes``, as the pure map renderer does) does not load the registry,
its logging (structlog) or the card renderer the template contract refers to.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ogplatform.plugins.backgrounds import Background
    from ogplatform.plugins.map_themes import LabelStyle, MapEffects, MapTheme, MapThemeDef
    from ogplatform.plugins.registry import (
        KINDS,
        PluginError,
        PluginFailure,
        PluginRecord,
        PluginRegistry,
    )
    from ogplatform.plugins.storage import StorageBackend, StorageFactory, StoredObject
    from ogplatform.plugins.templates import Template

__all__ = [
    "KINDS",
    "Background",
    "LabelStyle",
    "MapEffects",
    "MapTheme",
    "MapThemeDef",
    "PluginError",
    "PluginFailure",
    "PluginRecord",
    "PluginRegistry",
    "StorageBackend",
    "StorageFactory",
    "StoredObject",
    "Template",
]

_WHERE = {
    "Background": "backgrounds",
    "LabelStyle": "map_themes",
    "MapEffects": "map_themes",
    "MapTheme": "map_themes",
    "MapThemeDef": "map_themes",
    "KINDS": "registry",
    "PluginError": "registry",
    "PluginFailure": "registry",
    "PluginRecord": "registry",
    "PluginRegistry": "registry",
    "StorageBackend": "storage",
    "StorageFactory": "storage",
    "StoredObject": "storage",
    "Template": "templates",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
