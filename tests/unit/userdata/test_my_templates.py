"""/api/my-templates on SQLite and PostgreSQL: save, list, rename, delete, limits, isolation."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime

import sqlalchemy as sa

from ogplatform.db import UserTemplate
from ogplatform.db.models import utcnow
from ogplatform.userdata.keys import new_template_id, owner_hash

ALICE = "alice-0123456789abcdef"
BOB = "bob_fedcba9876543210.x"
URL = "/api/my-templates"
PAYLOAD = {"template": "gradient", "title": "Hello", "bg": "0f172a"}


async def save(client, key=ALICE, **body):
    body.setdefault("payload", PAYLOAD)
    return await client.post(URL, json={"userKey": key, **body})


async def listing(client, key=ALICE, **params):
    response = await client.get(URL, params={"userKey": key, **params})
    assert response.status_code == 200, response.text
    return response.json()


async def test_save_list_rename_delete(client):
    saved = await save(client, name="Launch card")
    assert saved.status_code == 201
    assert saved.headers["cache-control"] == "private, no-store"
    template = saved.json()["template"]
    assert saved.json()["success"] is True
    assert re.fullmatch(r"tpl_[A-Za-z0-9_-]{22}", template["id"])
    assert template["name"] == "Launch card"
    assert template["templateId"] == "gradient"
    assert template["payload"] == PAYLOAD
    assert template["createdAt"] == template["updatedAt"]
    assert "userKey" not in saved.text and ALICE not in saved.text

    assert await listing(client) == {
        "success": True, "templates": [template], "total": 1, "limit": 50, "offset": 0,
    }  # fmt: skip

    renamed = await client.patch(URL, json={"userKey": ALICE, "id": template["id"],
                                            "name": "  Launch v2  "})  # fmt: skip
    assert renamed.status_code == 200
    assert renamed.headers["cache-control"] == "private, no-store"
    after = renamed.json()["template"]
    assert after["name"] == "Launch v2"
    assert after["payload"] == PAYLOAD
    assert datetime.fromisoformat(after["updatedAt"]) > datetime.fromisoformat(after["createdAt"])
    assert (await listing(client))["templates"] == [after]

    deleted = await client.delete(URL, params={"userKey": ALICE, "id": template["id"]})
    assert deleted.status_code == 200
    assert deleted.json() == {"success": True}
    assert deleted.headers["cache-control"] == "private, no-store"
    assert (await listing(client))["total"] == 0

    again = await client.delete(URL, params={"userKey": ALICE, "id": template["id"]})
    assert again.status_code == 404
    assert again.json()["error"]["code"] == "TEMPLATE_NOT_FOUND"


async def test_listing_is_newest_first_and_paginated(client):
    ids = [(await save(client, name=f"t{i}")).json()["template"]["id"] for i in range(5)]
    newest_first = ids[::-1]

    assert [t["id"] for t in (await listing(client))["templates"]] == newest_first
    page = await listing(client, limit=2, offset=1)
    assert [t["id"] for t in page["templates"]] == newest_first[1:3]
    assert (page["total"], page["limit"], page["offset"]) == (5, 2, 1)
    assert (await listing(client, offset=5))["templates"] == []
    assert len((await listing(client, limit=100))["templates"]) == 5


async def test_names_default_to_the_title_and_template_id_fills_the_payload(client):
    titled = (await save(client, payload={"title": "Line one\nline two"})).json()["template"]
    assert titled["name"] == "Line one line two"
    assert titled["templateId"] == "gradient"  # /api/og's default template

    bare = (await save(client, payload={}, templateId="minimal", name="   ")).json()["template"]
    assert bare["name"] == "Untitled"
    assert bare["templateId"] == "minimal"
    assert bare["payload"] == {"template": "minimal"}

    agreeing = await save(client, payload={"template": "stats"}, templateId="stats")
    assert agreeing.json()["template"]["templateId"] == "stats"


async def test_names_count_user_perceived_characters(client):
    thumbs = "\N{THUMBS UP SIGN}\N{EMOJI MODIFIER FITZPATRICK TYPE-4}" * 80  # 160 code points
    assert (await save(client, name=thumbs)).status_code == 201
    assert (await save(client, name="n" * 80)).status_code == 201
    too_long = await save(client, name="n" * 81)
    assert too_long.status_code == 400
    assert too_long.json()["error"] == {
        "code": "NAME_TOO_LONG", "message": "name must be <= 80 characters",
    }  # fmt: skip


async def test_one_user_never_sees_or_touches_anothers_templates(client):
    mine = (await save(client, ALICE, name="Alice's")).json()["template"]

    assert (await listing(client, BOB))["total"] == 0
    renamed = await client.patch(URL, json={"userKey": BOB, "id": mine["id"], "name": "Bob's"})
    deleted = await client.delete(URL, params={"userKey": BOB, "id": mine["id"]})
    for response in (renamed, deleted):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "TEMPLATE_NOT_FOUND"

    assert (await listing(client, ALICE))["templates"] == [mine]
    theirs = (await save(client, BOB, name="Bob's own")).json()["template"]
    assert [t["id"] for t in (await listing(client, BOB))["templates"]] == [theirs["id"]]
    assert (await listing(client, ALICE))["templates"] == [mine]


async def _insert_templates(app, key: str, count: int) -> None:
    async with app.state.runtime.database.session() as session:
        for _ in range(count):
            session.add(UserTemplate(
                id=new_template_id(), owner_hash=owner_hash(key), name="bulk",
                template_id="gradient", payload={"title": "bulk"},
            ))  # fmt: skip
        await session.commit()


async def test_at_most_200_templates_per_user_even_when_saved_at_once(app, client):
    await _insert_templates(app, ALICE, 197)

    # Six saves at the same time for three free places: exactly three win.
    results = await asyncio.gather(*(save(client, name=f"race {i}") for i in range(6)))
    assert sorted(r.status_code for r in results) == [201] * 3 + [409] * 3
    refused = next(r for r in results if r.status_code == 409)
    assert refused.json()["error"]["code"] == "TOO_MANY_TEMPLATES"
    assert (await listing(client))["total"] == 200

    assert (await save(client)).status_code == 409
    assert (await save(client, BOB)).status_code == 201  # the limit is per user
    winner = next(r for r in results if r.status_code == 201).json()["template"]["id"]
    deleted = await client.delete(URL, params={"userKey": ALICE, "id": winner})
    assert deleted.status_code == 200
    assert (await save(client)).status_code == 201


async def test_the_database_holds_a_hash_of_the_key_never_the_key(app, client):
    await save(client)
    await client.post("/api/favorites", json={"userKey": ALICE, "ids": ["mesh-ocean"]})
    async with app.state.runtime.database.engine.connect() as conn:
        rows = [
            tuple(row)
            for table in ("user_templates", "favorite_sets")
            for row in await conn.execute(sa.text(f"SELECT * FROM {table}"))
        ]
    assert len(rows) == 2
    assert ALICE not in repr(rows)
    assert owner_hash(ALICE) in repr(rows)


async def test_timestamps_are_utc(client):
    template = (await save(client)).json()["template"]
    created = datetime.fromisoformat(template["createdAt"])
    assert created.utcoffset() is not None and created.utcoffset().total_seconds() == 0
    assert abs((utcnow() - created).total_seconds()) < 60
