"""The raster path: backdrop, washes and shapes painted with numpy/Pillow, text filled from our
glyph outlines with AGG, emoji from Twemoji via resvg, then encoded per format (DESIGN.md
section 10: resvg only for what needs it). It draws what the SVG writer describes."""

from __future__ import annotations

import io
import math
import struct
import zlib
from functools import lru_cache
from typing import Literal

import numpy as np
import numpy.typing as npt
from PIL import Image

from ogplatform.render._glyphs import draw_text
from ogplatform.render.scene import (
    Layer,
    LinearGradient,
    Paint,
    RadialGradient,
    Rect,
    Scene,
    Solid,
    Stop,
    Text,
)
from ogplatform.render.svg import linear_gradient_line

__all__ = [
    "ImageFormat",
    "encode",
    "encode_png",
    "encode_png_pixels",
    "paint_image",
    "render_raster",
]

ImageFormat = Literal["png", "jpeg", "webp"]
CONTENT_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}


def render_raster(
    scene: Scene, fmt: ImageFormat = "png", *, photo: Image.Image | None = None
) -> bytes:
    """Draw ``scene`` and encode it. ``photo`` (RGB, scene-sized) is the backdrop when the
    scene's backdrop is None."""
    washes, layers = _split_washes(scene)
    if scene.backdrop is not None:
        base = _painted_base(scene.backdrop, washes, scene.width, scene.height).copy()
    elif photo is not None and photo.size == (scene.width, scene.height):
        base = photo.convert("RGBA")
        for wash in washes:
            base.alpha_composite(_wash_image(wash, scene.width, scene.height))
    else:
        raise ValueError("a scene without a backdrop needs a photo of the scene's size")
    for layer in layers:
        if isinstance(layer, Text):
            draw_text(base, layer)  # glyph outlines filled by AGG: fast, no area cost
        else:
            _draw_shape(base, scene, layer)
    return encode(base, fmt)


def _draw_shape(base: Image.Image, scene: Scene, rect: Rect) -> None:
    """A rectangle (rounded, gradient, translucent, stroked) from its signed distance field:
    anti-aliased edges, the same geometry and paint the SVG writer describes."""
    pad = rect.stroke_width / 2 + 1 if rect.stroke else 1
    left, top = max(0, math.floor(rect.x - pad)), max(0, math.floor(rect.y - pad))
    right = min(scene.width, math.ceil(rect.x + rect.width + pad))
    bottom = min(scene.height, math.ceil(rect.y + rect.height + pad))
    if right <= left or bottom <= top:
        return
    xs = np.arange(left, right, dtype=np.float32)[None, :] + 0.5
    ys = np.arange(top, bottom, dtype=np.float32)[:, None] + 0.5
    half_w, half_h = rect.width / 2, rect.height / 2
    radius = min(rect.radius, half_w, half_h)
    qx = np.abs(xs - (rect.x + half_w)) - (half_w - radius)
    qy = np.abs(ys - (rect.y + half_h)) - (half_h - radius)
    outside = np.hypot(np.maximum(qx, 0), np.maximum(qy, 0))
    distance = outside + np.minimum(np.maximum(qx, qy), 0) - radius  # < 0 inside
    rgb, alpha = _paint_box(rect.fill, xs, ys, rect)
    coverage = np.clip(0.5 - distance, 0, 1) * alpha * rect.opacity
    if isinstance(rect.fill, Solid):
        coverage = coverage * rect.fill.opacity
    layer = _rgba(rgb, coverage)
    if rect.stroke and rect.stroke_width:
        ring = np.clip(rect.stroke_width / 2 + 0.5 - np.abs(distance), 0, 1)
        colour = np.array(_rgb(rect.stroke), dtype=np.float32).reshape(1, 1, 3)
        stroke = _rgba(colour, ring * rect.stroke_opacity * rect.opacity)
        layer.alpha_composite(stroke)
    base.alpha_composite(layer, dest=(left, top))


