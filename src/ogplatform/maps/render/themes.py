"""How the renderer finds map themes: through the plugin registry, like every other plugin.

The five built-ins (:mod:`ogplatform.builtin.map_themes`) register in the
``ogplatform.map_themes`` entry-point group exactly like a third-party package's themes, so
:func:`get_theme` finds an installed ``pip install acme-ogplatform-themes`` theme by name too.
The pure renderer needs no app: without a registry it uses every theme installed in the
environment. The contract is :class:`ogplatform.plugins.map_themes.MapTheme`.

A built-in name asked for without a registry resolves without loading one (the registry, its
logging and the entry-point scan cost a cold render about 0.15 s): a built-in's id cannot be
taken by another plugin (duplicate ids fail the registry), so the answer is the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from types import MappingProxyType
from typing import TYPE_CHECKING

from ogplatform.builtin.map_themes import themes as _builtin
from ogplatform.plugins.map_themes import MapTheme, MapThemeDef

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

    from ogplatform.plugins.registry import PluginRegistry

__all__ = ["THEMES", "MapThemeDef", "get_theme", "installed_themes", "theme_names"]

_GROUP = "ogplatform.map_themes"

# The built-in themes by id, in the API's order (modern, vintage, satellite, ...).
THEMES: Mapping[str, MapThemeDef] = MappingProxyType({t.id: t for t in _builtin})
_ORDER = {theme_id: i for i, theme_id in enumerate(THEMES)}


def _theme_entry_points(group: str) -> Iterable[EntryPoint]:
    from importlib.metadata import entry_points

    return entry_points(group=group) if group == _GROUP else ()


@cache
def installed_themes() -> PluginRegistry:
    """Every map theme installed in this environment, nothing disabled (loaded once)."""
    from ogplatform.plugins.registry import PluginRegistry
    from ogplatform.settings import PluginSettings

    return PluginRegistry.discover(PluginSettings(), find=_theme_entry_points)


def theme_names(plugins: PluginRegistry | None = None) -> tuple[str, ...]:
    """The theme ids a map may name: the built-ins in their order, then the others by id."""
    records = (installed_themes() if plugins is None else plugins).plugins("map_themes")
    return tuple(r.id for r in sorted(records, key=lambda r: (_ORDER.get(r.id, len(_ORDER)), r.id)))


def get_theme(name: str, plugins: PluginRegistry | None = None) -> MapTheme:
    """The theme ``name`` from ``plugins`` (by default: everything installed).

    Raises ``KeyError`` naming the themes available.
    """
    if plugins is None and name in THEMES:
        return THEMES[name]  # a built-in: no registry needed (see the module's docstring)
    registry = installed_themes() if plugins is None else plugins
    try:
        theme: MapTheme = registry.get("map_themes", name).plugin
    except KeyError:
        known = ", ".join(theme_names(registry)) or "none"
        raise KeyError(f"unknown map theme {name!r}; known: {known}") from None
    return theme
