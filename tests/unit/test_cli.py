"""The `ogplatform` command, driven in-process with click's runner."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from ogplatform import __version__
from ogplatform.cli import main
from ogplatform.db import head_revision


@pytest.fixture(autouse=True)
def restore_environment(monkeypatch):
    """`--config` exports OGP_CONFIG for worker processes; undo that after each test."""
    monkeypatch.setenv("OGP_CONFIG", "unset-by-test")
    monkeypatch.delenv("OGP_CONFIG")


@pytest.fixture
def config(config_dir):
    path = config_dir / "litestar.toml"
    path.write_text('[database]\nurl = "sqlite+aiosqlite:///data/app.db"\n')
    return path


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_version():
    assert run("--version").output.strip() == f"ogplatform, version {__version__}"


def test_db_upgrade_then_current(config):
    upgraded = run("--config", str(config), "db", "upgrade")
    assert upgraded.exit_code == 0
    assert upgraded.output.strip() == f"database at revision {head_revision()}"
    assert (config.parent / "data" / "app.db").is_file()  # relative to the config file
    current = run("--config", str(config), "db", "current")
    assert current.output.strip() == f"current: {head_revision()}  head: {head_revision()}"


def test_db_commands_without_a_database_say_so(config):
    result = run("--config", str(config), "db", "upgrade", env={"OGP_DATABASE__URL": ""})
    assert result.exit_code == 1
    assert "no database configured (database.url is empty)" in result.output


def test_config_masks_the_admin_token(config):
    result = run("--config", str(config), "config", env={"OGP_AUTH__ADMIN_TOKEN": "hunter2"})
    assert result.exit_code == 0
    shown = json.loads(result.output)
    assert shown["auth"]["admin_token"] == "***"
    assert "hunter2" not in result.output
    assert shown["database"]["url"] == f"sqlite+aiosqlite:///{config.parent}/data/app.db"


def test_bad_settings_are_one_line_errors(config):
    result = run("--config", str(config), "config", env={"OGP_SERVER__PORT": "x"})
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: invalid setting 'server.port' in OGP_SERVER__PORT: Expected `int`, got `str`"
    )


def test_plugins_json_lists_the_builtin_storage(config):
    result = run("--config", str(config), "plugins", "--json")
    listed = json.loads(result.output)
    [local] = [p for p in listed["plugins"] if (p["kind"], p["id"]) == ("storage", "local")]
    assert local["distribution"] == "ogplatform"
    assert local["version"] == __version__
    assert listed["failures"] == []


def test_render_card_writes_the_image(config, tmp_path):
    from PIL import Image

    out = tmp_path / "card.webp"
    result = run("--config", str(config), "render", "card", "--template", "minimal",
                 "--title", "From the CLI", "-o", str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    image = Image.open(out)
    assert (image.format, image.size) == ("WEBP", (1200, 630))


def test_render_card_applies_the_api_rules(config, tmp_path):
    result = run("--config", str(config), "render", "card", "--title", "x" * 81,
                 "-o", str(tmp_path / "x.png"))  # fmt: skip
    assert result.exit_code == 1
    assert "TITLE_TOO_LONG: title must be <= 80 characters" in result.output
    assert not (tmp_path / "x.png").exists()


def test_render_map_writes_a_vector_pdf(config, tmp_path):
    import io

    import pypdf

    out = tmp_path / "lu.pdf"
    result = run("--config", str(config), "render", "map", "--location", "lu", "--theme",
                 "vintage", "--width", "400", "--height", "300", "--dpi", "300",
                 "-o", str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "400x300 px at 300 dpi = 1.33 x 1.00 in" in result.output
    page = pypdf.PdfReader(io.BytesIO(out.read_bytes())).pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == (96, 72)
    assert "Luxembourg" in page.extract_text()


def test_render_map_passes_every_flag(config, tmp_path):
    import re

    from PIL import Image

    out = tmp_path / "be.map"
    result = run("--config", str(config), "render", "map", "--location", "be", "--format", "svg",
                 "--width", "400", "--height", "300", "--no-subdivision-labels",
                 "--no-country-labels", "--no-city-labels", "--show-features",
                 "--highlight", "BE-VAN", "--highlight", '{"code": "be-wlg", "color": "#ff0000"}',
                 "-o", str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    svg = out.read_text()
    assert svg.startswith("<svg") and "<text" not in svg
    assert re.search(r'fill="#ff0000"', svg)
    png = tmp_path / "be.png"
    result = run("--config", str(config), "render", "map", "--location", "be",
                 "--width", "400", "--height", "300", "-o", str(png))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert Image.open(png).size == (400, 300)


def test_render_map_draws_selected_features(config, tmp_path):
    import xml.etree.ElementTree as ET

    out = tmp_path / "de.svg"
    result = run("--config", str(config), "render", "map", "--location", "de",
                 "--width", "800", "--height", "520", "--show-river-labels",
                 "--feature", "river-rhine", "-o", str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    root = ET.fromstring(out.read_text())
    rivers = [p for p in root.iter("{http://www.w3.org/2000/svg}path")
              if "river" in p.get("class", "").split()]  # fmt: skip
    assert [p.get("data-code") for p in rivers] == ["river-rhine"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--location", "atlantis"],
         "Error: Location not found: 'atlantis' is neither a location code nor a location id"),
        (["--location", "be", "--highlight", "BE-XYZ", "--highlight", "US-CA"],
         "Error: Validation failed: unknown subdivision code(s): BE-XYZ, US-CA"),
        (["--location", "be", "--theme", "neon", "--dpi", "96"],
         "Error: Validation failed: theme must be one of: modern, vintage, satellite, monochrome,"
         " blueprint; dpi must be one of: 72, 150, 300"),
        (["--location", "be", "--format", "gif"],
         "Error: Validation failed: output_format must be one of: png, svg, pdf"),
        (["--location", "be", "--feature", "river-xyz", "--feature", "river-maas"],
         "Error: Validation failed: unknown feature code(s): river-xyz"),
    ],
)  # fmt: skip
def test_render_map_applies_the_job_api_rules(config, tmp_path, args, message):
    out = tmp_path / "x.png"
    result = run("--config", str(config), "render", "map", *args, "-o", str(out))
    assert result.exit_code == 1
    assert message in result.output
    assert not out.exists()
