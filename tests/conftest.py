"""Shared fixtures: real PostgreSQL and Redis, each test run isolated on them.

The servers are the machine's own (PostgreSQL 127.0.0.1:5432 database ``test``, Redis
127.0.0.1:6379). Each run gets its own PostgreSQL database and its own Redis key prefix, and
removes only what it made. Outside CI a missing server skips its tests with the reason; in CI
(``CI=true``) a missing server fails them loudly.
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

PG_HOST = os.environ.get("OGP_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("OGP_TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("OGP_TEST_PG_USER", "postgres")
PG_ADMIN_DB = os.environ.get("OGP_TEST_PG_DB", "test")
REDIS_URL = os.environ.get("OGP_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")

RUN_ID = uuid.uuid4().hex[:10]


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_server(name: str, host: str, port: int) -> None:
    """Fail (in CI) or skip (elsewhere, saying why) when nothing listens at host:port."""
    try:
        with socket.create_connection((host, port), timeout=2):
            return
    except OSError as exc:
        reason = f"{name} is not reachable at {host}:{port} ({exc})"
    if in_ci():
        pytest.fail(f"{reason}; CI must provide it", pytrace=False)
    print(f"\nSKIP: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh database on the real PostgreSQL server for this test run; dropped afterwards."""
    require_server("PostgreSQL", PG_HOST, PG_PORT)
    import asyncpg

    name = f"ogp_test_{RUN_ID}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, database=PG_ADMIN_DB)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql+asyncpg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def redis_url() -> str:
    """The real Redis server's URL (use `redis_prefix` for keys, so they are cleaned up)."""
    from urllib.parse import urlsplit

    parts = urlsplit(REDIS_URL)
    require_server("Redis", parts.hostname or "127.0.0.1", parts.port or 6379)
    return REDIS_URL


@pytest.fixture
async def redis_prefix(redis_url: str) -> AsyncIterator[str]:
    """A key prefix owned by this test alone; every key under it is removed afterwards."""
    import redis.asyncio as redis

    prefix = f"ogp-test:{RUN_ID}:{uuid.uuid4().hex[:8]}:"
    yield prefix
    client = redis.from_url(redis_url)
    try:
        async for key in client.scan_iter(match=f"{prefix}*"):
            await client.delete(key)
    finally:
        await client.aclose()


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    """An empty folder to write a litestar.toml into."""
    folder = tmp_path / "conf"
    folder.mkdir()
    return folder
