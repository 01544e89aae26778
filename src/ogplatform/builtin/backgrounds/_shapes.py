"""Shapes: bokeh circles, layered waves and low-poly facets."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw

from ogplatform.builtin.backgrounds._art import calm_centre, labs, ramp, rgbs, vertical
from ogplatform.builtin.backgrounds._canvas import Frame, rng
from ogplatform.builtin.backgrounds._color import Floats, oklab_to_srgb

__all__ = ["Bokeh", "LowPoly", "Waves"]


class Bokeh:
    """Out-of-focus lights: soft discs with a faint bright rim, screened over a dark gradient."""

    __slots__ = ("_discs", "_sky")

    def __init__(
        self,
        sky: tuple[str, str],
        colors: Sequence[str],
        *,
        seed: int,
        count: int = 34,
        calm: float = 0.85,
        brightness: float = 1.0,
    ) -> None:
        gen = rng(seed)
        palette = rgbs(colors)
        self._sky = rgbs(list(sky)).T
        self._discs = []
        for _ in range(count):
            u, v = gen.uniform(-0.05, 1.05, 2)
            radius = math.exp(gen.uniform(math.log(0.012), math.log(0.16)))
            # bigger discs are further out of focus: softer and dimmer
            softness = 0.1 + 2.2 * radius
            alpha = gen.uniform(0.1, 0.32) * (0.04 / radius) ** 0.5 * brightness
            color = palette[:, gen.integers(palette.shape[1])] * gen.uniform(0.75, 1.0)
            self._discs.append(
                (u, v, radius, softness, alpha * float(calm_centre(u, v, calm)), color)
            )

    def draw(self, width: int, height: int) -> Floats:
        frame = Frame(width, height, factor=2)
        gw, gh = frame.grid
        u, v = frame.u(), frame.v()
        light = np.zeros((3, gh, gw), np.float32)
        for cu, cv, radius, softness, alpha, color in self._discs:
            reach = radius * (1 + softness)
            cols = slice(
                max(0, int((cu - reach / frame.kx) * gw)), int((cu + reach / frame.kx) * gw) + 1
            )
            rows = slice(
                max(0, int((cv - reach / frame.ky) * gh)), int((cv + reach / frame.ky) * gh) + 1
            )
            dx = (u[:, cols] - np.float32(cu)) * np.float32(frame.kx)
            dy = (v[rows] - np.float32(cv)) * np.float32(frame.ky)
            d = np.sqrt(dx * dx + dy * dy) / np.float32(radius)
            disc = np.clip((1 - d) / np.float32(softness) + 0.5, 0, 1)
            rim = 1 + np.float32(0.5 - softness) * np.clip((d - 0.6) / 0.4, 0, 1) ** 2
            light[:, rows, cols] += color[:, None, None] * (disc * rim * np.float32(alpha))
        sky = vertical(self._sky[0], self._sky[1], v)
        # screen blend: light brightens without ever clipping harshly
        return frame.upscale(1 - (1 - sky) * (1 - np.minimum(light, 1)))


class Waves:
    """Layered hills of colour across the lower part of the card, each casting a soft shadow."""

    __slots__ = ("_colors", "_layers", "_shadow", "_sky")

    def __init__(
        self,
        sky: tuple[str, str],
        layers: Sequence[str],
        *,
        seed: int,
        top: float = 0.6,
        bottom: float = 0.9,
        amplitude: float = 0.05,
        shadow: float = 0.35,
    ) -> None:
        gen = rng(seed)
        self._shadow = np.float32(shadow)
        self._sky = rgbs(list(sky)).T
        self._colors = rgbs(layers)
        self._layers = []
        count = len(layers)
        for j in range(count):
            level = top + (bottom - top) * j / max(1, count - 1)
            harmonics = [
                (
                    amplitude * gen.uniform(0.4, 1.0) / (k + 1),
                    gen.uniform(0.5, 1.2) * (k + 1),
                    gen.uniform(0, 2 * math.pi),
                )
                for k in range(3)
            ]
            self._layers.append((level, harmonics))

    def draw(self, width: int, height: int) -> Floats:
        frame = Frame(width, height, factor=2)
        u, v = frame.u(), frame.v()
        x, _ = frame.xy()
        out = np.broadcast_to(vertical(self._sky[0], self._sky[1], v), (3, *np.shape(u * v))).copy()
        cell = np.float32(frame.height / frame.grid[1])
        for j, (level, harmonics) in enumerate(self._layers):
            curve = np.full_like(x, np.float32(level))
            for amp, freq, phase in harmonics:
                curve += np.float32(amp) * np.sin(np.float32(2 * math.pi * freq) * x + phase)
            below = v - curve
            # shadow cast on what is behind, just above this layer's edge
            out *= 1 - self._shadow * np.exp(np.minimum(below, 0) / np.float32(0.025))
            cover = np.clip(below * np.float32(frame.height) / cell + 0.5, 0, 1)
            depth = np.clip(below / np.float32(0.35), 0, 1)
            color = self._colors[:, j, None, None] * (1 - np.float32(0.25) * depth)
            out += (color - out) * cover
        return frame.upscale(out)


class LowPoly:
    """Flat-shaded triangles over a diagonal gradient, facets lit a little differently each."""

    __slots__ = ("_calm", "_cell", "_jitter", "_shade", "_stops")

    def __init__(
        self, colors: Sequence[str], *, seed: int, cell: float = 0.11, calm: float = 0.6
    ) -> None:
        gen = rng(seed)
        self._stops = labs(colors)
        self._cell = cell
        self._calm = calm
        # size-independent tables: vertex jitter and facet shading for up to 64x64 cells
        self._jitter = gen.uniform(-0.38, 0.38, (65, 65, 2))
        self._shade = gen.uniform(-1.0, 1.0, (64, 64, 2))

    def draw(self, width: int, height: int) -> Floats:
        frame = Frame(width, height)
        cols = max(2, min(64, round(frame.kx / self._cell)))
        rows = max(2, min(64, round(frame.ky / self._cell)))
        i, j = np.meshgrid(np.arange(cols + 1), np.arange(rows + 1), indexing="xy")
        inner_x = (i > 0) & (i < cols)
        inner_y = (j > 0) & (j < rows)
        gu = (i + self._jitter[j, i, 0] * inner_x) / cols
        gv = (j + self._jitter[j, i, 1] * inner_y) / rows
        # two triangles per cell, the diagonal alternating so the facets do not all lean one way
        a = np.stack([i[:-1, :-1], j[:-1, :-1]], -1)
        b = np.stack([i[:-1, 1:], j[:-1, 1:]], -1)
        c = np.stack([i[1:, 1:], j[1:, 1:]], -1)
        d = np.stack([i[1:, :-1], j[1:, :-1]], -1)
        flip = ((np.arange(rows)[:, None] + np.arange(cols)[None, :]) % 2 == 1)[..., None, None]
        first = np.where(flip, np.stack([a, b, d], 2), np.stack([a, b, c], 2))
        second = np.where(flip, np.stack([b, c, d], 2), np.stack([a, c, d], 2))
        tris = np.stack([first, second], 2).reshape(-1, 3, 2)  # (cells * 2, corner, (i, j))
        pu = gu[tris[..., 1], tris[..., 0]]
        pv = gv[tris[..., 1], tris[..., 0]]
        mu, mv = pu.mean(axis=1), pv.mean(axis=1)
        lab = ramp(np.clip(0.6 * mu + 0.4 * mv, 0, 1), self._stops)
        calm = calm_centre(mu, mv, self._calm)
        lab[0] += np.float32(0.035) * self._shade[:rows, :cols].reshape(-1) * calm
        fills = np.rint(oklab_to_srgb(lab) * 255).astype(np.uint8).T
        image = Image.new("RGB", (width, height))
        draw = ImageDraw.Draw(image)
        for corners_u, corners_v, fill in zip(pu * width, pv * height, fills, strict=True):
            draw.polygon(
                list(zip(corners_u.tolist(), corners_v.tolist(), strict=True)),
                fill=tuple(fill.tolist()),
            )
        return np.asarray(image, dtype=np.float32).transpose(2, 0, 1) / np.float32(255)
