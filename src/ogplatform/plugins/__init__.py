"""The four plugin contracts and the registry that finds plugins through entry points.

Kinds and their entry-point groups: templates (``ogplatform.templates``), backgrounds
(``ogplatform.backgrounds``), map themes (``ogplatform.map_themes``) and storage backends
(``ogplatform.storage``). See docs/plugins.md for a walk-through.
"""

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
