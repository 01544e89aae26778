"""The cost of ogplatform's frame per request (request id, access log, error handling, DI)
against a bare Litestar app serving the same handler, both called in-process over ASGI."""

from __future__ import annotations

import os
import tempfile

import msgspec
from litestar import Litestar, Response, get

from benchmarks._harness import Comparison, asgi_get, compare
from ogplatform.app import create_app
from ogplatform.log import configure_logging
from ogplatform.settings import LoggingSettings, Settings


@get("/healthz")
async def bare_healthz() -> Response[dict[str, str]]:
    # The same work as ogplatform's handler, so the ratio is the frame's cost alone.
    return Response({"status": "ok", "version": "0"}, headers={"Cache-Control": "no-store"})


async def run(ops: int = 2000, rounds: int = 7) -> list[Comparison]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = msgspec.convert(
            {"database": {"url": ""}, "storage": {"options": {"root": tmp}}}, Settings
        )
        ours = create_app(settings)
        # Access lines are formatted as in production (JSON) but written to /dev/null.
        bare = ("bare Litestar GET /healthz", asgi_get(
            Litestar([bare_healthz], logging_config=None, openapi_config=None), "/healthz"
        ))  # fmt: skip
        results = []
        with open(os.devnull, "w") as sink:  # noqa: ASYNC230 - opened once, before timing
            for level, label in (("INFO", "access log on"), ("WARNING", "access log off")):
                configure_logging(LoggingSettings(format="json", level=level), stream=sink)
                ours_op = (f"ogplatform GET /healthz ({label})", asgi_get(ours, "/healthz"))
                results.append(await compare(ours_op, bare, ops=ops, rounds=rounds))
        configure_logging(LoggingSettings())  # back to stderr before the sink closes
        return results
