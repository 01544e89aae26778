"""Errors: one ApiError, three wire formats chosen by the path's API surface."""

from __future__ import annotations

import io
import json
from typing import Any

import msgspec
import pytest
from litestar import Router, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.testing import AsyncTestClient

from ogplatform.app import create_app
from ogplatform.errors import ApiError, Surface, surface_for_path
from ogplatform.log import configure_logging
from ogplatform.settings import LoggingSettings, Settings

STATUSES = [400, 401, 403, 404, 409, 422, 500]
PREFIXES = {"cards": "/api/demo", "jobs": "/api/v1/demo", "problem": "/maps/demo"}


def demo_router(prefix: str) -> Router:
    """Handlers that fail in every way a real handler can."""

    @get("/raise/{status:int}")
    async def raise_status(status: FromPath[int]) -> None:
        if status == 500:
            raise RuntimeError("database password is hunter2")  # internals: must not leak
        raise ApiError(
            status, f"demo failure {status}", extra={"hint": "demo"} if status == 409 else None
        )

    @get("/typed")
    async def typed(count: FromQuery[int]) -> dict[str, int]:
        return {"count": count}

    @post("/body")
    async def body(data: JSONBody[dict[str, int]]) -> dict[str, int]:
        return data

    return Router(prefix, route_handlers=[raise_status, typed, body])


@pytest.fixture
async def client(tmp_path):
    settings = Settings(
        database=msgspec.structs.replace(Settings().database, url=""),
        storage=msgspec.structs.replace(Settings().storage, options={"root": str(tmp_path)}),
    )
    app = create_app(settings, route_handlers=[demo_router(p) for p in PREFIXES.values()])
    async with AsyncTestClient(app) as test_client:
        yield test_client


def check_format(surface: str, response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    if surface == "cards":
        assert response.headers["content-type"].startswith("application/json")
        assert set(body) == {"success", "error"}
        assert body["success"] is False
        assert isinstance(body["error"]["code"], str) and body["error"]["code"].isupper()
        assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    elif surface == "jobs":
        assert response.headers["content-type"].startswith("application/json")
        assert body["statusCode"] == status
        assert isinstance(body["message"], str) and body["message"]
        assert "success" not in body
    else:
        assert response.headers["content-type"].startswith("application/problem+json")
        assert body["status"] == status
        assert body["type"] == "about:blank"
        assert isinstance(body["title"], str) and body["title"]
        assert isinstance(body["detail"], str) and body["detail"]
    return body


@pytest.mark.parametrize("surface", PREFIXES)
@pytest.mark.parametrize("status", STATUSES)
async def test_each_status_in_each_surface_format(client, surface, status):
    response = await client.get(f"{PREFIXES[surface]}/raise/{status}")
    body = check_format(surface, response, status)
    text = response.text
    if status == 500:
        assert "hunter2" not in text and "RuntimeError" not in text and "Traceback" not in text
        assert response.headers["x-request-id"] in text  # so a user can quote it to the operator
    else:
        assert f"demo failure {status}" in text
    if status == 409:  # extra fields travel with the error, in each surface's place for them
        extra = body["error"]["hint"] if surface == "cards" else body["hint"]
        assert extra == "demo"


async def test_card_body_is_exactly_the_seed_format(client):
    response = await client.get("/api/demo/raise/422")
    assert response.json() == {
        "success": False,
        "error": {"code": "VALIDATION_ERROR", "message": "demo failure 422"},
    }


async def test_jobs_body_is_exactly_the_seed_format(client):
    response = await client.get("/api/v1/demo/raise/404")
    assert response.json() == {"statusCode": 404, "message": "demo failure 404"}


@pytest.mark.parametrize("surface", PREFIXES)
async def test_unknown_route_is_404_in_the_surface_format(client, surface):
    check_format(surface, await client.get(f"{PREFIXES[surface]}/no/such/thing"), 404)


@pytest.mark.parametrize("surface", PREFIXES)
async def test_wrong_method_is_405_in_the_surface_format(client, surface):
    response = await client.delete(f"{PREFIXES[surface]}/typed")
    check_format(surface, response, 405)
    assert "GET" in response.headers.get("allow", "")


@pytest.mark.parametrize("surface", PREFIXES)
async def test_litestar_validation_names_the_parameter(client, surface):
    response = await client.get(f"{PREFIXES[surface]}/typed", params={"count": "many"})
    body = check_format(surface, response, 400)
    message = {"cards": lambda: body["error"]["message"], "jobs": lambda: body["message"]}.get(
        surface, lambda: body["detail"]
    )()
    assert "count" in message
    if surface == "jobs":
        assert message.startswith("Validation failed: ")
    if surface == "cards":
        assert body["error"]["code"] == "INVALID_PARAMETER"


@pytest.mark.parametrize("surface", PREFIXES)
async def test_malformed_json_body_is_a_400_not_a_500(client, surface):
    response = await client.post(
        f"{PREFIXES[surface]}/body",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    check_format(surface, response, 400)


async def test_a_500_is_logged_with_traceback_and_request_id(client):
    stream = io.StringIO()
    configure_logging(LoggingSettings(format="json"), stream=stream)
    response = await client.get("/maps/demo/raise/500", headers={"X-Request-ID": "req-abc-123"})
    assert response.status_code == 500
    assert response.headers["x-request-id"] == "req-abc-123"
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    [error] = [line for line in lines if line["event"] == "unhandled_exception"]
    assert error["request_id"] == "req-abc-123"
    assert error["level"] == "error"
    assert "Traceback" in error["exception"] and "hunter2" in error["exception"]
    [access] = [line for line in lines if line["event"] == "request"]
    assert (access["status"], access["request_id"]) == (500, "req-abc-123")


@pytest.mark.parametrize(
    ("path", "surface"),
    [
        ("/api/og", Surface.CARDS),
        ("/api/templates", Surface.CARDS),
        ("/api", Surface.CARDS),
        ("/api/v1/projects/p/jobs/maps", Surface.JOBS),
        ("/api/v1", Surface.JOBS),
        ("/api/v10/x", Surface.CARDS),
        ("/maps/abc/og-image/", Surface.PROBLEM),
        ("/admin/plugins", Surface.PROBLEM),
        ("/apix", Surface.PROBLEM),
    ],
)
def test_surface_for_path(path, surface):
    assert surface_for_path(path) is surface
