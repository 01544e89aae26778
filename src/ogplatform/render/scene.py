"""The card scene: what a template produces and both back-ends draw.

A scene is a canvas size, a backdrop (a paint, or a photo the caller supplies), and layers
drawn in order: rectangles (solid or gradient, rounded, translucent) and laid-out text. Colours
are validated here, so a writer can put them into SVG as they are.
"""

from __future__ import annotations

import itertools
import re

import msgspec

from ogplatform.render._types import TextBlock

__all__ = [
    "Layer",
    "LinearGradient",
    "Paint",
    "RadialGradient",
    "Rect",
    "Scene",
    "Solid",
    "Stop",
    "Text",
    "check_color",
]

_HEX = re.compile(r"#[0-9a-f]{6}")


def check_color(color: str) -> str:
    """Return ``color`` if it is ``#rrggbb`` (lower case); raise ValueError otherwise."""
    if not _HEX.fullmatch(color):
        raise ValueError(f"colour must be '#rrggbb' in lower case, not {color!r}")
    return color


class Stop(msgspec.Struct, frozen=True):
    offset: float  # 0..1 along the gradient
    color: str
    opacity: float = 1.0

    def __post_init__(self) -> None:
        check_color(self.color)
        if not (0.0 <= self.offset <= 1.0 and 0.0 <= self.opacity <= 1.0):
            raise ValueError("gradient stop offset and opacity must be within 0..1")


class Solid(msgspec.Struct, frozen=True, tag="solid"):
    color: str
    opacity: float = 1.0

    def __post_init__(self) -> None:
        check_color(self.color)


class LinearGradient(msgspec.Struct, frozen=True, tag="linear"):
    """A CSS-style linear gradient across the painted box.

    ``angle`` in degrees as in CSS: 0 points up, 90 right, 180 down. The gradient line passes
    through the box's centre and is long enough for the corners to get the end colours.
    """

    angle: float
    stops: tuple[Stop, ...]

    def __post_init__(self) -> None:
        _check_stops(self.stops)


class RadialGradient(msgspec.Struct, frozen=True, tag="radial"):
    """A circular gradient: centre ``(cx, cy)`` and ``radius`` as fractions of the box
    (the radius of the box's width)."""

    cx: float
    cy: float
    radius: float
    stops: tuple[Stop, ...]

    def __post_init__(self) -> None:
        _check_stops(self.stops)
        if self.radius <= 0:
            raise ValueError("radial gradient radius must be positive")


Paint = Solid | LinearGradient | RadialGradient


class Rect(msgspec.Struct, frozen=True, tag="rect"):
    x: float
    y: float
    width: float
    height: float
    fill: Paint
    radius: float = 0.0
    opacity: float = 1.0
    stroke: str | None = None  # "#rrggbb" hairline around the rectangle
    stroke_width: float = 0.0
    stroke_opacity: float = 1.0

    def __post_init__(self) -> None:
        if self.stroke is not None:
            check_color(self.stroke)


class Text(msgspec.Struct, frozen=True, tag="text"):
    """A laid-out text block whose box's top-left corner is at ``(x, y)``."""

    x: float
    y: float
    block: TextBlock
    color: str
    opacity: float = 1.0

    def __post_init__(self) -> None:
        check_color(self.color)


Layer = Rect | Text


class Scene(msgspec.Struct, frozen=True):
    """A card. ``backdrop`` None means a photo supplied by the caller fills the canvas."""

    width: int
    height: int
    backdrop: Paint | None
    layers: tuple[Layer, ...] = ()
    title: str = ""  # an accessible name for the SVG (escaped by the writer)


def _check_stops(stops: tuple[Stop, ...]) -> None:
    if len(stops) < 2:
        raise ValueError("a gradient needs at least two stops")
    if any(a.offset > b.offset for a, b in itertools.pairwise(stops)):
        raise ValueError("gradient stops must be in increasing offset order")
