"""The render cache (memory, disk, Redis tiers; single-flight; purge by tag) and HTTP caching.

It serves bytes under keys and knows no product: cards and maps build their own keys and tags.
"""

from ogplatform.cache.cdn import purge_cdn
from ogplatform.cache.entry import CachedImage
from ogplatform.cache.http import cache_control, image_response, matches
from ogplatform.cache.service import CacheResult, RenderCache, cache_key

__all__ = [
    "CacheResult",
    "CachedImage",
    "RenderCache",
    "cache_control",
    "cache_key",
    "image_response",
    "matches",
    "purge_cdn",
]
