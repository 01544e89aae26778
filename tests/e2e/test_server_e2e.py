"""A real server process, started the two documented ways, answering over HTTP."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from ogplatform import __version__
from ogplatform.db import head_revision

pytestmark = pytest.mark.e2e

BIN = Path(sys.executable).parent


def test_ogplatform_serve_with_two_workers(site, port, start_server):
    argv = [str(BIN / "ogplatform"), "serve", "--port", str(port), "--workers", "2"]
    with start_server(argv, port, site) as server:
        assert server.get("/healthz").json() == {"status": "ok", "version": __version__}

        ready = server.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["checks"] == {"storage": "ok", "database": "ok"}

        schema = server.get("/schema/openapi.json").json()
        assert {"/healthz", "/readyz", "/admin/plugins"} <= set(schema["paths"])
        docs = server.get("/schema")
        assert docs.status_code == 200
        assert "/_static/swagger-ui/swagger-ui-bundle.js" in docs.text

        missing = server.get("/api/no-such-endpoint", headers={"X-Request-ID": "e2e-1"})
        assert missing.status_code == 404
        assert missing.json()["success"] is False
        assert missing.headers["x-request-id"] == "e2e-1"

        process = server.process
    # SIGTERM stops every worker and the parent cleanly.
    assert process.returncode == 0, server.output()
    # Not on a terminal, so every line is JSON; one access line per request, with its id.
    lines = [json.loads(line) for line in server.output().splitlines()]
    [access] = [x for x in lines if x.get("request_id") == "e2e-1"]
    assert (access["event"], access["status"], access["path"]) == (
        "request",
        404,
        "/api/no-such-endpoint",
    )

    # The parent migrated the embedded SQLite database before the workers started.
    db = site / "var" / "ogplatform.db"
    with sqlite3.connect(db) as conn:
        assert conn.execute("select version_num from alembic_version").fetchall() == [
            (head_revision(),)
        ]
    assert (site / "var" / "storage").is_dir()


def test_litestar_cli_runs_the_factory(site, port, start_server):
    argv = [str(BIN / "litestar"), "--app", "ogplatform.app:create_app", "run", "--port", str(port)]
    with start_server(argv, port, site) as server:
        assert server.get("/readyz").status_code == 200
        assert server.get("/api/v1/nothing").json() == {"statusCode": 404, "message": "Not Found"}


def test_serve_refuses_a_bad_config_with_one_line(site):
    (site / "litestar.toml").write_text("[server]\nport = 'eighty'\n")
    result = subprocess.run(
        [str(BIN / "ogplatform"), "serve"], cwd=site, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert result.stderr.strip().startswith(
        f"Error: invalid setting 'server.port' in {site / 'litestar.toml'}"
    )
    assert "Traceback" not in result.stderr
