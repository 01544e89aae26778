"""Purges sent on to the CDN: ``PURGE <url>`` with ``xkey-purge: <tags>`` (Varnish xkey;
the VCL in cache/varnish/ accepts it from its ACL)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import httpx
import structlog

__all__ = ["purge_cdn"]

log = structlog.get_logger("ogplatform.cache")


async def purge_cdn(urls: Sequence[str], tags: Sequence[str]) -> dict[str, str]:
    """Send the purge to every URL; return ``{url: "ok <status>" | "error: ..."}``."""
    if not urls or not tags:
        return {}
    async with httpx.AsyncClient(timeout=5.0) as client:

        async def one(url: str) -> str:
            try:
                response = await client.request(
                    "PURGE", url, headers={"xkey-purge": " ".join(tags)}
                )
            except httpx.HTTPError as exc:
                log.warning("cdn_purge_failed", url=url, error=repr(exc))
                return f"error: {type(exc).__name__}"
            if response.status_code >= 400:
                log.warning("cdn_purge_refused", url=url, status=response.status_code)
                return f"error: HTTP {response.status_code}"
            return f"ok {response.status_code}"

        results = await asyncio.gather(*(one(url) for url in urls))
    return dict(zip(urls, results, strict=True))
