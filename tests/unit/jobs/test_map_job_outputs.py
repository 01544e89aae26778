"""What a map job makes: the PDF, every configuration option in the drawing, the titled OG
card; and highlights checked when the job is created."""

from __future__ import annotations

import io
import re
import uuid
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pypdf
import pytest
from jobs_support import Tenant, wait_for_job
from PIL import Image

from ogplatform.maps import map_jobs
from ogplatform.maps.locations import location_index
from ogplatform.maps.map_jobs import BOOL_OPTIONS, POSITION_OPTIONS, render_options
from ogplatform.maps.og_card import BAND, OG_SIZE
from ogplatform.maps.render import render_png, render_svg


async def run_job(
    client: httpx.AsyncClient, tenant: Tenant, body: dict[str, Any]
) -> dict[str, Any]:
    response = await client.post(tenant.jobs_url, json=body, headers=tenant.auth)
    assert response.status_code == 201, response.text
    done = await wait_for_job(client, tenant, response.json()["job"]["id"])
    assert done["status"] == "completed", done
    return done


async def download(client: httpx.AsyncClient, job: dict[str, Any], kind: str) -> bytes:
    asset = next(a for a in job["assets"] if a["kind"] == kind)
    response = await client.get(asset["url"])
    assert response.status_code == 200, response.text
    assert len(response.content) == asset["bytes"]
    return response.content


