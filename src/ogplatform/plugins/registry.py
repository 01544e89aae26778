"""Discovers plugins through entry points and keeps them by kind and id.

Each kind is one entry-point group (``ogplatform.templates``, ``ogplatform.backgrounds``,
``ogplatform.map_themes``, ``ogplatform.storage``). The built-in plugins are registered in the
project's own ``pyproject.toml`` exactly like a third-party package's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import Any

import structlog

from ogplatform.plugins.backgrounds import Background
from ogplatform.plugins.map_themes import MapTheme, validate_map_theme
from ogplatform.plugins.storage import StorageFactory
from ogplatform.plugins.templates import Template
from ogplatform.settings import PluginSettings

__all__ = ["KINDS", "PluginError", "PluginFailure", "PluginRecord", "PluginRegistry"]

log = structlog.get_logger("ogplatform.plugins")

# kind -> the Protocol its objects satisfy; the entry-point group is "ogplatform.<kind>".
KINDS: dict[str, type] = {
    "templates": Template,
    "backgrounds": Background,
    "map_themes": MapTheme,
    "storage": StorageFactory,
}
# kind -> a deeper check than the Protocol's, raising ValueError (a plugin that fails is skipped).
_VALIDATORS: dict[str, Callable[[Any], None]] = {"map_themes": validate_map_theme}
_SUMMARY_FIELDS = ("kind", "id", "version", "distribution", "distribution_version", "entry_point")
_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")


class PluginError(Exception):
    """The plugins cannot be used as configured (duplicate ids, strict-mode failure...)."""


@dataclass(frozen=True, slots=True)
class PluginRecord:
    """One loaded plugin and where it came from."""

    kind: str
    id: str
    version: str
    plugin: Any
    entry_point: str  # "name = module:attr"
    distribution: str
    distribution_version: str

    @property
    def fingerprint(self) -> str:
        """Changes whenever the plugin or the package shipping it is upgraded (for cache keys)."""
        return (
            f"{self.kind}:{self.id}@{self.version}/{self.distribution}=={self.distribution_version}"
        )


@dataclass(frozen=True, slots=True)
class PluginFailure:
    """An entry point that could not be loaded, and why."""

    kind: str
    entry_point: str
    distribution: str
    error: str


class PluginRegistry:
    """The plugins of one process, by kind and id."""

    __slots__ = ("_by_kind", "failures")

    def __init__(self, records: Iterable[PluginRecord], failures: Iterable[PluginFailure] = ()):
        self._by_kind: dict[str, dict[str, PluginRecord]] = {kind: {} for kind in KINDS}
        for record in records:
            known = self._by_kind[record.kind].get(record.id)
            if known is not None:
                raise PluginError(
                    f"duplicate {record.kind} plugin id '{record.id}': "
                    f"{known.distribution} ({known.entry_point}) and "
                    f"{record.distribution} ({record.entry_point})"
                )
            self._by_kind[record.kind][record.id] = record
        self.failures = tuple(failures)

    @classmethod
    def discover(
        cls,
        settings: PluginSettings,
        find: Callable[[str], Iterable[EntryPoint]] = lambda group: entry_points(group=group),
    ) -> PluginRegistry:
        """Load every installed plugin allowed by the settings."""
        allowed = _Filter(settings)
        records: list[PluginRecord] = []
        failures: list[PluginFailure] = []
        for kind, protocol in KINDS.items():
            for ep in find(f"ogplatform.{kind}"):
                dist_name, dist_version = _distribution(ep)
                try:
                    loaded = list(_load(ep, kind, protocol))
                except Exception as exc:  # a broken plugin must not take the service down
                    failure = PluginFailure(kind, _describe(ep), dist_name, f"{exc!r}")
                    if settings.strict:
                        raise PluginError(
                            f"{kind} plugin {failure.entry_point} from {dist_name} failed to "
                            f"load: {failure.error} (plugins.strict is on)"
                        ) from exc
                    log.warning(
                        "plugin_load_failed",
                        kind=kind,
                        entry_point=failure.entry_point,
                        distribution=dist_name,
                        error=failure.error,
                    )
                    failures.append(failure)
                    continue
                records.extend(
                    PluginRecord(
                        kind, obj.id, obj.version, obj, _describe(ep), dist_name, dist_version
                    )
                    for obj in loaded
                    if allowed(kind, obj.id)
                )
        return cls(records, failures)

    def get(self, kind: str, plugin_id: str) -> PluginRecord:
        """Return one plugin; raise KeyError naming what is available if it is not there."""
        try:
            return self._by_kind[kind][plugin_id]
        except KeyError:
            available = ", ".join(sorted(self._by_kind.get(kind, {}))) or "none"
            raise KeyError(f"no {kind} plugin '{plugin_id}' (available: {available})") from None

    def plugins(self, kind: str) -> list[PluginRecord]:
        return sorted(self._by_kind[kind].values(), key=lambda r: r.id)

    def __iter__(self) -> Iterator[PluginRecord]:
        for kind in KINDS:
            yield from self.plugins(kind)

    def summary(self) -> dict[str, list[dict[str, str]]]:
        """What was loaded and what failed, as plain data (for the CLI and /admin/plugins)."""
        loaded = [{field: getattr(r, field) for field in _SUMMARY_FIELDS} for r in self]
        return {"plugins": loaded, "failures": [asdict(f) for f in self.failures]}

    def versions(self) -> dict[str, str]:
        """``"<kind>:<id>"`` -> fingerprint, for every loaded plugin."""
        return {f"{r.kind}:{r.id}": r.fingerprint for r in self}


class _Filter:
    """The `plugins.enabled` / `plugins.disabled` lists of litestar.toml."""

    def __init__(self, settings: PluginSettings) -> None:
        self.enabled = self._parse(settings.enabled, "plugins.enabled")
        self.disabled = self._parse(settings.disabled, "plugins.disabled")

    @staticmethod
    def _parse(entries: list[str], setting: str) -> set[tuple[str, str]]:
        parsed = set()
        for entry in entries:
            kind, sep, plugin_id = entry.partition(":")
            if not sep or kind not in KINDS or not plugin_id:
                raise PluginError(
                    f"{setting} entry '{entry}' must be '<kind>:<id>' with kind one of "
                    f"{', '.join(KINDS)} (id may be '*')"
                )
            parsed.add((kind, plugin_id))
        return parsed

    def __call__(self, kind: str, plugin_id: str) -> bool:
        if {(kind, plugin_id), (kind, "*")} & self.disabled:
            return False
        listed = {pid for k, pid in self.enabled if k == kind}
        return not listed or "*" in listed or plugin_id in listed


def _load(ep: EntryPoint, kind: str, protocol: type) -> Iterator[Any]:
    """Load an entry point: one plugin object, or a list/tuple of them (a pack)."""
    target = ep.load()
    objects: list[Any] = list(target) if isinstance(target, list | tuple) else [target]
    for obj in objects:
        if not isinstance(obj, protocol):
            raise TypeError(f"{obj!r} does not satisfy the {kind} contract ({protocol.__name__})")
        plugin_id, version = getattr(obj, "id", None), getattr(obj, "version", None)
        if not isinstance(plugin_id, str) or not _ID.fullmatch(plugin_id):
            raise ValueError(f"bad plugin id {plugin_id!r}: use [a-z0-9][a-z0-9._-]{{0,63}}")
        if not isinstance(version, str) or not version:
            raise ValueError(f"plugin {plugin_id!r} has no version string")
        if kind in _VALIDATORS:
            _VALIDATORS[kind](obj)
    yield from objects


def _distribution(ep: EntryPoint) -> tuple[str, str]:
    dist = ep.dist
    if dist is None:
        return "unknown", "0"
    return dist.name, dist.version


def _describe(ep: EntryPoint) -> str:
    return f"{ep.name} = {ep.value}"
