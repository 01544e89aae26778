"""Saved templates render: saved_query / saved_card_query feed /api/og's own parser."""

from __future__ import annotations

import io
from urllib.parse import urlencode

import pytest
from PIL import Image

from ogplatform.app import create_app
from ogplatform.cards.params import parse_card_query
from ogplatform.errors import ApiError
from ogplatform.userdata import (
    saved_card_query,
    saved_query,
)

ALICE = "alice-0123456789abcdef"
BOB = "bob_fedcba9876543210.x"
PAYLOAD = {
    "template": "minimal", "title": "Quarterly report", "subtitle": "Numbers, explained",
    "text": "ff0000", "accent": "#00aa00", "bgId": "mesh-ocean", "size": "twitter",
}  # fmt: skip


async def _save(client, key=ALICE, payload=PAYLOAD) -> str:
    response = await client.post("/api/my-templates", json={"userKey": key, "payload": payload})
    assert response.status_code == 201, response.text
    template_id: str = response.json()["template"]["id"]
    return template_id


async def test_a_saved_template_round_trips_into_the_same_card_request(app, client):
    template_id = await _save(client)
    async with app.state.runtime.database.session() as session:
        query = await saved_query(session, ALICE, template_id)
    assert parse_card_query(query) == parse_card_query(urlencode(PAYLOAD).encode())
    card = parse_card_query(query)
    assert (card.template, card.background_id, card.size) == ("minimal", "mesh-ocean", "twitter")
    assert card.card.description == "Numbers, explained"


async def test_saved_query_only_finds_the_owners_templates(app, client):
    template_id = await _save(client)
    async with app.state.runtime.database.session() as session:
        for key, saved_id, code in [
            (BOB, template_id, "TEMPLATE_NOT_FOUND"),
            (ALICE, "tpl_" + "x" * 22, "TEMPLATE_NOT_FOUND"),
            (ALICE, "not-an-id", "TEMPLATE_NOT_FOUND"),
            ("short", template_id, "INVALID_USER_KEY"),
        ]:
            with pytest.raises(ApiError) as caught:
                await saved_query(session, key, saved_id)
            assert caught.value.code == code


async def test_saved_card_query_merges_the_request_over_the_saved_payload(app, client):
    template_id = await _save(client)
    runtime = app.state.runtime
    assert await saved_card_query(runtime, b"title=Plain") is None
    assert await saved_card_query(runtime, b"savedId=&title=Plain") is None

    query = urlencode({"savedId": template_id, "userKey": ALICE, "format": "svg",
                       "description": "Override"}).encode()  # fmt: skip
    merged = await saved_card_query(runtime, query)
    assert merged is not None
    assert b"savedId" not in merged and ALICE.encode() not in merged
    card = parse_card_query(merged)
    assert (card.format, card.template, card.card.title) == ("svg", "minimal", "Quarterly report")
    assert card.card.description == "Override"  # "subtitle" saved, "description" asked: folded

    for query, code in [
        (urlencode({"savedId": template_id, "userKey": BOB}), "TEMPLATE_NOT_FOUND"),
        (urlencode({"savedId": template_id}), "INVALID_USER_KEY"),
    ]:
        with pytest.raises(ApiError) as caught:
            await saved_card_query(runtime, query.encode())
        assert caught.value.code == code


async def test_saved_card_query_without_a_database_is_501(tmp_path, plugins, settings_for):
    app = create_app(settings_for("", tmp_path), plugins=plugins)
    query = urlencode({"savedId": "tpl_" + "x" * 22, "userKey": ALICE}).encode()
    with pytest.raises(ApiError) as caught:
        await saved_card_query(app.state.runtime, query)
    assert (caught.value.status, caught.value.code) == (501, "DB_UNAVAILABLE")


async def test_a_saved_template_renders_through_the_card_pipeline(
    tmp_path, database_url, plugins, settings_for, served
):
    app = create_app(settings_for(database_url, tmp_path), plugins=plugins)
    async with served(app) as client:
        template_id = await _save(client)
        response = await client.get(
            "/api/og", params={"savedId": template_id, "userKey": ALICE, "format": "jpeg"}
        )
    assert response.status_code == 200
    assert response.headers["cache-control"] == "private, no-store"
    image = Image.open(io.BytesIO(response.content))
    assert (image.format, image.size) == ("JPEG", (1200, 600))  # the saved size: twitter
