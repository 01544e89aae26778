"""/api/og and the catalogs over HTTP: images checked by decoding them, SVG by parsing it."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import msgspec
import numpy as np
import pytest
from litestar.testing import AsyncTestClient
from PIL import Image

from ogplatform.app import create_app
from ogplatform.settings import Settings


def settings_for(tmp_path, workers: int = 0) -> Settings:
    return msgspec.convert(
        {
            "database": {"url": ""},
            "storage": {"options": {"root": str(tmp_path)}},
            "render": {"workers": workers},
            "ratelimit": {"enabled": False},
        },
        Settings,
    )


@pytest.fixture
async def client(tmp_path):
    app = create_app(settings_for(tmp_path))
    async with AsyncTestClient(app) as test_client:
        yield test_client


def pixels(response) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(response.content)).convert("RGB")).astype(int)


async def test_png_by_default_with_cache_headers(client):
    response = await client.get("/api/og", params={"title": "Hello", "description": "World"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.headers["cache-control"].startswith("public, max-age=86400")
    assert response.headers["etag"].startswith('"')
    image = Image.open(io.BytesIO(response.content))
    assert (image.format, image.size) == ("PNG", (1200, 630))


@pytest.mark.parametrize(("fmt", "pil"), [("jpeg", "JPEG"), ("webp", "WEBP")])
async def test_other_raster_formats(client, fmt, pil):
    response = await client.get("/api/og", params={"title": "Formats", "format": fmt})
    assert response.headers["content-type"] == f"image/{fmt}"
    assert Image.open(io.BytesIO(response.content)).format == pil


@pytest.mark.parametrize(("size", "dims"), [("twitter", (1200, 600)), ("square", (1080, 1080))])
async def test_size_presets(client, size, dims):
    response = await client.get("/api/og", params={"title": "Sizes", "size": size})
    assert Image.open(io.BytesIO(response.content)).size == dims


async def test_colours_are_honoured_in_the_pixels(client):
    response = await client.get("/api/og", params={
        "template": "minimal", "title": "Colour check", "bg": "ffffff", "text": "ff0000",
        "accent": "00aa00"})  # fmt: skip
    image = pixels(response)
    red = (np.abs(image - [255, 0, 0]).sum(axis=-1) < 60).sum()
    green = (np.abs(image - [0, 170, 0]).sum(axis=-1) < 40).sum()
    assert red > 2000  # the title's ink
    assert green > 1000  # the accent rule and footer
    assert (image[5, 5] == [255, 255, 255]).all()


async def test_the_title_region_is_not_empty(client):
    plain = pixels(await client.get("/api/og", params={"template": "minimal"}))
    titled = pixels(await client.get("/api/og", params={"template": "minimal", "title": "Ink"}))
    assert (np.abs(plain - titled).sum(axis=-1) > 100).sum() > 1000


@pytest.mark.parametrize("hostile", ["<script>alert(1)</script>", '"/><image href="http://x"/>',
                                     "&amp;&lt;&#0;", "\u202e!dlrow"])  # fmt: skip
async def test_svg_output_is_safe(client, hostile):
    response = await client.get("/api/og", params={"title": hostile, "format": "svg"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    assert response.headers["x-content-type-options"] == "nosniff"
    root = ET.fromstring(response.content)
    assert not [e for e in root.iter() if e.tag.endswith(("script", "foreignObject"))]
    for element in root.iter():
        for name, value in element.attrib.items():
            assert not name.startswith("on")
            if name.endswith("href"):
                assert value.startswith(("#", "data:image/"))
    title = root.find("{http://www.w3.org/2000/svg}title")
    assert title is not None
    assert title.text == hostile


@pytest.mark.parametrize(("query", "status", "code"), [
    ("title=" + "x" * 81, 400, "TITLE_TOO_LONG"),
    ("description=" + "x" * 201, 400, "DESCRIPTION_TOO_LONG"),
    ("icon=" + "x" * 13, 400, "ICON_TOO_LONG"),
    ("template=nope", 404, "TEMPLATE_NOT_FOUND"),
    ("bgId=nope", 404, "BACKGROUND_NOT_FOUND"),
    ("text=red", 400, "INVALID_COLOR"),
    ("bg=rgb(1,2,3)", 400, "INVALID_BACKGROUND"),
    ("overlay=lots", 400, "INVALID_OVERLAY"),
    ("format=gif", 400, "INVALID_FORMAT"),
    ("size=poster", 400, "INVALID_SIZE"),
    ("title=%C3%28", 400, "INVALID_ENCODING"),
])  # fmt: skip
async def test_every_error_in_the_card_format(client, query, status, code):
    response = await client.get(f"/api/og?{query}")
    assert response.status_code == status
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == code
    assert response.headers["cache-control"] == "no-store"


async def test_template_catalog(client):
    everything = (await client.get("/api/templates")).json()
    ids = {t["id"] for t in everything["templates"]}
    assert {"gradient", "minimal", "photo-hero", "photo-glass"} <= ids
    assert everything["total"] == len(everything["templates"])
    social = (await client.get("/api/templates", params={"category": "social"})).json()
    assert social["templates"]
    assert all(t["category"] == "social" for t in social["templates"])
    found = (await client.get("/api/templates", params={"search": "PHOTO"})).json()
    assert {t["id"] for t in found["templates"]} >= {"photo-hero", "photo-glass"}
    one = (await client.get("/api/templates", params={"id": "minimal"})).json()
    assert one["template"]["defaults"]["bg"] == "#ffffff"
    missing = await client.get("/api/templates", params={"id": "nope"})
    assert missing.json()["error"]["code"] == "TEMPLATE_NOT_FOUND"


PAGING = [("limit=0", "INVALID_LIMIT"), ("limit=201", "INVALID_LIMIT"),
          ("limit=x", "INVALID_LIMIT"), ("offset=-1", "INVALID_OFFSET")]  # fmt: skip


@pytest.mark.parametrize(("query", "code"), PAGING)
async def test_background_paging_bounds(client, query, code):
    response = await client.get(f"/api/backgrounds?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code


async def test_render_pool_in_worker_processes(tmp_path):
    """The default path: a spawned worker process does the drawing."""
    app = create_app(settings_for(tmp_path, workers=1))
    async with AsyncTestClient(app) as client:
        response = await client.get("/api/og", params={"title": "From a worker"})
    assert response.status_code == 200
    assert Image.open(io.BytesIO(response.content)).size == (1200, 630)


async def test_background_catalog_pages_and_totals(client):
    first = (await client.get("/api/backgrounds", params={"limit": 10})).json()
    assert first["total"] >= 40
    assert (first["limit"], first["offset"], len(first["backgrounds"])) == (10, 0, 10)
    second = (await client.get("/api/backgrounds", params={"limit": 10, "offset": 10})).json()
    ids_1 = {b["id"] for b in first["backgrounds"]}
    ids_2 = {b["id"] for b in second["backgrounds"]}
    assert not ids_1 & ids_2
    everything = (await client.get("/api/backgrounds", params={"limit": 200})).json()
    assert len(everything["backgrounds"]) == everything["total"]
    past_the_end = (await client.get("/api/backgrounds", params={"offset": 1000})).json()
    assert past_the_end["backgrounds"] == []
    assert past_the_end["total"] == everything["total"]


async def test_background_search_is_fuzzy_and_filters_by_category(client):
    exact = (await client.get("/api/backgrounds", params={"search": "aurora"})).json()
    assert exact["backgrounds"]
    for background in exact["backgrounds"]:
        assert "aurora" in background["id"] + background["title"].lower()
    typo = (await client.get("/api/backgrounds", params={"search": "aurorra"})).json()
    assert {b["id"] for b in typo["backgrounds"]} >= {b["id"] for b in exact["backgrounds"]}
    nothing = (await client.get("/api/backgrounds", params={"search": "zzqqxx"})).json()
    assert nothing["total"] == 0
    category = (await client.get("/api/backgrounds", params={"category": "nature"})).json()
    assert category["total"] > 0
    assert all(b["category"] == "nature" for b in category["backgrounds"])


async def test_background_by_id_and_its_thumbnail(client):
    one = (await client.get("/api/backgrounds", params={"id": "mesh-ocean"})).json()
    background = one["background"]
    assert background["dominantColor"].startswith("#")
    thumbnail = await client.get(background["thumbnail"])
    assert thumbnail.headers["content-type"] == "image/jpeg"
    image = Image.open(io.BytesIO(thumbnail.content))
    assert (image.format, image.size) == ("JPEG", (400, 210))
    missing = await client.get("/api/backgrounds/nope/thumbnail")
    assert missing.json()["error"]["code"] == "BACKGROUND_NOT_FOUND"


async def test_photo_template_with_a_catalog_background(client):
    plain = pixels(await client.get("/api/og", params={"template": "photo-hero", "title": "x"}))
    query = {"template": "photo-hero", "title": "x", "bgId": "aurora-borealis", "overlay": "0"}
    photo = pixels(await client.get("/api/og", params=query))
    assert np.abs(plain - photo).mean() > 10  # the photo is really there
    svg = await client.get("/api/og", params={"template": "photo-hero", "bgId": "mesh-ocean",
                                              "format": "svg"})  # fmt: skip
    assert b'href="data:image/jpeg;base64,' in svg.content
