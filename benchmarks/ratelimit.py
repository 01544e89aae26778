"""The rate limiter's cost per request: the same endpoint with and without a policy, in memory
and on Redis (127.0.0.1:6379 when it answers); in-process over ASGI, and through uvicorn + wrk.

In-process, every request comes from a different client address (the seed's 2/10s never
refuses); over HTTP one wrk client hits a policy with three windows too wide to refuse.
"""

from __future__ import annotations

import asyncio
import ipaddress
import itertools
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
from litestar import Router, get

from benchmarks._harness import Comparison, asgi_get, compare
from ogplatform.app import create_app
from ogplatform.settings import Settings

REDIS_URL = "redis://127.0.0.1:6379/0"


@get("/limited", opt={"ratelimit": "cards"})
async def limited() -> dict[str, str]:
    return {"ok": "yes"}


@get("/plain")
async def plain() -> dict[str, str]:
    return {"ok": "yes"}


def clients() -> Iterator[str]:
    # Distinct addresses, so the seed's 2/10s never refuses: we time the allowed path.
    base = int(ipaddress.ip_address("10.0.0.0"))
    return (str(ipaddress.ip_address(base + i)) for i in itertools.count())


async def measure(redis_url: str, tmp: str, ops: int, rounds: int) -> Comparison:
    settings: dict[str, Any] = {
        "database": {"url": ""},
        "storage": {"options": {"root": tmp}},
        "logging": {"level": "WARNING"},  # time the limiter, not the access log
        "redis": {"url": redis_url, "key_prefix": "ogp-bench:"},
    }
    app = create_app(
        msgspec.convert(settings, Settings),
        route_handlers=[Router("/api/bench", route_handlers=[limited, plain])],
    )
    store = "Redis" if redis_url else "memory"
    async with app.lifespan():  # builds the limiter (and the Redis client)
        addresses = clients()
        return await compare(
            (f"GET with limiter ({store})", asgi_get(app, "/api/bench/limited", addresses)),
            ("same GET without limiter", asgi_get(app, "/api/bench/plain", addresses)),
            ops=ops,
            rounds=rounds,
        )


async def run(ops: int = 2000, rounds: int = 7, http: bool = True) -> list[Comparison]:
    redis_up = await _redis_answers()
    if not redis_up:
        print(f"(Redis at {REDIS_URL} does not answer: Redis path not measured)")
    stores = ["", REDIS_URL] if redis_up else [""]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for url in stores:
            results.append(await measure(url, tmp, ops, rounds))
    if http and shutil.which("wrk"):
        for url in stores:
            results.append(await asyncio.to_thread(measure_http, url))
    elif http:
        print("(wrk not installed - apt-get install wrk - so the HTTP figures are not measured)")
    await _forget_bench_keys(redis_up)
    return results


def measure_http(redis_url: str, rounds: int = 3, seconds: int = 3) -> Comparison:
    """Requests/s through a real uvicorn worker, alternating endpoints; us/request = 1e6/rps."""
    port = _free_port()
    env = {**os.environ, "BENCH_REDIS_URL": redis_url}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "benchmarks._apps:ratelimit_app", "--factory",
         "--port", str(port), "--no-access-log", "--log-level", "warning"],
        env=env, cwd=Path(__file__).resolve().parents[1],
    )  # fmt: skip
    try:
        _wait_for(port)
        rps: dict[str, list[float]] = {"limited": [], "plain": []}
        for round_no in range(rounds):
            order = ("limited", "plain") if round_no % 2 == 0 else ("plain", "limited")
            for path in order:
                rps[path].append(_wrk(f"http://127.0.0.1:{port}/api/bench/{path}", seconds))
    finally:
        server.terminate()
        server.wait(timeout=20)
    store = "Redis" if redis_url else "memory"
    return Comparison(
        f"HTTP GET with limiter ({store}, uvicorn+wrk)",
        "same GET without limiter",
        1e6 / statistics.median(rps["limited"]),
        1e6 / statistics.median(rps["plain"]),
    )


def _wrk(url: str, seconds: int) -> float:
    out = subprocess.run(
        ["wrk", "-t1", "-c16", f"-d{seconds}s", url], capture_output=True, text=True, check=True
    ).stdout
    if "Non-2xx" in out:
        raise RuntimeError(f"wrk saw errors:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("benchmark server did not start")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _forget_bench_keys(redis_up: bool) -> None:
    """Remove the keys the Redis runs left on the shared server."""
    if not redis_up:
        return
    import redis.asyncio as redis

    client = redis.from_url(REDIS_URL)
    async for key in client.scan_iter(match="ogp-bench:*", count=1000):
        await client.delete(key)
    await client.aclose()


async def _redis_answers() -> bool:
    import redis.asyncio as redis

    client = redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        return bool(await client.ping())
    except Exception:
        return False
    finally:
        await client.aclose()
