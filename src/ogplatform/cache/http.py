"""HTTP caching for images: strong ETag, 304 on If-None-Match, Cache-Control, purge tags.

Litestar does not answer conditional requests by itself, so this does: a client (or a CDN
revalidating) that already holds the bytes gets 304 with no body.
"""

from __future__ import annotations

from litestar import Response

from ogplatform.cache.entry import CachedImage

__all__ = ["cache_control", "image_response", "matches"]


def cache_control(max_age: int, stale_while_revalidate: int = 0, stale_if_error: int = 0) -> str:
    parts = ["public", f"max-age={max_age}"]
    if stale_while_revalidate:
        parts.append(f"stale-while-revalidate={stale_while_revalidate}")
    if stale_if_error:
        parts.append(f"stale-if-error={stale_if_error}")
    return ", ".join(parts)


def matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 If-None-Match: weak comparison, a list, or ``*``."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == wanted for tag in if_none_match.split(","))


def image_response(
    entry: CachedImage,
    *,
    if_none_match: str | None,
    cache_control: str,
    source: str,
    extra: dict[str, str] | None = None,
) -> Response[bytes]:
    """200 with the bytes, or 304 without them; the same validators and tags either way."""
    headers = {
        "ETag": entry.etag,
        "Cache-Control": cache_control,
        # Purge handles for CDNs: Varnish xkey and Fastly read Surrogate-Key, Cloudflare Cache-Tag.
        "Surrogate-Key": " ".join(entry.tags),
        "Cache-Tag": ",".join(entry.tags),
        "X-Cache": "MISS" if source == "render" else f"HIT-{source}",
        **(extra or {}),
    }
    if matches(if_none_match, entry.etag):
        return Response(b"", status_code=304, headers=headers, media_type=entry.content_type)
    return Response(entry.body, headers=headers, media_type=entry.content_type)
