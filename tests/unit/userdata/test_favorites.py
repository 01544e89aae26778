"""/api/favorites on SQLite and PostgreSQL: replace, list, remove, limits, concurrent replaces."""

from __future__ import annotations

import asyncio
import dataclasses

from ogplatform.db import FavoriteSet
from ogplatform.plugins import PluginRecord, PluginRegistry
from ogplatform.userdata.keys import owner_hash

ALICE = "alice-0123456789abcdef"
BOB = "bob_fedcba9876543210.x"
URL = "/api/favorites"


async def replace(client, ids, key=ALICE):
    return await client.post(URL, json={"userKey": key, "ids": ids})


async def favorites(client, key=ALICE):
    response = await client.get(URL, params={"userKey": key})
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "private, no-store"
    return response.json()["ids"]


async def test_replace_list_and_remove(client):
    assert await favorites(client) == []

    replaced = await replace(client, ["mesh-ocean", "grain-dusk", "mesh-ocean", "aurora-polar"])
    assert replaced.status_code == 200
    assert replaced.headers["cache-control"] == "private, no-store"
    # Duplicates folded, first occurrence kept, order kept.
    assert replaced.json() == {"success": True, "ids": ["mesh-ocean", "grain-dusk", "aurora-polar"]}
    assert await favorites(client) == ["mesh-ocean", "grain-dusk", "aurora-polar"]

    assert (await replace(client, ["aurora-polar", "mesh-ocean"])).json()["ids"] == [
        "aurora-polar",
        "mesh-ocean",
    ]
    assert await favorites(client) == ["aurora-polar", "mesh-ocean"]

    removed = await client.delete(URL, params={"userKey": ALICE, "id": "aurora-polar"})
    assert removed.status_code == 200
    assert removed.headers["cache-control"] == "private, no-store"
    assert removed.json() == {"success": True, "ids": ["mesh-ocean"], "removed": True}
    # Removing what is not there succeeds too (DELETE is idempotent), and says so.
    absent = await client.delete(URL, params={"userKey": ALICE, "id": "grain-dusk"})
    assert absent.status_code == 200
    assert absent.json() == {"success": True, "ids": ["mesh-ocean"], "removed": False}
    nobody = await client.delete(URL, params={"userKey": BOB, "id": "grain-dusk"})
    assert nobody.json() == {"success": True, "ids": [], "removed": False}

    assert (await replace(client, [])).json()["ids"] == []
    assert await favorites(client) == []


async def test_unknown_backgrounds_are_refused_naming_the_first(client):
    await replace(client, ["mesh-ocean"])
    refused = await replace(client, ["grain-dusk", "bg_nope", "bg_other"])
    assert refused.status_code == 400
    assert refused.json()["error"] == {
        "code": "UNKNOWN_BACKGROUND",
        "message": "unknown background id 'bg_nope'",
    }
    assert await favorites(client) == ["mesh-ocean"]  # nothing changed


async def test_favorites_belong_to_one_user(client):
    await replace(client, ["mesh-ocean", "grain-dusk"], ALICE)
    await replace(client, ["aurora-polar"], BOB)
    await client.delete(URL, params={"userKey": BOB, "id": "mesh-ocean"})
    assert await favorites(client, ALICE) == ["mesh-ocean", "grain-dusk"]
    assert await favorites(client, BOB) == ["aurora-polar"]


async def test_backgrounds_no_longer_installed_are_hidden_but_removable(app, client):
    async with app.state.runtime.database.session() as session:
        session.add(
            FavoriteSet(owner_hash=owner_hash(ALICE), background_ids=["retired-bg", "mesh-ocean"])
        )
        await session.commit()
    # A client that posts back what it read is never refused for a retired background.
    assert await favorites(client) == ["mesh-ocean"]
    removed = await client.delete(URL, params={"userKey": ALICE, "id": "retired-bg"})
    assert removed.json() == {"success": True, "ids": ["mesh-ocean"], "removed": True}


def _with_backgrounds(registry: PluginRegistry, count: int) -> PluginRegistry:
    template = registry.get("backgrounds", "mesh-ocean")
    extra = [
        dataclasses.replace(template, id=f"test-bg-{i:03d}", entry_point=f"test-bg-{i:03d} = x:y")
        for i in range(count)
    ]
    records: list[PluginRecord] = [*registry, *extra]
    return PluginRegistry(records)


async def test_at_most_500_favorites(make_app, plugins, served):
    app = make_app(registry=_with_backgrounds(plugins, 501))
    ids = [f"test-bg-{i:03d}" for i in range(501)]
    async with served(app) as client:
        assert (await replace(client, ids[:500] + ids[:10])).status_code == 200  # folded: 500
        refused = await replace(client, ids)
        assert refused.status_code == 409
        assert refused.json()["error"]["code"] == "TOO_MANY_FAVORITES"
        assert await favorites(client) == ids[:500]


class _InFlight:
    """ASGI wrapper counting the requests in progress at once, to prove the race is real."""

    def __init__(self, app):
        self.app, self.now, self.peak = app, 0, 0

    async def __call__(self, scope, receive, send):
        self.now += 1
        self.peak = max(self.peak, self.now)
        try:
            await self.app(scope, receive, send)
        finally:
            self.now -= 1


async def test_concurrent_replaces_leave_exactly_one_of_the_sets(app, served):
    backgrounds = [record.id for record in app.state.runtime.plugins.plugins("backgrounds")]
    # Disjoint sets in opposite orders: any interleaving would show.
    first, second = backgrounds[:12], backgrounds[30:18:-1]
    counter = _InFlight(app)
    async with served(app, counter) as client:
        for round_ in range(20):
            one, two = (first, second) if round_ % 2 else (second, first)
            results = await asyncio.gather(replace(client, one), replace(client, two))
            assert [r.status_code for r in results] == [200, 200]
            stored = await favorites(client)
            assert stored in (first, second), f"round {round_}: a mix was stored: {stored}"
    assert counter.peak >= 2