def _paint_box(
    paint: Paint, xs: npt.NDArray[np.float32], ys: npt.NDArray[np.float32], rect: Rect
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """A paint's colour and alpha at the given pixel centres, laid out over ``rect``'s box."""
    if isinstance(paint, Solid):
        return np.array(_rgb(paint.color), dtype=np.float32).reshape(1, 1, 3), np.ones(
            (1, 1), dtype=np.float32
        )
    if isinstance(paint, LinearGradient):
        x1, y1, x2, y2 = linear_gradient_line(paint.angle, rect.x, rect.y, rect.width, rect.height)
        dx, dy = x2 - x1, y2 - y1
        norm = dx * dx + dy * dy
        t = (xs - x1) * (dx / norm) + (ys - y1) * (dy / norm)
    else:
        assert isinstance(paint, RadialGradient)
        cx, cy = rect.x + paint.cx * rect.width, rect.y + paint.cy * rect.height
        t = np.sqrt((xs - cx) ** 2 + (ys - cy) ** 2) / (paint.radius * rect.width)
    return _lookup(paint.stops, t.astype(np.float32))


def _rgba(rgb: npt.NDArray[np.float32], alpha: npt.NDArray[np.float32]) -> Image.Image:
    height, width = alpha.shape
    pixels = np.empty((height, width, 4), dtype=np.uint8)
    pixels[..., :3] = np.broadcast_to(rgb, (height, width, 3)).clip(0, 255).astype(np.uint8)
    pixels[..., 3] = (alpha * 255 + 0.5).clip(0, 255).astype(np.uint8)
    return Image.fromarray(pixels, "RGBA")


def _split_washes(scene: Scene) -> tuple[tuple[Rect, ...], tuple[Layer, ...]]:
    """Leading layers that cover the whole canvas (glows, scrims, dimming) are painted with
    numpy into the backdrop: resvg's time grows with the area it draws, and these are the
    biggest and the same for every card of a template."""
    washes: list[Rect] = []
    for layer in scene.layers:
        if not (isinstance(layer, Rect) and _covers(layer, scene.width, scene.height)):
            break
        washes.append(layer)
    return tuple(washes), scene.layers[len(washes) :]


def _covers(rect: Rect, width: int, height: int) -> bool:
    return (
        rect.x <= 0 and rect.y <= 0 and rect.x + rect.width >= width
        and rect.y + rect.height >= height and not rect.radius and not rect.stroke_width
    )  # fmt: skip


@lru_cache(maxsize=16)
def _painted_base(
    backdrop: Paint, washes: tuple[Rect, ...], width: int, height: int
) -> Image.Image:
    """Backdrop plus washes (RGBA), cached: the same for every card of a template and colours."""
    base = paint_image(backdrop, width, height).convert("RGBA")
    for wash in washes:
        base.alpha_composite(_wash_image(wash, width, height))
    return base


@lru_cache(maxsize=32)
def _wash_image(wash: Rect, width: int, height: int) -> Image.Image:
    """A full-canvas layer as an RGBA image, composited by Pillow in C (a few ms)."""
    rgb, alpha = _paint_rgba(wash.fill, width, height)
    dither = _bayer((height, width))
    pixels = np.empty((height, width, 4), dtype=np.uint8)
    pixels[..., :3] = (rgb + dither[..., None]).clip(0, 255).astype(np.uint8)
    pixels[..., 3] = (alpha * wash.opacity * 255 + dither).clip(0, 255).astype(np.uint8)
    return Image.fromarray(pixels, "RGBA")


def _paint_rgba(
    paint: Paint, width: int, height: int
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """A paint's colour and coverage over the canvas (0..255 and 0..1), as resvg would draw."""
    if isinstance(paint, Solid):
        rgb = np.array(_rgb(paint.color), dtype=np.float32).reshape(1, 1, 3)
        return np.broadcast_to(rgb, (height, width, 3)), np.full(
            (height, width), paint.opacity, dtype=np.float32
        )
    return _lookup(paint.stops, _positions(paint, width, height))


def _lookup(
    stops: tuple[Stop, ...], t: npt.NDArray[np.float32]
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """Colour and alpha along a gradient at positions ``t`` (a 1024-entry table, no banding)."""
    offsets = np.array([s.offset for s in stops], dtype=np.float32)
    colours = np.array([_rgb(s.color) for s in stops], dtype=np.float32)
    grid = np.linspace(0.0, 1.0, _LUT, dtype=np.float32)
    table = np.stack([np.interp(grid, offsets, colours[:, i]) for i in range(3)], axis=-1)
    alphas = np.interp(grid, offsets, np.array([s.opacity for s in stops], dtype=np.float32))
    index = np.clip(t * (_LUT - 1) + 0.5, 0, _LUT - 1).astype(np.int16)
    return table.astype(np.float32)[index], alphas.astype(np.float32)[index]


def encode(image: Image.Image, fmt: ImageFormat) -> bytes:
    """Encode with settings chosen for cards: fast PNG, good-looking JPEG/WebP."""
    out = io.BytesIO()
    rgb = image.convert("RGB")
    if fmt == "png":
        return encode_png(rgb)
    if fmt == "jpeg":
        rgb.save(out, "JPEG", quality=88, optimize=False, progressive=True, subsampling="4:2:0")
    elif fmt == "webp":
        rgb.save(out, "WEBP", quality=82, method=0)
    else:
        raise ValueError(f"unknown image format {fmt!r}")
    return out.getvalue()


def encode_png(image: Image.Image) -> bytes:
    """PNG with every row Sub-filtered and deflated at level 1.

    Pillow's encoder does not let us pick the filter and at its fast level leaves rows
    unfiltered; on a 1200x630 card the Sub filter plus zlib level 1 is about twice as fast
    and 15% smaller (benchmarks/cards.py). Lossless: decoders reverse the filter.
    """
    return encode_png_pixels(np.asarray(image.convert("RGB")))


def encode_png_pixels(pixels: npt.NDArray[np.uint8], *, sub_filter: bool = True) -> bytes:
    """:func:`encode_png` of an (height, width, 3 or 4) array; a fourth channel (alpha) is
    left out, so an opaque RGBA canvas needs no Pillow image.

    ``sub_filter=False`` leaves the rows unfiltered: better for flat fills crossed by thin
    lines (maps: 20 % smaller and a little faster, measured on US, Japan, Paris and world
    maps), where Sub turns every run of one colour into zeros but every line into noise."""
    if pixels.shape[2] == 4:  # Pillow drops the alpha fastest (4 against 10 ms, 1400x760)
        height, width = pixels.shape[:2]
        rgba = np.ascontiguousarray(pixels)
        rgb = Image.frombuffer("RGBA", (width, height), rgba, "raw", "RGBA", 0, 1).convert("RGB")
        pixels = np.asarray(rgb)
    # contiguous RGB: the filter below runs three times faster on it than on a strided view
    pixels = np.ascontiguousarray(pixels[:, :, :3])
    height, width, _ = pixels.shape
    rows = np.empty((height, width * 3 + 1), dtype=np.uint8)
    if sub_filter:
        rows[:, 0] = 1  # filter type Sub: each byte minus the byte one pixel to its left
        filtered = rows[:, 1:].reshape(height, width, 3)
        filtered[:, 0] = pixels[:, 0]
        np.subtract(pixels[:, 1:], pixels[:, :-1], out=filtered[:, 1:])  # wraps modulo 256
    else:
        rows[:, 0] = 0  # filter type None
        rows[:, 1:] = pixels.reshape(height, width * 3)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    data = zlib.compress(rows.data, 1)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", data)
        + _chunk(b"IEND", b"")
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@lru_cache(maxsize=16)
def paint_image(paint: Paint, width: int, height: int) -> Image.Image:
    """A paint over the whole canvas as an RGB image, matching what the SVG writer draws.

    Cached: a template with the same colours paints the same backdrop for every title.
    Callers must not modify the returned image.
    """
    if isinstance(paint, Solid):
        return Image.new("RGB", (width, height), paint.color)
    return Image.fromarray(_ramp(_positions(paint, width, height), paint.stops), "RGB")


def _positions(paint: Paint, width: int, height: int) -> npt.NDArray[np.float32]:
    """Where each pixel centre falls along a gradient (0..1 inside it)."""
    xs = np.arange(width, dtype=np.float32)[None, :] + 0.5  # pixel centres, as resvg samples
    ys = np.arange(height, dtype=np.float32)[:, None] + 0.5
    if isinstance(paint, LinearGradient):
        x1, y1, x2, y2 = linear_gradient_line(paint.angle, 0, 0, width, height)
        dx, dy = x2 - x1, y2 - y1
        norm = dx * dx + dy * dy
        t = (xs - x1) * (dx / norm) + (ys - y1) * (dy / norm)
    else:
        assert isinstance(paint, RadialGradient)
        cx, cy, r = paint.cx * width, paint.cy * height, paint.radius * width
        t = np.sqrt((xs - cx) ** 2 + (ys - cy) ** 2) / r
    result: npt.NDArray[np.float32] = t.astype(np.float32)
    return result


def _ramp(t: npt.NDArray[np.float32], stops: tuple[Stop, ...]) -> npt.NDArray[np.uint8]:
    """Colours along the gradient, looked up in a 1024-entry table, dithered."""
    offsets = np.array([s.offset for s in stops], dtype=np.float32)
    alphas = np.array([s.opacity for s in stops], dtype=np.float32)
    # A backdrop is opaque: translucent stops are blended over black, as over an empty canvas.
    colours = np.array([_rgb(s.color) for s in stops], dtype=np.float32) * alphas[:, None]
    grid = np.linspace(0.0, 1.0, _LUT, dtype=np.float32)
    table = np.stack([np.interp(grid, offsets, colours[:, i]) for i in range(3)], axis=-1)
    index = np.clip(t * (_LUT - 1) + 0.5, 0, _LUT - 1).astype(np.int16)
    # Ordered noise of under one 8-bit step hides banding in wide, slow gradients.
    dither = _bayer(index.shape)[..., None]
    out: npt.NDArray[np.uint8] = (table[index] + dither).clip(0, 255).astype(np.uint8)
    return out


_LUT = 1024


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def _bayer(shape: tuple[int, ...]) -> npt.NDArray[np.float32]:
    matrix = (
        np.array([[0, 8, 2, 10], [12, 4, 14, 6], [3, 11, 1, 9], [15, 7, 13, 5]], dtype=np.float32)
        / 16.0
        + 1 / 32
    )  # 0..1: truncation below then rounds on average
    reps = (math.ceil(shape[0] / 4), math.ceil(shape[1] / 4))
    return np.tile(matrix, reps)[: shape[0], : shape[1]]
