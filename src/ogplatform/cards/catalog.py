"""Catalog entries as the API shows them, and the fuzzy background search."""

from __future__ import annotations

import difflib
import unicodedata
from typing import Any
from urllib.parse import urlencode

from ogplatform.plugins import PluginRecord

__all__ = ["background_item", "search_backgrounds", "template_item"]


def template_item(record: PluginRecord) -> dict[str, Any]:
    template = record.plugin
    return {
        "id": record.id,
        "name": template.name,
        "description": template.description,
        "category": template.category,
        "tags": list(template.tags),
        "defaults": dict(template.defaults),
        "params": list(template.params),
        "version": record.version,
        "thumbnail": f"/api/backgrounds/{record.id}/thumbnail",
        "preview": "/api/og?" + urlencode({"template": record.id, "title": template.name}),
    }


def background_item(record: PluginRecord) -> dict[str, Any]:
    background = record.plugin
    return {
        "id": record.id,
        "title": background.title,
        "author": background.author,
        "category": background.category,
        "tags": list(background.tags),
        "dominantColor": background.dominant_color,
        "tone": background.tone,
        "version": record.version,
        "thumbnail": f"/api/backgrounds/{record.id}/thumbnail",
        "preview": "/api/og?"
        + urlencode({"template": "photo-hero", "bgId": record.id, "title": background.title}),
    }


def _fold(text: str) -> str:
    """Case- and accent-insensitive form for matching."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _score(token: str, haystack: str, words: list[str]) -> float:
    if token in haystack:
        return 2.0 if any(w.startswith(token) for w in words) else 1.5
    best = max((difflib.SequenceMatcher(None, token, w).ratio() for w in words), default=0.0)
    return best if best >= 0.75 else 0.0  # a typo or two in a word still finds it


def search_backgrounds(records: list[PluginRecord], query: str) -> list[PluginRecord]:
    """Records matching every word of ``query`` in id, title, author or tags, best first."""
    tokens = _fold(query).split()
    scored = []
    for record in records:
        background = record.plugin
        haystack = _fold(" ".join([record.id, background.title, background.author,
                                   *background.tags]))  # fmt: skip
        words = haystack.replace("-", " ").split()
        scores = [_score(token, haystack, words) for token in tokens]
        if all(scores):
            scored.append((-sum(scores), record.id, record))
    return [record for _, _, record in sorted(scored, key=lambda item: item[:2])]
