"""Flowing light: aurora curtains and silk folds (smooth, so drawn small and upscaled)."""

from __future__ import annotations

import numpy as np

from ogplatform.builtin.backgrounds._art import calm_centre, column, labs, rgbs, vertical
from ogplatform.builtin.backgrounds._canvas import Frame, rng
from ogplatform.builtin.backgrounds._color import (
    Floats,
    linear_to_srgb,
    oklab_to_srgb,
    srgb_to_linear,
)
from ogplatform.builtin.backgrounds._noise import Noise

__all__ = ["Aurora", "Silk"]


class Aurora:
    """Curtains of light over a night sky: a sharp lower hem, a long glow upwards, vertical rays."""

    __slots__ = ("_calm", "_curtains", "_glow", "_noise", "_sky")

    def __init__(
        self,
        sky: tuple[str, str],
        glow: tuple[str, str],
        *,
        seed: int,
        curtains: int = 4,
        strength: float = 1.0,
        calm: float = 0.55,
    ) -> None:
        gen = rng(seed)
        self._sky = srgb_to_linear(rgbs(list(sky))).T
        self._glow = srgb_to_linear(rgbs(list(glow)))  # (3, 2): hem colour, crown colour
        # per curtain: hem height, tilt, sway, sway frequency, glow length, brightness
        self._curtains = [
            (
                float(gen.uniform(0.15, 0.5)),
                float(gen.uniform(-0.6, 0.6)),
                float(gen.uniform(0.1, 0.2)),
                float(gen.uniform(0.8, 1.6)),
                float(gen.uniform(0.06, 0.13)),
                float(strength * gen.uniform(0.6, 1.0)),
            )
            for _ in range(curtains)
        ]
        self._noise = Noise(seed)
        self._calm = calm

    def draw(self, width: int, height: int) -> Floats:
        frame = Frame(width, height, factor=4)
        u, v = frame.u(), frame.v()
        x, y = frame.xy()
        sky = vertical(self._sky[0], self._sky[1], v)
        light = np.zeros(np.broadcast_shapes(u.shape, v.shape), np.float32)
        crown = np.zeros_like(light)
        for j, (hem, tilt, sway, freq, reach, bright) in enumerate(self._curtains):
            lane = np.float32(9.7 * j)
            curve = hem + tilt * (u - 0.5) + sway * self._noise.fbm(x * freq + lane, lane, 2)
            d = v - curve
            # a sharp hem below, a long fading glow above it
            profile = np.where(d < 0, np.exp(d / np.float32(reach)), np.exp(-((d / 0.025) ** 2)))
            # curtains fade in and out along their length instead of spanning the sky
            along = np.clip(0.25 + 1.3 * self._noise(x * 1.4 + lane + 40, lane), 0, 1) ** 1.5
            rays = 0.72 + 0.28 * self._noise(x * 30 + lane, y * 0.7 + lane)
            strength = profile * (along * rays * np.float32(bright))
            light += strength
            crown += strength * np.clip(-d / np.float32(reach * 1.8), 0, 1)
        crown /= np.maximum(light, np.float32(1e-4))
        light *= calm_centre(u, v, self._calm)
        hue = column(self._glow, 0) + (column(self._glow, 1) - column(self._glow, 0)) * crown
        # soft saturation so overlapping curtains glow instead of clipping to white
        lit = sky + hue * (1 - np.exp(-light))
        return frame.upscale(linear_to_srgb(lit))


class Silk:
    """Soft folds of fabric catching the light: a sheen on a base colour, along warped bands."""

    __slots__ = ("_angle", "_base", "_folds", "_noise", "_shade", "_sheen")

    def __init__(
        self,
        base: str,
        sheen: str,
        shade: str,
        *,
        seed: int,
        folds: float = 1.6,
        angle: float = 0.5,
    ) -> None:
        self._base, self._sheen, self._shade = labs([base]), labs([sheen]), labs([shade])
        self._noise = Noise(seed)
        self._folds = np.float32(folds)
        self._angle = angle

    def draw(self, width: int, height: int) -> Floats:
        frame = Frame(width, height, factor=4)
        x, y = frame.xy()
        across = x * np.float32(np.cos(self._angle)) + y * np.float32(np.sin(self._angle))
        phase = across * self._folds + np.float32(0.45) * self._noise.fbm(x * 1.1, y * 1.1, 3)
        wave = np.float32(0.5) + np.float32(0.5) * np.sin(np.float32(2 * np.pi) * phase)
        # a second, slower fold keeps the bands from repeating like stripes
        wave *= np.float32(0.65) + np.float32(0.35) * np.sin(np.float32(2.3) * phase + 1.0) ** 2
        highlight = wave**3
        shadow = (1 - wave) ** 2
        base = column(self._base, 0)
        lab = base + (column(self._sheen, 0) - base) * highlight
        lab += (column(self._shade, 0) - base) * shadow
        return frame.upscale(oklab_to_srgb(lab))
