"""The map jobs API through HTTP with the real app and its in-process runner."""

from __future__ import annotations

import asyncio
import io
import re

import httpx
import pytest
from jobs_support import ADMIN_TOKEN, Tenant, new_tenant, wait_for_job
from PIL import Image

SMALL = {"location_id": "lu", "width": 400, "height": 300}
THEME_MESSAGE = (
    "Validation failed: theme must be one of: modern, vintage, satellite, monochrome, blueprint"
)


async def test_create_poll_and_download(client: httpx.AsyncClient, tenant: Tenant) -> None:
    response = await client.post(tenant.jobs_url, json=SMALL, headers=tenant.auth)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["success"] is True
    job = body["job"]
    assert set(job) == {
        "id", "job_type", "project_id", "location", "theme", "dimensions", "output_format",
        "status", "estimated_token_cost", "created_at",
    }  # fmt: skip
    assert job["job_type"] == "map" and job["project_id"] == tenant.project_id
    assert job["status"] == "pending"
    assert job["location"]["code"] == "lu" and job["location"]["type"] == "country"
    assert set(job["location"]) == {"id", "code", "name", "type"}
    assert job["theme"]["name"] == "modern" and set(job["theme"]) == {
        "name", "version", "display_name"
    }  # fmt: skip
    assert job["dimensions"] == {"width": 400, "height": 300, "dpi": 72}
    assert job["output_format"] == "png" and job["estimated_token_cost"] == 1
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", job["created_at"])

    done = await wait_for_job(client, tenant, job["id"])
    assert done["status"] == "completed", done
    assert done["actual_token_cost"] == 1 and done["map_id"]
    kinds = {asset["kind"]: asset for asset in done["assets"]}
    assert set(kinds) == {"map", "thumbnail", "og_image"}
    assert kinds["map"]["storage_path"] == f"maps/{tenant.project_id}/{job['id']}/map.png"
    assert kinds["og_image"]["storage_path"] == f"maps/og-images/{done['map_id']}.png"
    assert kinds["thumbnail"]["storage_path"] == f"maps/thumbnails/{done['map_id']}.png"
    expected = {"map": (400, 300), "thumbnail": (400, 300), "og_image": (1200, 630)}
    for kind, asset in kinds.items():
        assert set(asset) == {
            "id", "kind", "storage_path", "url", "content_type", "bytes", "width", "height"
        }  # fmt: skip
        download = await client.get(asset["url"])
        assert download.status_code == 200, (kind, download.text)
        assert len(download.content) == asset["bytes"]
        image = Image.open(io.BytesIO(download.content))
        assert image.size == expected[kind] == (asset["width"], asset["height"])


async def test_list_jobs_with_pagination(client: httpx.AsyncClient, tenant: Tenant) -> None:
    ids = []
    for _ in range(3):
        response = await client.post(
            tenant.jobs_url, json={**SMALL, "output_format": "pdf"}, headers=tenant.auth
        )
        ids.append(response.json()["job"]["id"])
    page = (await client.get(f"{tenant.jobs_url}?limit=2", headers=tenant.auth)).json()
    assert page["total"] == 3 and page["limit"] == 2 and len(page["jobs"]) == 2
    rest = (await client.get(f"{tenant.jobs_url}?limit=2&offset=2", headers=tenant.auth)).json()
    assert {j["id"] for j in page["jobs"] + rest["jobs"]} == set(ids)
    bad = await client.get(f"{tenant.jobs_url}?limit=0", headers=tenant.auth)
    assert bad.status_code == 400


def fail_renders(monkeypatch: pytest.MonkeyPatch) -> None:
    """The renderer refuses every map, as it does a place it cannot draw."""

    def refuse(*args: object, **kwargs: object) -> bytes:
        raise ValueError("no shape for 'lu'")

    monkeypatch.setattr("ogplatform.maps.map_jobs.render_map_file", refuse)


async def test_a_render_error_fails_the_job_with_its_reason(
    client: httpx.AsyncClient, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    fail_renders(monkeypatch)
    response = await client.post(tenant.jobs_url, json=SMALL, headers=tenant.auth)
    done = await wait_for_job(client, tenant, response.json()["job"]["id"])
    assert done["status"] == "failed"
    assert done["error"] == "cannot render this map: no shape for 'lu'"
    assert "assets" not in done


WIDTH = "width must be an integer between 400 and 4096"
HEIGHT = "height must be an integer between 300 and 2160"
POSITIONS = "left, right, top, bottom, center"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({**SMALL, "theme": "neon"}, THEME_MESSAGE),
        ({"width": 400}, "Validation failed: location_id is required"),
        ({**SMALL, "width": 399}, f"Validation failed: {WIDTH}"),
        ({**SMALL, "height": 2161}, f"Validation failed: {HEIGHT}"),
        ({**SMALL, "width": "wide"}, f"Validation failed: {WIDTH}"),
        ({**SMALL, "output_format": "gif"},
         "Validation failed: output_format must be one of: png, svg, pdf"),
        ({**SMALL, "dpi": 96}, "Validation failed: dpi must be one of: 72, 150, 300"),
        ({**SMALL, "configuration": []}, "Validation failed: configuration must be an object"),
        ({**SMALL, "configuration": {"show_features": "yes"}},
         "Validation failed: configuration.show_features must be a boolean"),
        ({**SMALL, "configuration": {"river_label_position": "middle"}},
         f"Validation failed: configuration.river_label_position must be one of: {POSITIONS}"),
        ({**SMALL, "configuration": {"highlight_subdivisions": "LU-CA"}},
         "Validation failed: configuration.highlight_subdivisions must be an array of at most"
         " 500 codes or objects"),
        ({**SMALL, "configuration": {"glow": True}},
         "Validation failed: unknown configuration option glow"),
        ({**SMALL, "colour": "red"}, "Validation failed: unknown field colour"),
        ([1, 2], "Validation failed: body must be a JSON object"),
    ],
)  # fmt: skip
async def test_validation_messages(
    client: httpx.AsyncClient, tenant: Tenant, body: object, message: str
) -> None:
    response = await client.post(tenant.jobs_url, json=body, headers=tenant.auth)
    assert response.status_code == 400
    assert response.json() == {"statusCode": 400, "message": message}


