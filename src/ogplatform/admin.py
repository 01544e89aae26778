"""Operator endpoints under ``/admin``, guarded by the admin token."""

from __future__ import annotations

import re
from typing import Any

import msgspec
from litestar import Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from ogplatform.auth import require_admin
from ogplatform.cache import purge_cdn
from ogplatform.errors import ApiError
from ogplatform.runtime import Runtime

__all__ = ["admin_router", "purge_everywhere"]

_PRIVATE = {"Cache-Control": "private, no-store"}


@get("/plugins", summary="Every loaded plugin with its version, and the ones that failed")
async def list_plugins(runtime: NamedDependency[Runtime]) -> Response[dict[str, Any]]:
    return Response(runtime.plugins.summary(), headers=_PRIVATE)


class PurgeRequest(msgspec.Struct, forbid_unknown_fields=True):
    """Purge by tags (``template-gradient``, ``bg-mesh-ocean``, ``map-<id>``) or everything."""

    tags: list[str] = msgspec.field(default_factory=list)
    all: bool = False


_TAG = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")


@get("/cache", summary="Render-cache tiers and counters of this process")
async def cache_stats(runtime: NamedDependency[Runtime]) -> Response[dict[str, Any]]:
    return Response(await runtime.cache.stats(), headers=_PRIVATE)


@post("/cache/purge", status_code=200, summary="Purge the render cache and the CDN by tag")
async def cache_purge(
    runtime: NamedDependency[Runtime], data: JSONBody[PurgeRequest]
) -> Response[dict[str, Any]]:
    if data.all == bool(data.tags):
        raise ApiError(400, "give either tags or all=true", code="INVALID_PURGE")
    bad = [tag for tag in data.tags if not _TAG.fullmatch(tag)]
    if bad:
        raise ApiError(400, f"tag {bad[0][:100]!r} is not a valid tag", code="INVALID_PURGE")
    return Response(await purge_everywhere(runtime, None if data.all else data.tags),
                    headers=_PRIVATE)  # fmt: skip


async def purge_everywhere(runtime: Runtime, tags: list[str] | None) -> dict[str, Any]:
    """Purge this machine's tiers (and Redis), then the configured CDN endpoints."""
    removed = await runtime.cache.purge(tags)
    cdn = await purge_cdn(runtime.settings.cache.cdn_purge_urls, tags or ["card", "map"])
    return {"purged": removed, "cdn": cdn}


admin_router = Router(
    "/admin",
    route_handlers=[list_plugins, cache_stats, cache_purge],
    guards=[require_admin],
    tags=["operations"],
)
