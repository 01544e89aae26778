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
