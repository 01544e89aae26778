"""The user data API as a whole: 501 without a database, rate limits, and keys kept out of logs."""

from __future__ import annotations

import io
import json

import pytest

from ogplatform.app import create_app
from ogplatform.log import configure_logging
from ogplatform.settings import LoggingSettings
from ogplatform.userdata import saved_query
from ogplatform.userdata.keys import owner_hash

ALICE = "alice-0123456789abcdef"
ENDPOINTS = [
    ("GET", "/api/my-templates", {"params": {"userKey": ALICE}}),
    ("POST", "/api/my-templates", {"json": {"userKey": ALICE, "payload": {}}}),
    ("PATCH", "/api/my-templates", {"json": {"userKey": ALICE, "id": "tpl_x", "name": "x"}}),
    ("DELETE", "/api/my-templates", {"params": {"userKey": ALICE, "id": "tpl_x"}}),
    ("GET", "/api/favorites", {"params": {"userKey": ALICE}}),
    ("POST", "/api/favorites", {"json": {"userKey": ALICE, "ids": []}}),
    ("DELETE", "/api/favorites", {"params": {"userKey": ALICE, "id": "mesh-ocean"}}),
]


async def test_without_a_database_every_endpoint_is_501_and_the_rest_works(
    tmp_path, plugins, settings_for, served
):
    app = create_app(settings_for("", tmp_path), plugins=plugins)
    async with served(app) as client:
        for method, path, kwargs in ENDPOINTS:
            response = await client.request(method, path, **kwargs)
            assert response.status_code == 501, (method, path)
            assert response.json() == {
                "success": False,
                "error": {
                    "code": "DB_UNAVAILABLE",
                    "message": "this endpoint needs a database: set database.url",
                },
            }
            assert response.headers["cache-control"] == "no-store"
        assert (await client.get("/healthz")).status_code == 200
        assert (await client.get("/readyz")).status_code == 200
        assert (await client.get("/api/templates")).status_code == 200


async def test_user_data_routes_are_rate_limited(make_app, served):
    app = make_app(ratelimit={"enabled": True, "policies": {"user_data": {"windows": ["3/1m"]}}})
    async with served(app) as client:
        statuses = [
            (await client.get("/api/favorites", params={"userKey": ALICE})).status_code
            for _ in range(4)
        ]
        assert statuses == [200, 200, 200, 429]
        refused = await client.get("/api/my-templates", params={"userKey": ALICE})
        assert refused.json()["error"]["code"] == "RATE_LIMITED"
        assert "retry-after" in refused.headers


@pytest.fixture
def log_stream():
    """Everything logged during the test, as JSON lines, at DEBUG; the defaults restored after."""
    stream = io.StringIO()
    yield stream
    configure_logging(LoggingSettings())


async def test_the_user_key_never_reaches_the_logs(make_app, served, log_stream):
    secret = "Zq7-never.log_this-key-4f9a1c"
    # SQL echo on: every statement and its parameters are logged too.
    app = make_app(database={"echo": True}, logging={"level": "DEBUG", "format": "json"})
    configure_logging(LoggingSettings(level="DEBUG", format="json"), stream=log_stream)
    tpl, fav = "/api/my-templates", "/api/favorites"
    async with served(app) as client:
        saved = await client.post(tpl, json={"userKey": secret, "payload": {"title": "Hi"}})
        template_id = saved.json()["template"]["id"]
        await client.get(tpl, params={"userKey": secret, "limit": "5"})
        await client.patch(tpl, json={"userKey": secret, "id": template_id, "name": "Renamed"})
        await client.post(fav, json={"userKey": secret, "ids": ["mesh-ocean", "grain-dusk"]})
        await client.get(fav, params={"userKey": secret})
        await client.delete(fav, params={"userKey": secret, "id": "mesh-ocean"})
        async with app.state.runtime.database.session() as session:
            assert await saved_query(session, secret, template_id)
        # Mistakes, which are the likeliest to be logged with their input.
        failures = [
            await client.post(tpl, json={"userKey": secret, "payload": {"title": "x" * 81}}),
            await client.post(tpl, json={"userKey": secret, "payload": {"bgId": "nope"}}),
            await client.post(tpl, json={"userKey": secret, "name": "n" * 81, "payload": {}}),
            await client.post(
                tpl,
                content=b'{"userKey": "' + secret.encode() + b'", oops}',
                headers={"content-type": "application/json"},
            ),
            await client.post(fav, json={"userKey": secret, "ids": ["bg_unknown"]}),
            await client.patch(tpl, json={"userKey": secret, "id": "tpl_" + "0" * 22, "name": "x"}),
            await client.get(tpl, params={"userKey": secret + "!"}),
            await client.get(tpl, params={"userKey": secret, "limit": secret}),
        ]
        await client.delete(tpl, params={"userKey": secret, "id": template_id})
        await client.delete(tpl, params={"userKey": secret, "id": template_id})  # 404
    assert all(400 <= r.status_code < 500 for r in failures)

    output = log_stream.getvalue()
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    paths = [line.get("path") for line in lines if line.get("event") == "request"]
    assert paths.count("/api/my-templates") == 12
    assert any("user_templates" in line["event"] for line in lines)  # the SQL echo was captured
    assert secret not in output
    assert secret[:12] not in output
    # What the database sees, and so what SQL logging may show, is the key's hash.
    assert owner_hash(secret) in output
