"""What every generator is, and the small colour helpers they share."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

from ogplatform.builtin.backgrounds._color import Floats, f32, hex_to_rgb, srgb_to_oklab

__all__ = ["Art", "calm_centre", "column", "labs", "ramp", "rgbs", "vertical"]


class Art(Protocol):
    """A generator with its palette and seed fixed: draws (3, h, w) sRGB floats in 0..1."""

    def draw(self, width: int, height: int) -> Floats: ...


def rgbs(colors: Sequence[str]) -> Floats:
    """Hex colours -> sRGB 0..1, channels first: shape (3, n)."""
    return (
        np.stack([hex_to_rgb(c) for c in colors], axis=1)
        if colors
        else np.zeros((3, 0), np.float32)
    )


def labs(colors: Sequence[str]) -> Floats:
    """Hex colours -> OKLab, channels first: shape (3, n)."""
    return srgb_to_oklab(rgbs(colors))


def column(values: Floats, i: int) -> Floats:
    """Colour ``i`` of a (3, n) palette, shaped (3, 1, 1) to broadcast over an image."""
    return values[:, i, None, None]


def ramp(t: Floats, stops: Floats, *, cyclic: bool = False) -> Floats:
    """Colours (3, n) spread evenly over 0..1, sampled at ``t``: a (3, *t.shape) gradient."""
    if cyclic:
        stops = np.concatenate([stops, stops[:, :1]], axis=1)
        t = np.mod(t, 1.0)
    at = np.linspace(0.0, 1.0, stops.shape[1], dtype=np.float32)
    flat = np.ravel(t)
    out = np.stack([np.interp(flat, at, channel) for channel in stops])
    return out.reshape((3, *np.shape(t))).astype(np.float32)


def calm_centre(u: npt.ArrayLike, v: npt.ArrayLike, amount: float) -> Floats:
    """How much detail to keep at (u, v): 1 at the edges, ``1 - amount`` in the middle.

    The middle is where a card's title sits: an ellipse a little wider than the text block.
    """
    du = (np.asarray(u, np.float32) - np.float32(0.5)) / np.float32(0.3)
    dv = (np.asarray(v, np.float32) - np.float32(0.52)) / np.float32(0.25)
    return f32(1 - np.float32(amount) * np.exp(-(du * du) - dv * dv))


def vertical(top: Floats, bottom: Floats, v: Floats, ease: float = 1.0) -> Floats:
    """A top-to-bottom gradient between two (3,) colours at rows ``v``: shape (3, rows, 1)."""
    t = np.power(np.clip(v, 0.0, 1.0), ease)
    return (top[:, None, None] + (bottom - top)[:, None, None] * t[None]).astype(np.float32)
