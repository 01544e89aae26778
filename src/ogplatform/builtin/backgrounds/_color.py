"""Colour maths for the generators: hex parsing, sRGB <-> OKLab, luminance and contrast.

Gradients are mixed in OKLab because mixing in sRGB turns the midpoint between two saturated
colours grey and muddy; OKLab keeps it bright and hue-true.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "Floats",
    "contrast",
    "f32",
    "hex_to_rgb",
    "linear_to_srgb",
    "luminance",
    "oklab_to_srgb",
    "rgb_to_hex",
    "srgb_to_linear",
    "srgb_to_oklab",
    "tone_of",
]

Floats = npt.NDArray[np.float32]

_HEX = re.compile(r"#?([0-9a-fA-F]{6})")

# Björn Ottosson's OKLab matrices (linear sRGB -> LMS -> Lab and back).
_TO_LMS = np.array(
    [
        [0.4122214708, 0.5363325363, 0.0514459929],
        [0.2119034982, 0.6806995451, 0.1073969566],
        [0.0883024619, 0.2817188376, 0.6299787005],
    ],
    dtype=np.float32,
)
_LMS_TO_LAB = np.array(
    [
        [0.2104542553, 0.7936177850, -0.0040720468],
        [1.9779984951, -2.4285922050, 0.4505937099],
        [0.0259040371, 0.7827717662, -0.8086757660],
    ],
    dtype=np.float32,
)
_FROM_LMS = np.linalg.inv(_TO_LMS.astype(np.float64)).astype(np.float32)
_LAB_TO_LMS = np.linalg.inv(_LMS_TO_LAB.astype(np.float64)).astype(np.float32)


def f32(values: Any) -> Floats:
    """``values`` as a float32 array, copied only when it is not one already.

    numpy's stubs type many float32 expressions as Any or float64; this states the runtime type.
    """
    return np.asarray(values, dtype=np.float32)


def hex_to_rgb(value: str) -> Floats:
    """``'#rrggbb'`` -> sRGB floats in 0..1, shape (3,)."""
    match = _HEX.fullmatch(value)
    if match is None:
        raise ValueError(f"not a #rrggbb colour: {value!r}")
    digits = match.group(1)
    return np.array([int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)], dtype=np.float32)


def rgb_to_hex(rgb: npt.ArrayLike) -> str:
    """sRGB 0..255 (floats or ints, shape (3,)) -> ``'#rrggbb'``."""
    r, g, b = (round(float(c)) for c in np.clip(np.asarray(rgb, dtype=np.float64), 0, 255))
    return f"#{r:02x}{g:02x}{b:02x}"


def srgb_to_linear(c: Floats) -> Floats:
    c = np.asarray(c, dtype=np.float32)
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4).astype(np.float32)


def linear_to_srgb(c: Floats) -> Floats:
    c = np.clip(c, 0.0, 1.0)
    return np.where(c <= 0.0031308, c * 12.92, 1.055 * c ** (1 / 2.4) - 0.055).astype(np.float32)


def _apply(matrix: Floats, channels: Floats) -> Floats:
    """Multiply every colour of a channels-first array (3, ...) by a 3x3 matrix."""
    flat = np.asarray(channels, np.float32).reshape(3, -1)
    return (matrix @ flat).reshape(np.shape(channels)).astype(np.float32, copy=False)


def srgb_to_oklab(rgb: Floats) -> Floats:
    """sRGB 0..1, channels first (3, ...) -> OKLab, same shape."""
    return _apply(_LMS_TO_LAB, np.cbrt(_apply(_TO_LMS, srgb_to_linear(rgb))))


def oklab_to_srgb(lab: Floats) -> Floats:
    """OKLab, channels first (3, ...) -> sRGB 0..1 (clipped to the gamut), same shape."""
    return linear_to_srgb(_apply(_FROM_LMS, _apply(_LAB_TO_LMS, lab) ** 3))


def luminance(rgb255: npt.ArrayLike) -> float:
    """WCAG relative luminance of an sRGB colour given in 0..255."""
    lin = srgb_to_linear(np.asarray(rgb255, dtype=np.float32) / np.float32(255))
    return float(0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2])


def contrast(a: float, b: float) -> float:
    """WCAG contrast ratio of two relative luminances."""
    hi, lo = max(a, b), min(a, b)
    return (hi + 0.05) / (lo + 0.05)


def tone_of(rgb255: npt.ArrayLike) -> str:
    """``'dark'`` when white text contrasts better than black on this colour, else ``'light'``."""
    lum = luminance(rgb255)
    return "dark" if contrast(1.0, lum) >= contrast(0.0, lum) else "light"
