"""Plugin registry: discovery of installed distributions through entry points."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ogplatform import __version__
from ogplatform.plugins import PluginError, PluginRegistry
from ogplatform.settings import PluginSettings

PLUGINS = Path(__file__).resolve().parents[1] / "plugins"


def pip_install(source: Path, target: Path) -> Path:
    """Install a plugin distribution for real (pip, no network) into its own folder."""
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
         "--no-build-isolation", "--target", str(target), str(source)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return target


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("site")
    return {
        name: pip_install(PLUGINS / name, base / name)
        for name in ("ogp-test-plugins", "ogp-test-dupe")
    }


@pytest.fixture
def with_test_plugins(installed, monkeypatch):
    monkeypatch.syspath_prepend(str(installed["ogp-test-plugins"]))


def test_builtin_local_storage_is_registered_through_its_entry_point():
    registry = PluginRegistry.discover(PluginSettings())
    record = registry.get("storage", "local")
    assert record.distribution == "ogplatform"
    assert record.distribution_version == __version__
    assert record.entry_point == "local = ogplatform.builtin.storage:local"
    assert record.fingerprint == f"storage:local@{__version__}/ogplatform=={__version__}"


def test_discovers_an_installed_plugin_distribution(with_test_plugins):
    registry = PluginRegistry.discover(PluginSettings())
    ink = registry.get("map_themes", "test-ink")
    assert (ink.version, ink.distribution, ink.distribution_version) == (
        "2.0",
        "ogp-test-plugins",
        "1.2.3",
    )
    assert ink.plugin.display_name == "Ink"
    # A list named by one entry point is a pack: each object is its own plugin.
    packed = [r.id for r in registry.plugins("templates") if r.distribution == "ogp-test-plugins"]
    assert packed == ["test-one", "test-two"]
    assert (
        registry.versions()["templates:test-two"] == "templates:test-two@1/ogp-test-plugins==1.2.3"
    )


def test_broken_and_nonconforming_plugins_are_skipped_and_reported(with_test_plugins, caplog):
    registry = PluginRegistry.discover(PluginSettings())
    failures = {f.entry_point: f for f in registry.failures}
    assert set(failures) == {
        "broken = ogp_test_plugins.broken:background",
        "not-a-template = ogp_test_plugins:not_a_template",
    }
    assert "ModuleNotFoundError" in failures["broken = ogp_test_plugins.broken:background"].error
    assert "does not satisfy the templates contract" in (
        failures["not-a-template = ogp_test_plugins:not_a_template"].error
    )
    # The good plugins of the same distribution still load.
    assert registry.get("map_themes", "test-ink").id == "test-ink"
    summary = registry.summary()
    assert {f["distribution"] for f in summary["failures"]} == {"ogp-test-plugins"}


def test_strict_mode_makes_a_broken_plugin_fatal(with_test_plugins):
    with pytest.raises(
        PluginError, match=r"from ogp-test-plugins failed to load: .*\(plugins.strict is on\)"
    ):
        PluginRegistry.discover(PluginSettings(strict=True))


def test_duplicate_ids_are_a_clear_startup_error(installed, monkeypatch):
    monkeypatch.syspath_prepend(str(installed["ogp-test-plugins"]))
    monkeypatch.syspath_prepend(str(installed["ogp-test-dupe"]))
    with pytest.raises(PluginError) as info:
        PluginRegistry.discover(PluginSettings())
    message = str(info.value)
    assert "duplicate map_themes plugin id 'test-ink'" in message
    assert "ogp-test-plugins" in message
    assert "ogp-test-dupe" in message


def test_a_disabled_id_is_not_loaded_even_when_claimed_twice(installed, monkeypatch):
    monkeypatch.syspath_prepend(str(installed["ogp-test-plugins"]))
    monkeypatch.syspath_prepend(str(installed["ogp-test-dupe"]))
    # Disabling works on ids, so both claimants go; the operator then keeps neither.
    registry = PluginRegistry.discover(PluginSettings(disabled=["map_themes:test-ink"]))
    with pytest.raises(KeyError, match="no map_themes plugin 'test-ink'"):
        registry.get("map_themes", "test-ink")


def test_enable_list_is_an_allow_list_per_kind(with_test_plugins):
    registry = PluginRegistry.discover(PluginSettings(enabled=["templates:test-two"]))
    assert [r.id for r in registry.plugins("templates")] == ["test-two"]  # built-ins left out
    # Kinds the list does not name are untouched.
    assert registry.get("storage", "local").id == "local"
    assert registry.get("map_themes", "test-ink").id == "test-ink"


def test_disable_list_wins_and_accepts_a_wildcard(with_test_plugins):
    registry = PluginRegistry.discover(
        PluginSettings(enabled=["templates:*"], disabled=["templates:*", "map_themes:test-ink"])
    )
    assert registry.plugins("templates") == []
    assert {r.distribution for r in registry.plugins("map_themes")} == {"ogplatform"}  # built-ins


@pytest.mark.parametrize("entry", ["templates", "themes:x", "templates:", ":x"])
def test_malformed_enable_entries_are_rejected(entry):
    with pytest.raises(PluginError, match="must be '<kind>:<id>'"):
        PluginRegistry.discover(PluginSettings(enabled=[entry]))


def test_unknown_id_lookup_names_what_is_available():
    registry = PluginRegistry.discover(PluginSettings())
    with pytest.raises(KeyError, match=r"no storage plugin 's3' \(available: local\)"):
        registry.get("storage", "s3")


def test_cli_prints_the_plugin_table():
    result = subprocess.run(
        [sys.executable, "-m", "ogplatform.cli", "plugins"],
        capture_output=True, text=True, check=True, cwd=PLUGINS.parents[1],
    )  # fmt: skip
    assert "storage" in result.stdout
    assert "local" in result.stdout
    assert f"ogplatform {__version__}" in result.stdout
