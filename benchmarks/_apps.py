"""App factories that benchmark servers run (``uvicorn benchmarks._apps:NAME --factory``)."""

from __future__ import annotations

import os
import tempfile

import msgspec
from litestar import Litestar, Router, get

from ogplatform.app import create_app
from ogplatform.settings import Settings

# Three windows like the card API's, but far too wide to refuse: every request is timed on
# the allowed path, all from one load generator.
WIDE = ["100000000/10s", "100000000/1m", "100000000/1h"]


@get("/limited", opt={"ratelimit": "bench"})
async def limited() -> dict[str, str]:
    return {"ok": "yes"}


@get("/plain")
async def plain() -> dict[str, str]:
    return {"ok": "yes"}


def ratelimit_app() -> Litestar:
    """The limiter benchmark's server: memory store, or Redis when BENCH_REDIS_URL is set."""
    settings = {
        "database": {"url": ""},
        "storage": {"options": {"root": tempfile.mkdtemp(prefix="ogp-bench-")}},
        "logging": {"level": "WARNING"},
        "redis": {"url": os.environ.get("BENCH_REDIS_URL", ""), "key_prefix": "ogp-bench:"},
        "ratelimit": {"policies": {"bench": {"windows": WIDE}}},
    }
    return create_app(
        msgspec.convert(settings, Settings),
        route_handlers=[Router("/api/bench", route_handlers=[limited, plain])],
    )


def cache_app() -> Litestar:
    """The cache benchmark's server: tiers from BENCH_TIERS ("memory", "disk" or "redis"),
    renders in one worker process, and /api/bench/bare serving fixed bytes as the baseline."""
    tiers = os.environ.get("BENCH_TIERS", "memory")
    bare_bytes = open(os.environ["BENCH_BARE_FILE"], "rb").read()  # noqa: SIM115

    @get("/bare", media_type="image/png")
    async def bare() -> bytes:
        return bare_bytes

    folder = tempfile.mkdtemp(prefix="ogp-bench-")
    settings = {
        "database": {"url": ""},
        "storage": {"options": {"root": folder}},
        "logging": {"level": "WARNING"},
        "ratelimit": {"enabled": False},
        "render": {"workers": 1},
        "auth": {"admin_token": "bench"},
        "redis": {"url": os.environ.get("BENCH_REDIS_URL", ""), "key_prefix": "ogp-bench:"},
        "cache": {
            "memory": tiers == "memory",
            "disk": tiers == "disk",
            "redis": tiers == "redis",
            "disk_path": folder + "/cache",
        },
    }
    return create_app(
        msgspec.convert(settings, Settings),
        route_handlers=[Router("/api/bench", route_handlers=[bare])],
    )
