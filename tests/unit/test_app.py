"""The app factory: health, readiness, offline OpenAPI docs, request ids, access log, admin."""

from __future__ import annotations

import io
import json
import socket
import subprocess
import time
from pathlib import Path

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from ogplatform import __version__
from ogplatform.app import create_app
from ogplatform.log import configure_logging
from ogplatform.settings import LoggingSettings, Settings


def make_settings(tmp_path: Path, **sections: dict[str, object]) -> Settings:
    """Settings on tmp_path (SQLite file, local storage), with some sections changed."""
    base = {
        "database": {"url": f"sqlite+aiosqlite:///{tmp_path}/ogp.db"},
        "storage": {"backend": "local", "options": {"root": str(tmp_path / "storage")}},
        "cache": {"disk_path": str(tmp_path / "cache")},
    }
    for name, values in sections.items():
        base[name] = {**base.get(name, {}), **values}
    return msgspec.convert(base, Settings)


@pytest.fixture
async def client(tmp_path):
    async with AsyncTestClient(create_app(make_settings(tmp_path))) as test_client:
        yield test_client


async def test_healthz_answers_without_touching_dependencies(client):
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": __version__}
    assert response.headers["cache-control"] == "no-store"


async def test_readyz_checks_database_and_storage(client):
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"storage": "ok", "database": "ok"}}


async def test_startup_migrates_the_sqlite_database(tmp_path):
    from ogplatform.db import current_revision, head_revision

    settings = make_settings(tmp_path)
    async with AsyncTestClient(create_app(settings)):
        assert await current_revision(settings.database.url) == head_revision()


async def test_readyz_without_database_skips_that_check(tmp_path):
    app = create_app(make_settings(tmp_path, database={"url": ""}))
    async with AsyncTestClient(app) as client:
        response = await client.get("/readyz")
    assert response.json()["checks"] == {"storage": "ok"}
    assert not (tmp_path / "ogp.db").exists()


async def test_readyz_reports_broken_storage_as_503(tmp_path):
    app = create_app(make_settings(tmp_path))
    async with AsyncTestClient(app) as client:
        assert (await client.get("/readyz")).status_code == 200
        (tmp_path / "storage").rename(tmp_path / "gone")
        (tmp_path / "storage").write_text("a file where the storage folder should be")
        response = await client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["storage"].startswith("error")
    assert body["checks"]["database"] == "ok"


@pytest.mark.redis
async def test_readyz_checks_redis_when_configured(tmp_path, redis_url):
    app = create_app(make_settings(tmp_path, redis={"url": redis_url}))
    async with AsyncTestClient(app) as client:
        response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["redis"] == "ok"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_readyz_is_503_when_redis_is_down(tmp_path):
    # A port nothing listens on: connection refused at once.
    app = create_app(make_settings(tmp_path, redis={"url": f"redis://127.0.0.1:{free_port()}/0"}))
    async with AsyncTestClient(app) as client:
        response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"].startswith("error")


async def test_openapi_schema_lists_the_routes(client):
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"] == {
        "title": "ogplatform",
        "version": __version__,
        "description": schema["info"]["description"],
    }
    assert {"/healthz", "/readyz", "/admin/plugins"} <= set(schema["paths"])


async def test_docs_page_loads_nothing_from_the_internet(client):
    page = await client.get("/schema")
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    sources = [
        part.split('"')[0].split("'")[0]
        for part in page.text.replace("src=", "href=").split("href=")[1:]
    ]
    assets = [s.strip("'\"") for s in sources]
    assert assets, page.text
    assert not [a for a in assets if a.startswith(("http:", "https:", "//"))], assets
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-standalone-preset.js"):
        served = await client.get(f"/_static/swagger-ui/{asset}")
        assert served.status_code == 200, asset
        assert len(served.content) > 10_000
    assert "https://" not in page.text.split("<body")[0].replace("https://swagger", "")


async def test_request_id_is_generated_or_honoured(client):
    generated = (await client.get("/healthz")).headers["x-request-id"]
    assert len(generated) == 32 and int(generated, 16) >= 0
    honoured = await client.get("/healthz", headers={"X-Request-ID": "edge-42:abc"})
    assert honoured.headers["x-request-id"] == "edge-42:abc"
    # Header injection or log pollution attempts are replaced, not echoed.
    hostile = await client.get("/healthz", headers={"X-Request-ID": "a b<script>" + "x" * 200})
    assert hostile.headers["x-request-id"] != "a b<script>" + "x" * 200
    assert len(hostile.headers["x-request-id"]) == 32


async def test_every_request_is_logged_once_even_unrouted(client):
    stream = io.StringIO()
    configure_logging(LoggingSettings(format="json"), stream=stream)
    await client.get("/healthz?userKey=secret-value", headers={"X-Request-ID": "one"})
    await client.get("/nowhere", headers={"X-Request-ID": "two"})
    await client.post("/healthz", headers={"X-Request-ID": "three"})
    access = [json.loads(x) for x in stream.getvalue().splitlines()]
    access = [x for x in access if x["event"] == "request"]
    assert [(x["request_id"], x["status"], x["method"], x["path"]) for x in access] == [
        ("one", 200, "GET", "/healthz"),
        ("two", 404, "GET", "/nowhere"),
        ("three", 405, "POST", "/healthz"),
    ]
    assert all(isinstance(x["duration_ms"], float) for x in access)
    assert "secret-value" not in stream.getvalue()


async def test_admin_endpoints_are_off_without_a_token(client):
    response = await client.get("/admin/plugins")
    assert response.status_code == 403
    assert response.json()["code"] == "ADMIN_DISABLED"


async def test_admin_endpoints_need_the_right_token(tmp_path):
    app = create_app(make_settings(tmp_path, auth={"admin_token": "t0ps3cret"}))
    async with AsyncTestClient(app) as client:
        missing = await client.get("/admin/plugins")
        wrong = await client.get("/admin/plugins", headers={"Authorization": "Bearer nope"})
        right = await client.get("/admin/plugins", headers={"Authorization": "Bearer t0ps3cret"})
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert wrong.status_code == 403
    assert right.status_code == 200
    assert right.headers["cache-control"] == "private, no-store"
    ids = {(p["kind"], p["id"]) for p in right.json()["plugins"]}
    assert ("storage", "local") in ids


def test_unknown_storage_backend_is_a_clear_startup_error(tmp_path):
    from ogplatform.plugins import PluginError

    with pytest.raises(PluginError, match=r"storage.backend: no storage plugin 's3'"):
        create_app(make_settings(tmp_path, storage={"backend": "s3"}))


def test_bad_config_file_stops_litestar_cli_with_one_line(tmp_path):
    """The factory used by `litestar run` ends the process with a message, not a traceback."""
    (tmp_path / "litestar.toml").write_text("[server]\nprot = 1\n")
    started = time.monotonic()
    result = subprocess.run(
        ["python", "-c", "from ogplatform.app import create_app; create_app()"],
        capture_output=True, text=True, cwd=tmp_path, env={"PATH": _venv_path()},
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"ogplatform: unknown setting 'server.prot' in {tmp_path / 'litestar.toml'}"
    )
    assert time.monotonic() - started < 60


def _venv_path() -> str:
    import os
    import sys

    return f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"