async def test_unknown_location_is_404(client: httpx.AsyncClient, tenant: Tenant) -> None:
    body = {"location_id": "00000000-0000-4000-8000-000000000000"}
    response = await client.post(tenant.jobs_url, json=body, headers=tenant.auth)
    assert response.status_code == 404
    assert response.json() == {"statusCode": 404, "message": "Location not found"}


async def test_idempotency_key_returns_the_same_job(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    headers = {**tenant.auth, "Idempotency-Key": "order-42"}
    first, second = await asyncio.gather(
        client.post(tenant.jobs_url, json=SMALL, headers=headers),
        client.post(tenant.jobs_url, json=SMALL, headers=headers),
    )
    assert first.status_code == second.status_code == 201
    assert first.json()["job"]["id"] == second.json()["job"]["id"]
    listing = (await client.get(tenant.jobs_url, headers=tenant.auth)).json()
    assert listing["total"] == 1


async def test_auth_and_other_projects(
    client: httpx.AsyncClient, tenant: Tenant, database_url: str
) -> None:
    assert (await client.post(tenant.jobs_url, json=SMALL)).status_code == 401
    wrong = {"Authorization": "Bearer sma_" + "x" * 32}
    assert (await client.post(tenant.jobs_url, json=SMALL, headers=wrong)).status_code == 401
    other = await new_tenant(database_url, "other")
    created = await client.post(tenant.jobs_url, json=SMALL, headers=tenant.auth)
    job_id = created.json()["job"]["id"]
    for method, url in [
        ("POST", tenant.jobs_url),
        ("GET", tenant.jobs_url),
        ("GET", f"{tenant.jobs_url}/{job_id}"),
    ]:
        response = await client.request(method, url, json=SMALL, headers=other.auth)
        assert response.status_code == 404
        assert response.json() == {"statusCode": 404, "message": "Project not found"}
    # the job of one project is not found under another, even by the operator
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    assert (await client.get(f"{other.jobs_url}/{job_id}", headers=admin)).status_code == 404
    assert (await client.get(f"{tenant.jobs_url}/{job_id}", headers=admin)).status_code == 200


async def test_token_balance_402_and_refund(
    client: httpx.AsyncClient, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    poor = await new_tenant(database_url, "poor", tokens=2)
    big = {**SMALL, "width": 1500, "height": 900, "dpi": 150}  # 2 area units x 2 = 4 tokens
    response = await client.post(poor.jobs_url, json=big, headers=poor.auth)
    assert response.status_code == 402
    assert response.json() == {
        "statusCode": 402,
        "message": "Insufficient tokens",
        "required_tokens": 4,
        "available_tokens": 2,
    }
    # a PDF job (2 tokens) reserves the balance, fails, and gives the tokens back
    fail_renders(monkeypatch)
    pdf = await client.post(
        poor.jobs_url, json={**SMALL, "output_format": "pdf"}, headers=poor.auth
    )
    assert pdf.status_code == 201
    await wait_for_job(client, poor, pdf.json()["job"]["id"])
    refunded = await client.post(poor.jobs_url, json=big, headers=poor.auth)
    assert refunded.status_code == 402 and refunded.json()["available_tokens"] == 2
    monkeypatch.undo()
    again = await client.post(poor.jobs_url, json=SMALL, headers=poor.auth)
    assert again.status_code == 201


async def test_a_city_map_job_completes(client: httpx.AsyncClient, tenant: Tenant) -> None:
    from ogplatform.maps.locations import location_index

    [city], _ = location_index().search(q="Luxembourg", type="city", limit=1)
    body = {"location_id": city.id, "width": 520, "height": 340}
    response = await client.post(tenant.jobs_url, json=body, headers=tenant.auth)
    assert response.status_code == 201, response.text
    assert response.json()["job"]["location"] == {
        "id": city.id, "code": "city-lu-luxembourg", "name": "Luxembourg", "type": "city"
    }  # fmt: skip
    done = await wait_for_job(client, tenant, response.json()["job"]["id"])
    assert done["status"] == "completed", done
    asset = next(a for a in done["assets"] if a["kind"] == "map")
    download = await client.get(asset["url"])
    assert download.status_code == 200
    image = Image.open(io.BytesIO(download.content))
    assert image.format == "PNG" and image.size == (520, 340) == (asset["width"], asset["height"])
