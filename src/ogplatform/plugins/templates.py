"""The card-template contract (entry-point group ``ogplatform.templates``).

An entry point names one :class:`Template`, or a list/tuple of them (a template pack).
A template turns a :class:`CardInput` (the validated request) into a scene
(:class:`ogplatform.render.Scene`); ogplatform draws the scene, caches it and serves it.
Templates never see HTTP and never do I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal, Protocol, runtime_checkable

import msgspec

from ogplatform.render import FontLibrary, Paint, Scene

__all__ = ["CardInput", "Photo", "Template", "TemplateParam"]

# The request parameters a template may use (for the catalog, and to ignore the rest in keys).
TemplateParam = Literal["title", "description", "icon", "bg", "text", "accent", "bgId", "overlay"]


class Photo(msgspec.Struct, frozen=True):
    """What a template knows about a catalog photo behind it (``bgId``)."""

    id: str
    dominant_color: str  # "#rrggbb"
    tone: Literal["dark", "light"]


class CardInput(msgspec.Struct, frozen=True):
    """A validated card request. Colours are ``#rrggbb``; None means "the template's default".

    ``photo`` is set when the request names a background (``bgId``): the scene's backdrop must
    then be None, and ogplatform puts the photo there, cover-fitted to ``width`` x ``height``.
    """

    width: int
    height: int
    title: str = ""
    description: str = ""
    icon: str = ""  # up to 12 user-perceived characters, usually emoji
    background: Paint | None = None  # from `bg`: a colour or a gradient
    text_color: str | None = None
    accent_color: str | None = None
    overlay: float = 0.55  # 0..1, how much to darken (or lighten) a photo under text
    photo: Photo | None = None


@runtime_checkable
class Template(Protocol):
    """A card design. Metadata is read-only: plain attributes, properties or frozen dataclass
    fields all satisfy it."""

    @property
    def id(self) -> str: ...  # stable, url-safe: "gradient", "photo-hero"

    @property
    def version(self) -> str: ...  # bump when the output changes: part of every cache key

    @property
    def name(self) -> str: ...

    @property
    def description(self) -> str: ...

    @property
    def category(self) -> str: ...  # "social", "blog", "product", "event", "docs", "stats"

    @property
    def tags(self) -> Sequence[str]: ...

    @property
    def defaults(self) -> Mapping[str, str]: ...  # default colours "#rrggbb": bg, text, accent

    @property
    def params(self) -> Sequence[TemplateParam]: ...  # the request parameters it uses

    def compose(self, card: CardInput, fonts: FontLibrary) -> Scene:
        """Lay the card out. Deterministic: the same input always gives the same scene."""
        ...
