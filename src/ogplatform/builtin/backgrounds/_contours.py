"""Line patterns that follow a field: topographic contours, flowing lines, concentric rings."""

from __future__ import annotations

import numpy as np

from ogplatform.builtin.backgrounds._canvas import Frame
from ogplatform.builtin.backgrounds._color import Floats, f32
from ogplatform.builtin.backgrounds._noise import Noise
from ogplatform.builtin.backgrounds._patterns import HAIRLINE, line_coverage, periodic

__all__ = ["Contours", "Rings"]


class Contours:
    """Iso-lines of a noise field, every ``major``-th one stronger.

    ``terrain`` draws a topographic map of fractal noise; otherwise the field is the vertical
    position bent by noise, which draws ``levels`` gently flowing, roughly horizontal lines.
    """

    __slots__ = ("_levels", "_major", "_noise", "_scale", "_terrain", "_warp", "_width")

    def __init__(
        self,
        *,
        seed: int,
        levels: float = 12.0,
        terrain: bool = True,
        scale: float = 1.4,
        warp: float = 0.35,
        width: float = 1.0,
        major: int = 5,
    ) -> None:
        self._noise = Noise(seed)
        self._levels, self._terrain, self._scale = levels, terrain, scale
        self._warp, self._width, self._major = warp, width, major

    def _field(self, frame: Frame) -> Floats:
        x, y = frame.xy()
        s = np.float32(self._scale)
        if self._terrain:
            height = self._noise.fbm(x * s, y * s, 4, gain=0.45)
        else:
            height = y + np.float32(self._warp) * self._noise.fbm(x * s, y * s, 3)
        return (height * np.float32(self._levels)).astype(np.float32)

    def coverage(self, frame: Frame) -> Floats:
        small = Frame(frame.width, frame.height, factor=4)
        field = self._field(small)
        # slope in levels per output pixel, so the anti-aliased width stays ~constant in pixels
        rise_y, rise_x = np.gradient(field)
        factor = np.float32(small.width / small.grid[0])
        slope = np.hypot(rise_x, rise_y) / factor
        full = small.upscale(np.stack([field, slope]))
        distance = periodic(full[0], 1.0) / np.maximum(full[1], np.float32(1e-4))
        line = line_coverage(distance, np.float32(self._width * HAIRLINE / frame.pixel))
        if self._major > 0:
            # index lines (every major-th level) at full strength, the others at half
            line *= np.float32(0.5) + np.float32(0.5) * (periodic(full[0], self._major) < 0.5)
        return line


class Rings:
    """Concentric circles around (u, v) from ``inner`` outwards, every ``step``: orbits, ripples."""

    __slots__ = ("_centre", "_fade", "_inner", "_step", "_width")

    def __init__(
        self,
        centre: tuple[float, float],
        *,
        inner: float = 0.1,
        step: float = 0.07,
        width: float = 1.0,
        fade: float = 1.2,
    ) -> None:
        self._centre, self._inner, self._step = centre, inner, step
        self._width, self._fade = width, fade

    def coverage(self, frame: Frame) -> Floats:
        dx = (frame.u() - np.float32(self._centre[0])) * np.float32(frame.kx)
        dy = (frame.v() - np.float32(self._centre[1])) * np.float32(frame.ky)
        radius = np.sqrt(dx * dx + dy * dy)
        px = np.float32(1 / frame.pixel)
        offset = np.maximum(radius - np.float32(self._inner), np.float32(-self._step / 2))
        line = line_coverage(periodic(offset * px, self._step * px), self._width * HAIRLINE * px)
        # rings grow fainter outward, so the outermost do not end in a hard edge
        return f32(line * np.clip(1 - radius / np.float32(self._fade), 0, 1))
