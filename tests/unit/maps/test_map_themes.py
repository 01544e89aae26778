"""Map themes are plugins: the built-ins and an installed package are found the same way,
checked by the conformance kit, offered by the job API and drawn by the renderer."""

from __future__ import annotations

import dataclasses
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from importlib.metadata import EntryPoint
from pathlib import Path
from types import MappingProxyType, ModuleType

import pytest
from PIL import Image

from ogplatform.errors import ApiError
from ogplatform.maps.locations import location_index
from ogplatform.maps.map_jobs import parse_job_request, theme_names
from ogplatform.maps.render import THEMES, get_theme, render_png, render_svg
from ogplatform.maps.render.themes import installed_themes
from ogplatform.plugins import MapTheme, PluginError, PluginRegistry
from ogplatform.plugins.map_themes import PALETTE_KEYS, MapThemeDef
from ogplatform.settings import PluginSettings
from ogplatform.testing import check_map_theme

ROOT = Path(__file__).resolve().parents[3]
ATLAS = ROOT / "plugins" / "ogplatform-theme-atlas"
BUILTIN = ("modern", "vintage", "satellite", "monochrome", "blueprint")
SEED_MESSAGE = (
    "Validation failed: theme must be one of: modern, vintage, satellite, monochrome, blueprint"
)


def job_body(theme: str) -> bytes:
    return f'{{"location_id": "lu", "width": 400, "height": 300, "theme": "{theme}"}}'.encode()


def theme_error(theme: str, plugins: PluginRegistry | None = None) -> str:
    with pytest.raises(ApiError) as info:
        parse_job_request(job_body(theme), location_index(), plugins)
    return str(info.value.message)


@pytest.fixture(scope="module")
def atlas_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first-party atlas theme package, pip-installed into a folder of its own."""
    target = tmp_path_factory.mktemp("atlas-site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
         "--no-build-isolation", "--target", str(target), str(ATLAS)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return target


@pytest.fixture
def with_atlas(atlas_site: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The atlas package installed for this test; the renderer's theme lookup sees it too."""
    monkeypatch.syspath_prepend(str(atlas_site))
    installed_themes.cache_clear()
    yield atlas_site
    installed_themes.cache_clear()


# -- the built-ins are plugins like any other ----------------------------------------------


def test_builtins_register_through_their_entry_point() -> None:
    registry = PluginRegistry.discover(PluginSettings())
    records = {r.id: r for r in registry.plugins("map_themes")}
    assert set(BUILTIN) <= set(records)
    for theme_id in BUILTIN:
        record = records[theme_id]
        assert record.distribution == "ogplatform"
        assert record.entry_point == "builtin = ogplatform.builtin.map_themes:themes"
        assert record.plugin is THEMES[theme_id]
        assert isinstance(record.plugin, MapTheme)


def test_the_renderer_finds_themes_through_the_registry() -> None:
    assert theme_names(installed_themes())[:5] == BUILTIN
    assert get_theme("vintage") is THEMES["vintage"]
    with pytest.raises(KeyError, match=r"unknown map theme 'neon'; known: modern, vintage"):
        get_theme("neon")


@pytest.mark.parametrize("theme_id", BUILTIN)
def test_builtin_passes_the_conformance_kit(theme_id: str) -> None:
    check_map_theme(THEMES[theme_id])


def test_builtin_metadata_is_read_only() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        THEMES["modern"].version = "2"  # type: ignore[misc]
    with pytest.raises(TypeError):
        THEMES["modern"].palette["sea"] = "#000000"  # type: ignore[index]


# -- the job API -------------------------------------------------------------------------


def test_seed_validation_message_lists_the_builtins() -> None:
    registry = PluginRegistry.discover(PluginSettings())
    assert theme_error("neon", registry) == SEED_MESSAGE


def test_job_payload_carries_the_theme_object() -> None:
    request = parse_job_request(job_body("vintage"), location_index(), installed_themes())
    assert request.payload()["theme"] == {
        "name": "vintage",
        "version": THEMES["vintage"].version,
        "display_name": "Vintage Atlas Style",
    }


