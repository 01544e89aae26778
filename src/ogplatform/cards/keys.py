"""What identifies a card: the normalized request plus every version that shapes its bytes."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import msgspec

from ogplatform import __version__
from ogplatform.cache import cache_key
from ogplatform.cards.params import CardRequest, for_template, parse_card_query
from ogplatform.errors import ApiError
from ogplatform.plugins import PluginRegistry
from ogplatform.render import RENDER_VERSION

__all__ = ["CardKey", "resolve_card"]


class CardKey(msgspec.Struct, frozen=True):
    request: CardRequest  # normalized for its template
    key: str
    tags: tuple[str, ...]


@lru_cache(maxsize=8192)
def resolve_card(plugins: PluginRegistry, raw_query: bytes) -> CardKey:
    """Validate the query against the API rules and the installed plugins; build the key.

    Remembered per raw query string (the registry is fixed for the life of a process), so a
    cache hit for a URL seen before skips parsing and hashing: most traffic behind a CDN is
    the same few URLs. Failures are not remembered.

    Two URLs that mean the same image get the same key (aliases folded, defaults filled,
    colours canonical, parameters the template ignores dropped); upgrading ogplatform, the
    template or the background plugin changes every key they touch.
    """
    request = parse_card_query(raw_query)
    try:
        template = plugins.get("templates", request.template)
    except KeyError:
        raise ApiError(404, f"template {request.template[:64]!r} not found",
                       code="TEMPLATE_NOT_FOUND") from None  # fmt: skip
    if request.background_id is not None:  # an unknown id is a mistake even where unused
        try:
            plugins.get("backgrounds", request.background_id)
        except KeyError:
            raise ApiError(404, f"background {request.background_id!r} not found",
                           code="BACKGROUND_NOT_FOUND") from None  # fmt: skip
    request = for_template(request, template.plugin.params)
    background = None
    if request.background_id is not None:
        background = plugins.get("backgrounds", request.background_id)
    material: dict[str, Any] = {
        "request": msgspec.to_builtins(request),
        "template": template.fingerprint,
        "background": background.fingerprint if background else None,
        "renderer": f"{__version__}/{RENDER_VERSION}",
    }
    tags: tuple[str, ...] = ("card", f"template-{template.id}")
    if background is not None:
        tags += (f"bg-{background.id}",)
    return CardKey(request, cache_key("card", material), tags)
