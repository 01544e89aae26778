"""The drawing surface the generators share: normalized coordinates, upscaling, grain and output.

Images are float32 sRGB in 0..1, channels first ``(3, h, w)``: a per-pixel mask then broadcasts
over the colour channels without a slow innermost axis of length 3. Smooth fields (gradients,
glows, noise) are computed on a grid a few times smaller than the output and upscaled; only
crisp things (lines, dots, edges) are drawn at full size. Coordinates are normalized so a
composition scales with the canvas instead of being cropped from a fixed one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt
from numpy.random import PCG64, Generator
from PIL import Image

from ogplatform.builtin.backgrounds._color import Floats

__all__ = ["Frame", "finish", "grain", "rng", "upscale"]

_BLOCK = 48  # rows per block: small temporaries are reused by malloc, big ones page-fault
_DITHER = 1.2  # grain std (8-bit steps) that still hides banding in slow gradients
_GRAIN_TILE = 512  # repeats are invisible at grain strength, and it is computed only once


def rng(seed: int, stream: int = 0) -> Generator:
    """An independent, reproducible random stream for one generator and purpose."""
    return Generator(PCG64([seed, stream]))


@dataclass(frozen=True, slots=True)
class Frame:
    """A ``width`` x ``height`` canvas sampled on a grid ``factor`` times smaller.

    ``u``/``v`` run from 0 to 1 across the canvas (at pixel centres); ``kx``/``ky`` turn
    differences in ``u``/``v`` into isotropic units (1 = the geometric mean of the two sides),
    so circles stay round at any aspect ratio.
    """

    width: int
    height: int
    factor: int = 1

    @property
    def grid(self) -> tuple[int, int]:
        """(columns, rows) of the sampling grid (at least 2x2 when reduced: gradients need two)."""
        if self.factor == 1:
            return self.width, self.height
        return (
            max(2, math.ceil(self.width / self.factor)),
            max(2, math.ceil(self.height / self.factor)),
        )

    @property
    def kx(self) -> float:
        return math.sqrt(self.width / self.height)

    @property
    def ky(self) -> float:
        return math.sqrt(self.height / self.width)

    @property
    def pixel(self) -> float:
        """One output pixel in isotropic units (the width of an anti-aliased edge)."""
        return 1.0 / math.sqrt(self.width * self.height)

    def u(self) -> Floats:
        """Horizontal position of each grid column, shape (1, columns)."""
        columns = self.grid[0]
        return ((np.arange(columns, dtype=np.float32) + 0.5) / np.float32(columns))[None, :]

    def v(self) -> Floats:
        """Vertical position of each grid row, shape (rows, 1)."""
        rows = self.grid[1]
        return ((np.arange(rows, dtype=np.float32) + 0.5) / np.float32(rows))[:, None]

    def xy(self) -> tuple[Floats, Floats]:
        """Isotropic coordinates centred on the canvas, shapes (1, columns) and (rows, 1)."""
        return (self.u() - 0.5) * np.float32(self.kx), (self.v() - 0.5) * np.float32(self.ky)

    def upscale(self, field: Floats) -> Floats:
        """A field computed on this grid, at the canvas's full size."""
        return upscale(field, self.width, self.height)


def _taps(n_out: int, n_in: int) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], Floats]:
    """Source indices and weights for linear resampling along one axis (pixel centres align)."""
    pos = np.clip((np.arange(n_out, dtype=np.float32) + 0.5) * (n_in / n_out) - 0.5, 0, n_in - 1)
    lo = np.floor(pos).astype(np.intp)
    hi = np.minimum(lo + 1, n_in - 1)
    return lo, hi, (pos - lo).astype(np.float32)


def upscale(field: Floats, width: int, height: int) -> Floats:
    """Linear upscale of the last two axes of a smooth field to ``height`` x ``width``.

    Separable gathers in numpy, columns first (on the few source rows) and then rows in blocks,
    so the only full-size array allocated is the result: page faults on fresh full-size
    temporaries cost more than the arithmetic. Indistinguishable from bicubic on smooth fields.
    """
    if field.shape[-2:] == (height, width):
        return field.astype(np.float32, copy=False)
    lo, hi, t = _taps(width, field.shape[-1])
    left = np.take(field, lo, axis=-1)
    cols = left + t * (np.take(field, hi, axis=-1) - left)
    lo, _, t = _taps(height, field.shape[-2])
    out = np.take(cols, lo, axis=-2)
    rises = np.diff(cols, axis=-2, append=cols[..., -1:, :])  # row i+1 minus row i, per source row
    for start in range(0, height, _BLOCK):
        rows = slice(start, start + _BLOCK)
        step = np.take(rises, lo[rows], axis=-2)
        step *= t[rows, None]
        out[..., rows, :] += step
    return out


@cache
def _grain_tile() -> Floats:
    return Generator(PCG64(0x6F67)).standard_normal((_GRAIN_TILE, _GRAIN_TILE), dtype=np.float32)


def grain(width: int, height: int, seed: int) -> Floats:
    """Unit-variance film grain of the given size, taken from a shared tile at a seeded offset."""
    oy, ox = divmod(seed * 7919 % (_GRAIN_TILE * _GRAIN_TILE), _GRAIN_TILE)
    rows = (np.arange(height) + oy) % _GRAIN_TILE
    cols = (np.arange(width) + ox) % _GRAIN_TILE
    return np.take(np.take(_grain_tile(), rows, axis=0), cols, axis=1)


def finish(rgb: Floats, *, grain_amount: float, seed: int) -> Image.Image:
    """A (3, h, w) sRGB 0..1 image -> 8-bit RGB, with monochrome grain that also dithers.

    ``grain_amount`` is the grain's standard deviation in 8-bit steps on a 1200x630 card: about
    1.5 is invisible dither that removes banding, 6 and more is visible film grain.
    """
    height, width = rgb.shape[1:]
    out = rgb * np.float32(255.0)
    out += np.float32(0.5)
    # grain is specified for a 1200x630 card; a smaller image gets the grain that card would
    # have once scaled down (averaging k x k pixels divides it by k), but never less than dither
    scaled = grain_amount * min(1.0, math.sqrt(width * height / (1200 * 630)))
    amount = max(scaled, min(grain_amount, _DITHER))
    if amount > 0:
        out += grain(width, height, seed) * np.float32(amount)
    np.clip(out, 0, 255, out=out)
    channels = out.astype(np.uint8)
    return Image.merge("RGB", [Image.fromarray(channel) for channel in channels])