def test_a_disabled_theme_vanishes_from_the_job_api() -> None:
    registry = PluginRegistry.discover(PluginSettings(disabled=["map_themes:vintage"]))
    assert theme_names(registry) == ("modern", "satellite", "monochrome", "blueprint")
    assert theme_error("vintage", registry) == (
        "Validation failed: theme must be one of: modern, satellite, monochrome, blueprint"
    )
    with pytest.raises(KeyError, match="unknown map theme 'vintage'"):
        get_theme("vintage", registry)


# -- an installed theme package -----------------------------------------------------------


def test_an_installed_theme_package_is_offered_and_renders(with_atlas: Path) -> None:
    registry = PluginRegistry.discover(PluginSettings())
    record = registry.get("map_themes", "atlas")
    assert record.distribution == "ogplatform-theme-atlas"
    assert theme_names(registry) == (*BUILTIN, "atlas")
    assert theme_names() == (*BUILTIN, "atlas")  # the renderer's own lookup sees it too
    assert theme_error("neon", registry) == f"{SEED_MESSAGE}, atlas"

    request = parse_job_request(job_body("atlas"), location_index(), registry)
    assert request.payload()["theme"] == {
        "name": "atlas",
        "version": "1.0",
        "display_name": "Classic Political Atlas",
    }
    index = location_index()
    png, layout = render_png(index, index.get("lu"), width=400, height=300, theme="atlas")
    assert layout.theme == "atlas"
    assert Image.open(io.BytesIO(png)).size == (400, 300)
    svg = render_svg(index, index.get("lu"), width=400, height=300, theme="atlas").svg
    assert record.plugin.palette["sea"] in svg


def test_ogplatform_plugins_lists_an_installed_theme(atlas_site: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(atlas_site), str(ROOT / "src")])}
    result = subprocess.run(
        [sys.executable, "-m", "ogplatform.cli", "plugins"],
        capture_output=True, text=True, check=True, cwd=ROOT, env=env,
    )  # fmt: skip
    line = next(ln for ln in result.stdout.splitlines() if "atlas" in ln.split())
    assert "map_themes" in line and "ogplatform-theme-atlas" in line


def test_a_theme_the_renderer_could_not_draw_is_skipped_and_reported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    module = ModuleType("ogp_half_theme")
    module.theme = broken(palette=MappingProxyType({"sea": "#ffffff", "land": "#eeeeee"}))  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module.__name__, module)

    def find(group: str) -> list[EntryPoint]:
        if group != "ogplatform.map_themes":
            return []
        return [EntryPoint("half", "ogp_half_theme:theme", group)]

    registry = PluginRegistry.discover(PluginSettings(), find=find)
    assert registry.plugins("map_themes") == []
    (failure,) = registry.failures
    assert failure.entry_point == "half = ogp_half_theme:theme"
    assert "palette lacks subject, border" in failure.error
    with pytest.raises(PluginError, match="palette lacks"):
        PluginRegistry.discover(PluginSettings(strict=True), find=find)


# -- the conformance kit catches what would break a render ----------------------------------


def broken(**changes: object) -> MapThemeDef:
    return dataclasses.replace(THEMES["modern"], **{"id": "broken", **changes})  # type: ignore[arg-type]


def palette(**changes: str) -> MappingProxyType[str, str]:
    return MappingProxyType({**THEMES["modern"].palette, **changes})


@pytest.mark.parametrize(
    ("theme", "message"),
    [
        (broken(id="Broken Theme"), "must match"),
        (broken(version=""), "version must be a non-empty string"),
        (broken(display_name=" Padded"), "display_name"),
        (
            broken(palette=MappingProxyType({k: "#ffffff" for k in PALETTE_KEYS[:-1]})),
            "palette lacks halo",
        ),
        (broken(palette=palette(sea="blue")), r"palette\['sea'\] = 'blue' is not a #rrggbb"),
        (broken(palette=palette(label="#bbbbbb")), "contrast"),
        (broken(palette=palette(subject="#EEECE8")), "would not stand out"),
        (broken(strokes={**THEMES["modern"].strokes, "coast": 0}), "strokes\\['coast'\\]"),
        (broken(fonts={"label": "Comic Sans MS", "title": "Inter"}), "is not installed"),
    ],
)
def test_the_conformance_kit_names_the_broken_promise(theme: MapThemeDef, message: str) -> None:
    with pytest.raises(AssertionError, match=message):
        check_map_theme(theme)
