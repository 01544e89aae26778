"""The card-template contract (entry-point group ``ogplatform.templates``).

An entry point names one :class:`Template` object, or a list/tuple of them (a template pack).
The metadata below is what the catalog (``/api/templates``) and the cache key need; the drawing
method is added by the card renderer (see docs/TODO.md) and documented with it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, runtime_checkable

__all__ = ["Template"]


@runtime_checkable
class Template(Protocol):
    id: str  # stable, url-safe: "gradient", "photo-hero"
    version: str  # bump when the output changes: it is part of every cache key
    name: str
    description: str
    category: str  # "social", "blog", "product", "event", "docs", "stats", ...
    tags: Sequence[str]
    defaults: Mapping[str, str]  # default parameter values, e.g. {"bg": "0f172a"}
