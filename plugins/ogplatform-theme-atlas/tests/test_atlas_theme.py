"""The atlas theme as ogplatform sees it once the package is installed.

The package is installed for real (pip, no network, no build isolation) into a temporary
folder and found through its entry point, so these tests check the packaging as well as the
theme — and run from the repository's plain ``pip install -e '.[dev]'``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ogplatform.maps.map_jobs import theme_names
from ogplatform.plugins import PluginRegistry
from ogplatform.settings import PluginSettings
from ogplatform.testing import check_map_theme

PACKAGE = Path(__file__).resolve().parents[1]
BUILTIN = ("modern", "vintage", "satellite", "monochrome", "blueprint")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("site")
    subprocess.run(  # noqa: S603 - this interpreter's pip on this package
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
         "--no-build-isolation", "--target", str(target), str(PACKAGE)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return target


@pytest.fixture
def plugins(site: Path, monkeypatch: pytest.MonkeyPatch) -> PluginRegistry:
    monkeypatch.syspath_prepend(str(site))  # entry points are read from sys.path
    return PluginRegistry.discover(PluginSettings())


def test_registers_through_its_entry_point(plugins: PluginRegistry) -> None:
    record = plugins.get("map_themes", "atlas")
    assert (record.version, record.distribution, record.distribution_version) == (
        "1.0",
        "ogplatform-theme-atlas",
        "1.0.0",
    )
    assert record.entry_point == "atlas = ogplatform_theme_atlas:atlas"
    assert record.plugin.display_name == "Classic Political Atlas"


def test_passes_the_conformance_kit(plugins: PluginRegistry) -> None:
    check_map_theme(plugins.get("map_themes", "atlas").plugin)


def test_the_job_api_offers_it_after_the_builtins(plugins: PluginRegistry) -> None:
    assert theme_names(plugins) == (*BUILTIN, "atlas")


def test_an_operator_can_disable_it(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(site))
    registry = PluginRegistry.discover(PluginSettings(disabled=["map_themes:atlas"]))
    assert theme_names(registry) == BUILTIN
