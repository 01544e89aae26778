"""Operator endpoints under ``/admin``, guarded by the admin token."""

from __future__ import annotations

from typing import Any

from litestar import Response, Router, get
from litestar.di import NamedDependency

from ogplatform.auth import require_admin
from ogplatform.runtime import Runtime

__all__ = ["admin_router"]


@get("/plugins", summary="Every loaded plugin with its version, and the ones that failed")
async def list_plugins(runtime: NamedDependency[Runtime]) -> Response[dict[str, Any]]:
    return Response(runtime.plugins.summary(), headers={"Cache-Control": "private, no-store"})


admin_router = Router(
    "/admin", route_handlers=[list_plugins], guards=[require_admin], tags=["operations"]
)
