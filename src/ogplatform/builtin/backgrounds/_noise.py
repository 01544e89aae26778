"""Deterministic, vectorized gradient noise (Perlin-style) and fractal sums of it.

Everything random comes from ``numpy.random.Generator(PCG64(seed))``: never the global RNG, so
a background looks the same in every process.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ogplatform.builtin.backgrounds._canvas import rng
from ogplatform.builtin.backgrounds._color import Floats, f32

__all__ = ["Noise"]


class Noise:
    """2-D gradient noise with its own permutation table; values roughly in -1..1.

    Fastest when x varies only along columns and y only along rows (shapes (1, w) and (h, 1)):
    the first hash lookup is then done once per column instead of once per point.
    """

    __slots__ = ("_gx", "_gy", "_perm")

    def __init__(self, seed: int) -> None:
        gen = rng(seed, stream=1)
        perm = gen.permutation(256).astype(np.intp)
        self._perm: npt.NDArray[np.intp] = np.concatenate([perm, perm, perm[:1]])
        angles = gen.uniform(0, 2 * np.pi, 256)
        # the gradient tables are pre-permuted, so a lattice point costs one lookup per axis
        hashed = np.concatenate([perm, perm])
        self._gx: Floats = np.cos(angles)[hashed].astype(np.float32)
        self._gy: Floats = np.sin(angles)[hashed].astype(np.float32)

    def __call__(self, x: npt.ArrayLike, y: npt.ArrayLike) -> Floats:
        """Noise at points (x, y) (broadcast together); one lattice cell per unit."""
        xs = np.asarray(x, np.float32)
        ys = np.asarray(y, np.float32)
        x0, y0 = np.floor(xs), np.floor(ys)
        fx, fy = xs - x0, ys - y0
        xi = x0.astype(np.intp) & 255
        yi = y0.astype(np.intp) & 255
        left, right = np.take(self._perm, xi), np.take(self._perm, xi + 1)

        def corner(column: npt.NDArray[np.intp], dy: int) -> tuple[Floats, Floats]:
            index = column + (yi + dy)
            return np.take(self._gx, index), np.take(self._gy, index)

        gx, gy = corner(left, 0)
        n00 = gx * fx + gy * fy
        gx, gy = corner(right, 0)
        n10 = gx * (fx - 1) + gy * fy
        gx, gy = corner(left, 1)
        n01 = gx * fx + gy * (fy - 1)
        gx, gy = corner(right, 1)
        n11 = gx * (fx - 1) + gy * (fy - 1)
        # quintic fade: continuous second derivative, so no creases in upscaled gradients
        sx = fx * fx * fx * (fx * (fx * 6 - 15) + 10)
        sy = fy * fy * fy * (fy * (fy * 6 - 15) + 10)
        top = n00 + sx * (n10 - n00)
        bottom = n01 + sx * (n11 - n01)
        return f32((top + sy * (bottom - top)) * np.float32(1.4))

    def fbm(
        self, x: npt.ArrayLike, y: npt.ArrayLike, octaves: int = 4, gain: float = 0.5
    ) -> Floats:
        """Fractal sum of ``octaves`` noise layers, each twice the frequency; about -1..1."""
        xs, ys = np.asarray(x, np.float32), np.asarray(y, np.float32)
        total: Floats = np.zeros(np.broadcast_shapes(xs.shape, ys.shape), np.float32)
        amp, norm, freq = 1.0, 0.0, 1.0
        for octave in range(octaves):
            # offset each octave so the lattices do not line up at the origin
            shift = np.float32(17.31 * octave)
            total += np.float32(amp) * self(xs * np.float32(freq) + shift, ys * np.float32(freq))
            norm += amp
            amp *= gain
            freq *= 2.0
        return (total / np.float32(norm)).astype(np.float32, copy=False)
