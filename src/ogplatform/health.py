"""Liveness (``/healthz``) and readiness (``/readyz``) for load balancers and orchestrators."""

from __future__ import annotations

from typing import Any

from litestar import Response, get
from litestar.di import NamedDependency

from ogplatform import __version__
from ogplatform.runtime import Runtime

__all__ = ["healthz", "readyz"]

_NO_STORE = {"Cache-Control": "no-store"}


@get("/healthz", tags=["operations"], summary="Liveness: the process answers")
async def healthz() -> Response[dict[str, Any]]:
    return Response({"status": "ok", "version": __version__}, headers=_NO_STORE)


@get("/readyz", tags=["operations"], summary="Readiness: database, storage and Redis answer")
async def readyz(runtime: NamedDependency[Runtime]) -> Response[dict[str, Any]]:
    checks = await runtime.readiness()
    ready = all(result == "ok" for result in checks.values())
    return Response(
        {"status": "ready" if ready else "unavailable", "checks": checks},
        status_code=200 if ready else 503,
        headers=_NO_STORE,
    )
