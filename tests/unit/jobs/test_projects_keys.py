"""Projects and API keys: the CLI, hashing, revocation and last use."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from jobs_support import Tenant, new_tenant

from ogplatform.cli import main
from ogplatform.db import ApiKey, Database
from ogplatform.maps.projects import hash_key


def test_cli_projects_and_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OGP_DATABASE__URL", f"sqlite+aiosqlite:///{tmp_path}/cli.db")
    runner = CliRunner()
    created = runner.invoke(main, ["projects", "create", "Demo"])
    assert created.exit_code == 0, created.output
    project_id = re.search(r"project: (\S+)", created.output).group(1)  # type: ignore[union-attr]
    secret = re.search(r"api key: (\S+)", created.output).group(1)  # type: ignore[union-attr]
    assert re.fullmatch(r"sma_[A-Za-z0-9_-]{32}", secret)
    second = runner.invoke(main, ["keys", "create", "--project", project_id])
    assert second.exit_code == 0 and "sma_" in second.output
    key_id = re.search(r"key id:\s+(\S+)", second.output).group(1)  # type: ignore[union-attr]
    listing = runner.invoke(main, ["keys", "list", "--project", project_id])
    assert listing.output.count("active") == 2 and secret not in listing.output
    assert secret[:12] in listing.output
    assert runner.invoke(main, ["keys", "revoke", key_id]).exit_code == 0
    assert "revoked" in runner.invoke(main, ["keys", "list", "--project", project_id]).output
    assert runner.invoke(main, ["keys", "revoke", key_id]).exit_code == 1
    assert runner.invoke(main, ["keys", "create", "--project", "nope"]).exit_code == 1


async def test_keys_are_stored_hashed_and_revocable(
    client: httpx.AsyncClient, tenant: Tenant, database_url: str
) -> None:
    db = Database.from_url(database_url)
    try:
        async with db.session() as session:
            key = await session.get(ApiKey, tenant.key_id)
            assert key is not None and key.key_hash == hash_key(tenant.key)
            assert tenant.key not in (key.prefix, key.key_hash) and key.last_used_at is None
        listed = await client.get(tenant.jobs_url, headers=tenant.auth)
        assert listed.status_code == 200
        async with db.session() as session:
            used = await session.get(ApiKey, tenant.key_id)
            assert used is not None and used.last_used_at is not None
        from ogplatform.maps.projects import revoke_key

        async with db.session() as session:
            assert await revoke_key(session, tenant.key_id)
    finally:
        await db.dispose()
    refused = await client.get(tenant.jobs_url, headers=tenant.auth)
    assert refused.status_code == 401
    assert refused.json() == {"statusCode": 401, "message": "Invalid API key"}


async def test_locations_accept_project_keys(client: httpx.AsyncClient, database_url: str) -> None:
    tenant = await new_tenant(database_url, "maps")
    response = await client.get("/api/v1/locations/lu", headers=tenant.auth)
    assert response.status_code == 200
