"""Smooth light: mesh gradients, glows and conic sweeps (no edges, so drawn small and upscaled)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ogplatform.builtin.backgrounds._art import column, labs, ramp, rgbs, vertical
from ogplatform.builtin.backgrounds._canvas import Frame, rng
from ogplatform.builtin.backgrounds._color import (
    Floats,
    linear_to_srgb,
    oklab_to_srgb,
    srgb_to_linear,
)
from ogplatform.builtin.backgrounds._noise import Noise

__all__ = ["Conic", "Glow", "Light", "Linear", "Mesh", "Planet", "night", "paper"]


class Mesh:
    """Soft blobs of colour around the edges, mixed in OKLab over a base; shapes warped by noise."""

    __slots__ = ("_base", "_centres", "_colors", "_noise", "_radii", "_warp", "_weight")

    def __init__(
        self,
        base: str,
        colors: Sequence[str],
        *,
        seed: int,
        warp: float = 0.12,
        size: float = 1.0,
        base_weight: float = 0.3,
    ) -> None:
        gen = rng(seed)
        n = len(colors)
        # spread the blobs around the edges so the middle stays a calm mix
        turn = gen.uniform(0, 2 * np.pi) + 2 * np.pi * np.arange(n) / n + gen.uniform(-0.4, 0.4, n)
        reach = gen.uniform(0.38, 0.6, n)
        self._centres = [
            (0.5 + r * np.cos(a), 0.5 + r * np.sin(a)) for a, r in zip(turn, reach, strict=True)
        ]
        self._radii = (gen.uniform(0.3, 0.45, n) * size).tolist()
        self._colors = labs(colors)
        self._base = labs([base])
        self._noise = Noise(seed)
        self._warp = np.float32(warp)
        self._weight = np.float32(base_weight)

    def draw(self, width: int, height: int) -> Floats:
        frame = Frame(width, height, factor=8)
        u, v = frame.u(), frame.v()
        x, y = frame.xy()
        wx = self._noise.fbm(x * 1.6, y * 1.6, 3) * self._warp
        wy = self._noise.fbm(x * 1.6 + 7.3, y * 1.6 - 3.1, 3) * self._warp
        total = np.full(wx.shape, self._weight, np.float32)
        acc = column(self._base, 0) * total
        for i, ((cu, cv), r) in enumerate(zip(self._centres, self._radii, strict=True)):
            dx = (u - np.float32(cu)) * np.float32(frame.kx) + wx
            dy = (v - np.float32(cv)) * np.float32(frame.ky) + wy
            w = np.exp(-(dx * dx + dy * dy) / np.float32(r * r))
            acc += column(self._colors, i) * w
            total += w
        return frame.upscale(oklab_to_srgb(acc / total))


@dataclass(frozen=True, slots=True)
class Light:
    """A soft light at (u, v) of the canvas; ``stretch`` > 1 widens it horizontally."""

    color: str
    u: float
    v: float
    radius: float
    strength: float = 1.0
    stretch: float = 1.0


class Glow:
    """Lights added in linear light over a vertical gradient, with a vignette: spotlights, halos."""

    __slots__ = ("_bottom", "_colors", "_lights", "_noise", "_top", "_vignette")

    def __init__(
        self, top: str, bottom: str, lights: Sequence[Light], *, seed: int, vignette: float = 0.3
    ) -> None:
        self._top, self._bottom = srgb_to_linear(rgbs([top, bottom])).T
        self._lights = tuple(lights)
        self._colors = srgb_to_linear(rgbs([light.color for light in lights]))
        self._noise = Noise(seed)
        self._vignette = np.float32(vignette)

    def draw(self, width: int, height: int) -> Floats:
        frame = Frame(width, height, factor=8)
        u, v = frame.u(), frame.v()
        x, y = frame.xy()
        out = np.broadcast_to(vertical(self._top, self._bottom, v), (3, *np.shape(x * y))).copy()
        # a little noise in the falloff keeps a large glow from looking like a perfect disc
        wobble = 1 + np.float32(0.18) * self._noise.fbm(x * 2.2, y * 2.2, 3)
        for i, light in enumerate(self._lights):
            dx = (u - np.float32(light.u)) * np.float32(frame.kx / light.stretch)
            dy = (v - np.float32(light.v)) * np.float32(frame.ky)
            d2 = (dx * dx + dy * dy) / np.float32(light.radius**2)
            # a Gaussian core with a long soft tail, like light scattered in air
            falloff = np.float32(0.7) * np.exp(-d2) + np.float32(0.3) / (1 + 4 * d2)
            out += column(self._colors, i) * (falloff * wobble * np.float32(light.strength))
        out *= 1 - self._vignette * (x * x + y * y) * np.float32(1.6)
        return frame.upscale(linear_to_srgb(out))


class Conic:
    """A fan of colours swept around a centre, fading into a base colour away from it.

    ``sweep`` is the range of angles (in turns, 0 = pointing right, -0.25 = up) the colours are
    spread over; angles outside it take the end colours.
    """

    __slots__ = ("_base", "_centre", "_noise", "_reach", "_stops", "_sweep", "_twist")

    def __init__(
        self,
        base: str,
        stops: Sequence[str],
        *,
        seed: int,
        centre: tuple[float, float] = (0.5, 1.05),
        sweep: tuple[float, float] = (-0.5, 0.0),
        reach: float = 0.9,
        twist: float = 0.0,
    ) -> None:
        self._base = labs([base])
        self._stops = labs(stops)
        self._centre = centre
        self._reach = np.float32(reach)
        self._sweep = (np.float32(sweep[0]), np.float32(sweep[1] - sweep[0]))
        self._twist = np.float32(twist)
        self._noise = Noise(seed)

    def draw(self, width: int, height: int) -> Floats:
        frame = Frame(width, height, factor=4)
        u, v = frame.u(), frame.v()
        x, y = frame.xy()
        dx = (u - np.float32(self._centre[0])) * np.float32(frame.kx)
        dy = (v - np.float32(self._centre[1])) * np.float32(frame.ky)
        r = np.sqrt(dx * dx + dy * dy)
        turns = np.arctan2(dy, dx) / np.float32(2 * np.pi) + self._twist * r
        turns += np.float32(0.02) * self._noise.fbm(x * 2, y * 2, 2)
        sweep = ramp((turns - self._sweep[0]) / self._sweep[1], self._stops)
        fade = np.exp(-((r / self._reach) ** 2))
        lab = column(self._base, 0) + (sweep - column(self._base, 0)) * fade
        return frame.upscale(oklab_to_srgb(lab))


class Linear:
    """A straight gradient through several colours at ``angle`` (radians), bent by noise."""

    __slots__ = ("_angle", "_bend", "_noise", "_stops")

    def __init__(
        self, stops: Sequence[str], *, seed: int, angle: float = 0.4, bend: float = 0.08
    ) -> None:
        self._stops = labs(stops)
        self._angle = angle
        self._bend = np.float32(bend)
        self._noise = Noise(seed)

    def draw(self, width: int, height: int) -> Floats:
        frame = Frame(width, height, factor=8)
        x, y = frame.xy()
        cos, sin = np.cos(self._angle), np.sin(self._angle)
        extent = abs(frame.kx / 2 * cos) + abs(frame.ky / 2 * sin)
        t = np.float32(0.5) + (x * np.float32(cos) + y * np.float32(sin)) / np.float32(2 * extent)
        t = t + self._bend * self._noise.fbm(x * 1.3, y * 1.3, 3)
        return frame.upscale(oklab_to_srgb(ramp(np.clip(t, 0, 1), self._stops)))


class Planet:
    """The limb of a planet rising at the bottom: a dark disc, a thin bright rim, a halo above.

    ``top`` is where the arc peaks (0 top .. 1 bottom of the card) at any aspect ratio;
    ``radius`` is the planet's size in isotropic units (bigger = flatter arc).
    """

    __slots__ = ("_halo", "_radius", "_rim", "_sky", "_spread", "_top")

    def __init__(
        self,
        sky: tuple[str, str],
        rim: str,
        halo: str,
        *,
        top: float = 0.8,
        radius: float = 1.4,
        spread: float = 0.09,
    ) -> None:
        self._sky = srgb_to_linear(rgbs(list(sky))).T
        self._rim, self._halo = srgb_to_linear(rgbs([rim, halo])).T
        self._top, self._radius, self._spread = top, radius, np.float32(spread)

    def draw(self, width: int, height: int) -> Floats:
        frame = Frame(width, height, factor=2)
        u, v = frame.u(), frame.v()
        centre_v = self._top + self._radius / frame.ky
        dx = (u - np.float32(0.5)) * np.float32(frame.kx)
        dy = (v - np.float32(centre_v)) * np.float32(frame.ky)
        above = np.sqrt(dx * dx + dy * dy) - np.float32(self._radius)  # < 0 inside the planet
        # the halo is brightest over the top of the arc and thins out toward the sides
        crest = np.exp(-((dx / np.float32(0.55)) ** 2))
        sky = vertical(self._sky[0], self._sky[1], v)
        halo = np.exp(-np.maximum(above, 0) / self._spread) * crest
        # the rim is ~2.5 px wide on a card; on a thumbnail it is drawn wider but dimmer, so it
        # neither vanishes between samples nor outweighs the rest of the picture
        rim_true = 2.5 / 870
        rim_width = np.float32(max(rim_true, 1.5 * frame.factor * frame.pixel))
        rim = np.exp(-((above / rim_width) ** 2)) * (np.float32(0.35) + np.float32(0.65) * crest)
        rim *= np.float32(rim_true / rim_width)
        inside = np.clip(-above / rim_width + 0.5, 0, 1)
        glow = sky + self._halo[:, None, None] * halo
        lit = glow + (sky * np.float32(0.25) - glow) * inside
        lit += self._rim[:, None, None] * rim
        lit += self._halo[:, None, None] * (np.exp(above / np.float32(0.04)) * inside * crest * 0.3)
        return frame.upscale(linear_to_srgb(lit))


def night(top: str, bottom: str, glow: str, strength: float = 0.35, seed: int = 1) -> Glow:
    """A dark base lit softly from above: what most line patterns are inked over."""
    return Glow(top, bottom, [Light(glow, 0.5, -0.15, 0.5, strength, stretch=1.8)], seed=seed)


def paper(top: str, bottom: str) -> Glow:
    """A light, nearly flat base with a gentle vignette."""
    return Glow(top, bottom, [], seed=1, vignette=0.12)
