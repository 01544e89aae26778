"""Settings: defaults, the TOML file, OGP_* overrides, and errors that name key and source."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from ogplatform.settings import Settings, SettingsError, load_settings

REPO = Path(__file__).resolve().parents[2]


def write(folder: Path, text: str) -> Path:
    path = folder / "litestar.toml"
    path.write_text(text)
    return path


def test_defaults_without_a_file_resolve_against_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load_settings(environ={})
    assert settings.server.port == 8000
    assert settings.redis.url == ""
    assert settings.jobs.runner == "inprocess"
    assert settings.database.url == f"sqlite+aiosqlite:///{tmp_path}/var/ogplatform.db"
    assert settings.storage.options["root"] == str(tmp_path / "var" / "storage")
    assert settings.cache.disk_path == str(tmp_path / "var" / "cache")


def test_shipped_litestar_toml_equals_the_built_in_defaults(config_dir):
    """The repository's litestar.toml documents the defaults; it must not drift from them."""
    shipped = msgspec.json.encode(load_settings(REPO / "litestar.toml", environ={}))
    built_in = msgspec.json.encode(load_settings(write(config_dir, ""), environ={}))
    assert shipped == built_in.replace(str(config_dir).encode(), str(REPO).encode())


def test_relative_paths_resolve_against_the_files_folder(config_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write(
        config_dir,
        '[database]\nurl = "sqlite+aiosqlite:///data/app.db?timeout=5"\n'
        '[cache]\ndisk_path = "c"\n[storage.options]\nroot = "assets"\n',
    )
    settings = load_settings(path, environ={})
    assert settings.database.url == f"sqlite+aiosqlite:///{config_dir}/data/app.db?timeout=5"
    assert settings.cache.disk_path == str(config_dir / "c")
    assert settings.storage.options["root"] == str(config_dir / "assets")
    assert settings.base_dir == str(config_dir)


def test_absolute_and_memory_sqlite_urls_are_kept(config_dir):
    for url in ("sqlite+aiosqlite:////srv/x.db", "sqlite+aiosqlite:///:memory:", ""):
        path = write(config_dir, f'[database]\nurl = "{url}"\n')
        assert load_settings(path, environ={}).database.url == url


def test_config_path_from_ogp_config(config_dir):
    path = write(config_dir, "[server]\nport = 9123\n")
    assert load_settings(environ={"OGP_CONFIG": str(path)}).server.port == 9123


def test_missing_explicit_config_file_is_an_error(tmp_path):
    with pytest.raises(SettingsError, match="does not exist"):
        load_settings(environ={"OGP_CONFIG": str(tmp_path / "nope.toml")})


def test_environment_overrides_the_file(config_dir):
    path = write(config_dir, '[server]\nport = 9000\n[auth]\nadmin_token = "from-file"\n')
    settings = load_settings(
        path,
        environ={
            "OGP_SERVER__PORT": "9001",
            "OGP_RATELIMIT__ENABLED": "false",
            "OGP_AUTH__ADMIN_TOKEN": "s3cret",
            "OGP_DATABASE__URL": "postgresql+asyncpg://u@h/db",
            "OGP_PLUGINS__DISABLED": '["templates:minimal"]',
            "OGP_STORAGE__OPTIONS__ROOT": "/srv/assets",
            "OGP_UNRELATED": "ignored: no double underscore",
        },
    )
    assert settings.server.port == 9001
    assert settings.ratelimit.enabled is False
    assert settings.auth.admin_token == "s3cret"
    assert settings.database.url == "postgresql+asyncpg://u@h/db"
    assert settings.plugins.disabled == ["templates:minimal"]
    assert settings.storage.options["root"] == "/srv/assets"


def test_settings_are_frozen():
    settings = Settings()
    with pytest.raises(AttributeError):
        settings.server.port = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[server]\nprot = 1\n", "unknown setting 'server.prot' in {file}"),
        ("[sever]\nport = 1\n", "unknown setting 'sever' in {file}"),
        ('[server]\nport = "eighty"\n', "invalid setting 'server.port' in {file}: Expected `int`"),
        ("[server]\nport = 70000\n", "invalid setting 'server.port' in {file}: Expected `int` <="),
        ('[jobs]\nrunner = "celery"\n', "invalid setting 'jobs.runner' in {file}"),
        ("[server\nport = 1\n", "cannot read configuration file {file}"),
        ('base_dir = "/"\n', "unknown setting 'base_dir' in {file}"),
    ],
)
def test_file_errors_name_the_key_and_the_file(config_dir, text, expected):
    path = write(config_dir, text)
    with pytest.raises(SettingsError) as info:
        load_settings(path, environ={})
    assert str(info.value).startswith(expected.format(file=path)), str(info.value)


@pytest.mark.parametrize(
    ("var", "value", "expected"),
    [
        ("OGP_SERVER__PORT", "abc", "invalid setting 'server.port' in OGP_SERVER__PORT"),
        ("OGP_SERVER__PROT", "1", "unknown setting 'server.prot' in OGP_SERVER__PROT"),
        ("OGP_NOPE__X", "1", "unknown setting 'nope' in OGP_NOPE__X"),
        ("OGP_RATELIMIT__ENABLED", "maybe", "invalid setting 'ratelimit.enabled'"),
        ("OGP_SERVER__PORT__X", "1", "settings variable OGP_SERVER__PORT__X sets a key inside"),
        ("OGP_SERVER____PORT", "1", "malformed settings variable OGP_SERVER____PORT"),
    ],
)
def test_environment_errors_name_the_variable(config_dir, var, value, expected):
    path = write(config_dir, "[server]\nport = 8000\n")
    with pytest.raises(SettingsError) as info:
        load_settings(path, environ={var: value})
    assert str(info.value).startswith(expected), str(info.value)
