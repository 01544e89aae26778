"""Crisp line work laid over a smooth base: grids, dots, stripes, contour lines, a horizon floor.

A pattern only computes coverage (0..1 per output pixel, anti-aliased by box-filter overlap);
:class:`Overlay` inks it over any other generator. Widths and spacings are in isotropic units,
so a thumbnail is the full-size card scaled down rather than a denser pattern.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from ogplatform.builtin.backgrounds._art import Art, rgbs
from ogplatform.builtin.backgrounds._canvas import Frame
from ogplatform.builtin.backgrounds._color import Floats, f32

__all__ = [
    "HAIRLINE",
    "Dots",
    "Fade",
    "Grid",
    "Horizon",
    "Overlay",
    "Pattern",
    "Stripes",
    "line_coverage",
    "periodic",
]

HAIRLINE = 1.25 / 870  # about 1.25 px on a 1200x630 card


def line_coverage(distance: Floats, width: npt.ArrayLike) -> Floats:
    """How much of a 1-px-wide pixel a line of ``width`` px covers, ``distance`` px from its axis.

    Exact box-filter overlap, so hairlines thinner than a pixel fade instead of vanishing.
    """
    half = np.asarray(width, np.float32) * np.float32(0.5)
    hi = np.minimum(distance + np.float32(0.5), half)
    lo = np.maximum(distance - np.float32(0.5), -half)
    return f32(np.clip(hi - lo, 0.0, 1.0))


def periodic(position: Floats, period: float | np.floating[Any]) -> Floats:
    """Distance from each position to the nearest multiple of ``period`` (same units)."""
    if period == 1.0:
        return np.abs(position - np.rint(position)).astype(np.float32, copy=False)
    scaled = position * np.float32(1 / period)
    return f32(np.abs(scaled - np.rint(scaled)) * np.float32(period))


class Pattern(Protocol):
    def coverage(self, frame: Frame) -> Floats:
        """Ink coverage in 0..1, shape (height, width) (or broadcastable to it)."""
        ...


class Fade:
    """An elliptical Gaussian spotlight on a pattern (or, with ``invert``, a calm hole in it)."""

    __slots__ = ("_centre", "_floor", "_invert", "_radii")

    def __init__(
        self,
        centre: tuple[float, float] = (0.5, 0.5),
        radii: tuple[float, float] = (0.5, 0.5),
        *,
        invert: bool = False,
        floor: float = 0.0,
    ) -> None:
        self._centre, self._radii, self._invert, self._floor = centre, radii, invert, floor

    def mask(self, frame: Frame) -> Floats:
        # separable: a Gaussian ellipse is the product of two 1-D Gaussians
        across = np.exp(-(((frame.u() - self._centre[0]) / self._radii[0]) ** 2))
        down = np.exp(-(((frame.v() - self._centre[1]) / self._radii[1]) ** 2))
        spot = across * down
        if self._invert:
            spot = 1 - spot
        return f32(self._floor + (1 - self._floor) * spot)


class Grid:
    """Square grid lines, every ``major``-th line stronger (blueprints, graph paper)."""

    __slots__ = ("_major", "_minor_alpha", "_spacing", "_width")

    def __init__(
        self,
        spacing: float = 0.06,
        *,
        width: float = 1.0,
        major: int = 0,
        minor_alpha: float = 0.45,
    ) -> None:
        self._spacing, self._width, self._major = spacing, width, major
        self._minor_alpha = minor_alpha

    def _axis(self, frame: Frame, position: Floats) -> Floats:
        px = np.float32(1 / frame.pixel)
        spacing = self._spacing * px
        line = line_coverage(periodic(position * px, spacing), self._width * HAIRLINE * px)
        if self._major <= 0:
            return line
        index = np.rint(position * px / spacing).astype(np.int64)
        strength = np.where(index % self._major == 0, 1.0, self._minor_alpha)
        return (line * strength).astype(np.float32)

    def coverage(self, frame: Frame) -> Floats:
        x, y = frame.xy()
        return np.maximum(self._axis(frame, x), self._axis(frame, y))


class Dots:
    """A dot grid; with ``grow`` the dots swell toward a corner like a halftone screen."""

    __slots__ = ("_grow", "_radius", "_spacing")

    def __init__(
        self, spacing: float = 0.04, radius: float = 1.4, *, grow: tuple[float, float] | None = None
    ) -> None:
        self._spacing, self._radius, self._grow = spacing, radius, grow

    def coverage(self, frame: Frame) -> Floats:
        px = np.float32(1 / frame.pixel)
        spacing = self._spacing * px
        x, y = frame.xy()
        dx, dy = periodic(x * px, spacing), periodic(y * px, spacing)
        distance = np.sqrt(dx * dx + dy * dy)
        radius: Floats | np.float32 = np.float32(self._radius * HAIRLINE * px)
        if self._grow is not None:
            # radius grows from nothing to a third of the spacing toward the grow corner
            gu, gv = self._grow
            near = 1 - np.hypot(frame.u() - gu, frame.v() - gv) / np.float32(1.2)
            radius = np.clip(near, 0, 1) ** 2 * np.float32(spacing * 0.34)
        solid = np.maximum(radius, np.float32(0.5))
        cover = np.clip(solid + 0.5 - distance, 0, 1) * np.minimum((radius / solid) ** 2, 1)
        return cover.astype(np.float32, copy=False)


class Stripes:
    """Parallel stripes at ``angle`` (radians from horizontal), ``duty`` = inked fraction."""

    __slots__ = ("_angle", "_duty", "_spacing")

    def __init__(self, spacing: float = 0.05, *, angle: float = -0.785, duty: float = 0.5) -> None:
        self._spacing, self._angle, self._duty = spacing, angle, duty

    def coverage(self, frame: Frame) -> Floats:
        px = np.float32(1 / frame.pixel)
        x, y = frame.xy()
        along = (x * np.float32(np.sin(self._angle)) + y * np.float32(np.cos(self._angle))) * px
        spacing = self._spacing * px
        return line_coverage(periodic(along, spacing), self._duty * spacing)


class Horizon:
    """A perspective floor grid vanishing at a horizon ``level`` (0 top .. 1 bottom)."""

    __slots__ = ("_depth", "_lateral", "_level")

    def __init__(self, level: float = 0.6, *, depth: float = 1.7, lateral: float = 2.5) -> None:
        self._level = level
        self._depth = np.float32(depth)  # rows of tiles between the bottom edge and far away
        self._lateral = np.float32(lateral)  # tiles across, per unit of depth

    def coverage(self, frame: Frame) -> Floats:
        v = frame.v()
        below = np.maximum(v - np.float32(self._level), np.float32(1e-3))
        depth = self._depth / below  # distance of each row's floor from the eye, in tiles
        width = np.float32(1.2 * HAIRLINE / frame.pixel)
        per_row = self._depth / (below * below * np.float32(frame.height))  # tiles per pixel
        across = line_coverage(periodic(depth, 1.0) / per_row, width)
        x, _ = frame.xy()
        per_column = depth * self._lateral * np.float32(frame.pixel)
        along = line_coverage(periodic(x * depth * self._lateral, 1.0) / per_column, width)
        # fade out well before the lines crowd into moiré at the horizon
        fog = np.clip((below - np.float32(0.03)) / np.float32(0.3), 0, 1) * (v > self._level)
        return f32(np.maximum(across, along) * fog)


class Overlay:
    """Inks one or more patterns over a base generator (each pattern: colour, opacity, fade)."""

    __slots__ = ("_base", "_layers")

    def __init__(self, base: Art, layers: Sequence[tuple[Pattern, str, float, Fade | None]]):
        self._base = base
        self._layers = [(p, rgbs([ink])[:, 0], alpha, fade) for p, ink, alpha, fade in layers]

    def draw(self, width: int, height: int) -> Floats:
        out = self._base.draw(width, height)
        frame = Frame(width, height)
        for pattern, ink, alpha, fade in self._layers:
            cover = pattern.coverage(frame) * np.float32(alpha)
            if fade is not None:
                cover = cover * fade.mask(frame)
            for channel in range(3):
                out[channel] += (np.float32(ink[channel]) - out[channel]) * cover
        return out