def texts(svg: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", t) for t in re.findall(r"<text\b[^>]*>(.*?)</text>", svg)]


async def test_a_pdf_job_completes_with_a_vector_pdf(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    body = {"location_id": "lu", "width": 600, "height": 450, "dpi": 150, "output_format": "pdf"}
    done = await run_job(client, tenant, body)
    assert done["actual_token_cost"] == 4  # 1 area unit x 2 (150 dpi) x 2 (pdf)
    asset = next(a for a in done["assets"] if a["kind"] == "map")
    assert asset["storage_path"].endswith("/map.pdf")
    assert asset["content_type"] == "application/pdf"
    assert (asset["width"], asset["height"]) == (600, 450)
    pdf = await download(client, done, "map")
    assert pdf.startswith(b"%PDF-")
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    # 600 x 450 px at 150 dpi: 4 x 3 inches = 288 x 216 points
    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx((288, 216))
    text = re.sub(r"\s+", "", page.extract_text())
    assert "GERMANY" in text and "Luxembourg" in text
    thumbnail = Image.open(io.BytesIO(await download(client, done, "thumbnail")))
    assert thumbnail.format == "PNG" and thumbnail.size == (400, 300)


def test_every_configuration_option_becomes_a_renderer_option() -> None:
    configuration = {
        **{name: not default for name, default in BOOL_OPTIONS.items()},
        **{name: "left" for name in POSITION_OPTIONS},
        "highlight_subdivisions": ["ch-be", {"code": "ch-zh", "color": "#123456"}],
        "selected_features": ["river-aare", "lake-geneva"],
    }
    options = render_options("vintage", configuration)
    assert options == {
        "theme": "vintage",
        **{name: not default for name, default in BOOL_OPTIONS.items()},
        **{name: "left" for name in POSITION_OPTIONS},
        "highlight": ("ch-be", {"code": "ch-zh", "color": "#123456"}),
        "selected_features": ("river-aare", "lake-geneva"),
    }
    assert render_options("vintage", {})["selected_features"] == ()
    assert set(options) - {"theme", "highlight"} <= set(render_svg.__kwdefaults__ or {})


async def test_label_switches_reach_the_drawing(client: httpx.AsyncClient, tenant: Tenant) -> None:
    off = {"show_subdivision_labels": False, "show_country_labels": False}
    body = {"location_id": "be", "width": 400, "height": 300, "output_format": "svg"}
    done = await run_job(
        client, tenant, {**body, "configuration": {**off, "show_city_labels": False}}
    )
    assert texts((await download(client, done, "map")).decode()) == []


async def test_water_labels_and_positions_reach_the_drawing(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    configuration = {
        "show_features": True,
        "show_river_labels": True,
        "show_lake_labels": True,
        "show_subdivision_labels": False,
        "lake_label_position": "left",
        "river_label_position": "right",
    }
    body = {"location_id": "ch", "width": 600, "height": 400, "output_format": "svg"}
    done = await run_job(client, tenant, {**body, "configuration": configuration})
    svg = (await download(client, done, "map")).decode()
    names = texts(svg)
    assert "Lake Geneva" in names and "Aare" in names  # lake and river labels
    assert "SWITZERLAND" in names and "AARGAU" not in names  # no canton names
    # exactly the renderer's drawing with these options; the positions make a difference
    index = location_index()
    switzerland = index.get("ch")
    assert switzerland is not None
    options = render_options("modern", configuration)
    assert svg == render_svg(index, switzerland, width=600, height=400, **options).svg
    centred = {**options, "lake_label_position": "center", "river_label_position": "center"}
    assert svg != render_svg(index, switzerland, width=600, height=400, **centred).svg


async def test_selected_features_reach_the_drawing(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    configuration = {"show_features": False, "selected_features": ["river-aare"]}
    body = {"location_id": "ch", "width": 600, "height": 400, "output_format": "svg"}
    done = await run_job(client, tenant, {**body, "configuration": configuration})
    svg = (await download(client, done, "map")).decode()
    assert re.findall(r'<path class="river[^"]*"(?: data-code="([^"]*)")?', svg) == ["river-aare"]


async def test_the_og_image_is_the_map_with_a_title_band(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    done = await run_job(
        client, tenant, {"location_id": "lu", "width": 400, "height": 300, "theme": "satellite"}
    )
    asset = next(a for a in done["assets"] if a["kind"] == "og_image")
    assert (asset["width"], asset["height"], asset["content_type"]) == (1200, 630, "image/png")
    og = Image.open(io.BytesIO(await download(client, done, "og_image")))
    assert og.format == "PNG" and og.size == OG_SIZE
    card = np.asarray(og.convert("RGB")).astype(int)
    width, height = OG_SIZE
    map_h = height - BAND
    index = location_index()
    luxembourg = index.get("lu")
    assert luxembourg is not None
    plain, _ = render_png(
        index, luxembourg, width=width, height=map_h, theme="satellite", show_features=False
    )
    # the map above the band is the plain map, pixel for pixel
    assert np.array_equal(card[:map_h], np.asarray(Image.open(io.BytesIO(plain)).convert("RGB")))
    # the band: the theme's halo colour, with the title in its white label ink
    band = card[map_h + 2 :]
    halo = np.array([0x1B, 0x1B, 0x1B])
    assert (np.abs(band - halo).sum(axis=2) < 6).mean() > 0.8
    title = card[map_h + 20 : map_h + 75, 80:500]
    assert (title.min(axis=2) > 230).sum() > 1500  # white letters of "Luxembourg"
    plain_full, _ = render_png(
        index, luxembourg, width=width, height=height, theme="satellite", show_features=False
    )
    full = np.asarray(Image.open(io.BytesIO(plain_full)).convert("RGB")).astype(int)
    assert np.abs(full[map_h:] - card[map_h:]).mean() > 10  # not the plain map at 1200x630


async def test_unknown_highlight_codes_are_named_at_creation(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    highlights = ["LU-DI", "XX-YY", {"code": "US-CA", "color": "#ff0000"}, "xx-yy"]
    body = {"location_id": "lu", "configuration": {"highlight_subdivisions": highlights}}
    response = await client.post(tenant.jobs_url, json=body, headers=tenant.auth)
    assert response.status_code == 400
    assert response.json() == {
        "statusCode": 400,
        "message": "Validation failed: unknown subdivision code(s): XX-YY, US-CA, xx-yy",
    }


async def test_unknown_feature_codes_are_named_at_creation(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    # river-mississippi exists, but does not meet Germany
    codes = ["river-rhine", "river-xyz", "river-mississippi"]
    body = {"location_id": "de", "configuration": {"selected_features": codes}}
    response = await client.post(tenant.jobs_url, json=body, headers=tenant.auth)
    assert response.status_code == 400
    assert response.json() == {
        "statusCode": 400,
        "message": "Validation failed: unknown feature code(s): river-xyz, river-mississippi",
    }
    body["configuration"] = {"selected_features": ["river-rhine"]}
    response = await client.post(tenant.jobs_url, json=body, headers=tenant.auth)
    assert response.status_code == 201, response.text


async def test_highlight_objects_are_checked_and_kept(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    name = "configuration.highlight_subdivisions"
    bad = [
        {"color": "#ff0000"},
        {"code": "lu-di", "color": "red"},
        {"id": "lu-gr", "label": "x" * 61},
        {"code": "lu-lu", "size": 3},
        7,
    ]
    body: dict[str, Any] = {
        "location_id": "lu",
        "configuration": {"highlight_subdivisions": bad},
    }
    response = await client.post(tenant.jobs_url, json=body, headers=tenant.auth)
    assert response.status_code == 400
    assert response.json()["message"] == "Validation failed: " + "; ".join(
        [
            f"{name}[0] needs a code or id (a string of 1 to 100 characters)",
            f"{name}[1].color must be a hex colour (#rgb or #rrggbb)",
            f"{name}[2].label must be a string of at most 60 characters",
            f"{name}[3] has unknown key size",
            f"{name}[4] must be a code or an object with code or id",
        ]
    )
    good = ["lu-di", {"code": "LU-GR", "color": "#2a9d8f", "label": "Moselle"}, {"id": "lu-lu"}]
    body = {
        "location_id": "lu",
        "width": 400,
        "height": 300,
        "configuration": {"highlight_subdivisions": good},
    }
    done = await run_job(client, tenant, body)
    assert done["configuration"]["highlight_subdivisions"] == good


# -- the world ----------------------------------------------------------------------------------


def test_the_world_is_a_pseudo_location_with_a_derived_id() -> None:
    from ogplatform.maps.geodata import NAMESPACE
    from ogplatform.maps.render import WORLD_CODE

    assert WORLD_CODE == map_jobs.WORLD_CODE == "world"
    assert str(uuid.uuid5(NAMESPACE, "world")) == map_jobs.WORLD_ID
    index = location_index()
    assert index.get("world") is None and index.get(map_jobs.WORLD_ID) is None  # no clash
    for key in ("world", " World ", map_jobs.WORLD_ID, map_jobs.WORLD_ID.upper()):
        assert map_jobs.find_place(index, key) is map_jobs.WORLD


async def test_a_world_map_job_completes(client: httpx.AsyncClient, tenant: Tenant) -> None:
    highlights = ["BR", {"code": "fr", "color": "#2a9d8f", "label": "France"}]
    body = {
        "location_id": "World",
        "width": 640,
        "height": 340,
        "configuration": {"highlight_subdivisions": highlights},
    }
    done = await run_job(client, tenant, body)
    world = {"id": map_jobs.WORLD_ID, "code": "world", "name": "World", "type": "world"}
    assert done["location"] == world
    assert done["configuration"]["highlight_subdivisions"] == highlights
    sizes = {"map": (640, 340), "thumbnail": (400, 212), "og_image": OG_SIZE}
    for kind, size in sizes.items():
        image = Image.open(io.BytesIO(await download(client, done, kind)))
        assert image.format == "PNG" and image.size == size, kind
    plain = np.asarray(Image.open(io.BytesIO(await download(client, done, "map"))).convert("RGB"))
    assert (np.abs(plain.astype(int) - [0x2A, 0x9D, 0x8F]).sum(axis=2) < 6).sum() > 100  # France
    metadata = await client.get(f"/maps/{done['map_id']}/")
    assert metadata.status_code == 200, metadata.text
    assert metadata.json()["location"] == world and metadata.json()["title"] == "World"
    # by its id too
    again = await client.post(
        tenant.jobs_url, json={"location_id": map_jobs.WORLD_ID}, headers=tenant.auth
    )
    assert again.status_code == 201 and again.json()["job"]["location"] == world


async def test_world_highlights_must_be_countries(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    highlights = ["br", "US-CA", {"code": "XX"}, "atlantis", "Br"]
    body = {"location_id": "world", "configuration": {"highlight_subdivisions": highlights}}
    response = await client.post(tenant.jobs_url, json=body, headers=tenant.auth)
    assert response.status_code == 400
    assert response.json() == {
        "statusCode": 400,
        "message": "Validation failed: unknown country code(s): US-CA, XX, atlantis",
    }


def test_a_world_pdf_from_the_cli(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from ogplatform.cli import main

    config = tmp_path / "litestar.toml"
    config.write_text(f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path}/app.db"\n')
    out = tmp_path / "world.pdf"
    args = ["--config", str(config), "render", "map", "--location", "world", "--width", "720",
            "--height", "380", "--dpi", "150", "--highlight", "jp", "-o", str(out)]  # fmt: skip
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "(pdf, World, 720x380 px at 150 dpi = 4.80 x 2.53 in)" in result.output
    reader = pypdf.PdfReader(io.BytesIO(out.read_bytes()))
    page = reader.pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(
        (345.6, 182.4)
    )
    assert "RUSSIA" in page.extract_text()  # labels stay text
    assert reader.metadata is not None and reader.metadata.title == "World"
    bad = CliRunner().invoke(main, [*args[:-4], "--highlight", "us-ca", "-o", str(out)])
    assert bad.exit_code != 0 and "unknown country code(s): us-ca" in bad.output


async def test_world_selected_features_come_from_its_features_list(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    # the world's list is the great rivers and lakes: a small river of the bundle is refused
    body = {
        "location_id": "world",
        "configuration": {"selected_features": ["river-nile", "river-aare", "lake-nowhere"]},
    }
    response = await client.post(tenant.jobs_url, json=body, headers=tenant.auth)
    assert response.status_code == 400
    assert response.json() == {
        "statusCode": 400,
        "message": "Validation failed: unknown feature code(s): river-aare, lake-nowhere",
    }
    ok = {"location_id": "world", "width": 800, "height": 420,
          "configuration": {"selected_features": ["river-nile", "lake-victoria"]}}  # fmt: skip
    done = await run_job(client, tenant, ok)
    assert done["configuration"]["selected_features"] == ["river-nile", "lake-victoria"]
    image = Image.open(io.BytesIO(await download(client, done, "map")))
    assert image.format == "PNG" and image.size == (800, 420)
