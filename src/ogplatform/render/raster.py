"""The raster path: backdrop painted with numpy/Pillow, everything above it drawn by resvg from
the same SVG the writer makes, composited, then encoded (DESIGN.md section 10: resvg only for
what needs it, Pillow for the rest, encoders chosen per format)."""

from __future__ import annotations

import io
import math
from functools import lru_cache
from typing import Literal

import msgspec
import numpy as np
import numpy.typing as npt
import resvg_py
from PIL import Image

from ogplatform.render.scene import (
    Layer,
    LinearGradient,
    Paint,
    RadialGradient,
    Rect,
    Scene,
    Solid,
    Stop,
)
from ogplatform.render.svg import linear_gradient_line, scene_svg

__all__ = ["ImageFormat", "encode", "paint_image", "render_raster"]

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
    rest = msgspec.structs.replace(scene, layers=layers)
    region = _layers_region(rest)
    if region is not None:
        overlay = resvg_py.svg_to_bytes(
            svg_string=scene_svg(rest, backdrop=False, viewport=region),
            skip_system_fonts=True,  # text is already outlines: no fonts to look up
        )
        layer = Image.open(io.BytesIO(bytes(overlay))).convert("RGBA")
        base.alpha_composite(layer, dest=region[:2])
    return encode(base, fmt)


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
    t = _positions(paint, width, height)
    offsets = np.array([s.offset for s in paint.stops], dtype=np.float32)
    colours = np.array([_rgb(s.color) for s in paint.stops], dtype=np.float32)
    grid = np.linspace(0.0, 1.0, _LUT, dtype=np.float32)
    table = np.stack([np.interp(grid, offsets, colours[:, i]) for i in range(3)], axis=-1)
    alphas = np.interp(grid, offsets, np.array([s.opacity for s in paint.stops], dtype=np.float32))
    index = np.clip(t * (_LUT - 1) + 0.5, 0, _LUT - 1).astype(np.int16)
    return table.astype(np.float32)[index], alphas.astype(np.float32)[index]


def _layers_region(scene: Scene) -> tuple[int, int, int, int] | None:
    """The part of the canvas the layers can touch, with a margin for overhanging glyphs;
    resvg's time grows with the pixels it renders and encodes."""
    boxes = [
        (layer.x, layer.y, layer.width, layer.height)
        if isinstance(layer, Rect)
        else (layer.x, layer.y, layer.block.box_width, layer.block.height)
        for layer in scene.layers
    ]
    if not boxes:
        return None
    margin = 24
    left = max(0, math.floor(min(x for x, _, _, _ in boxes)) - margin)
    top = max(0, math.floor(min(y for _, y, _, _ in boxes)) - margin)
    right = min(scene.width, math.ceil(max(x + w for x, _, w, _ in boxes)) + margin)
    bottom = min(scene.height, math.ceil(max(y + h for _, y, _, h in boxes)) + margin)
    if right <= left or bottom <= top:
        return None
    return left, top, right - left, bottom - top


def encode(image: Image.Image, fmt: ImageFormat) -> bytes:
    """Encode with settings chosen for cards: fast PNG, good-looking JPEG/WebP."""
    out = io.BytesIO()
    rgb = image.convert("RGB")
    if fmt == "png":
        rgb.save(out, "PNG", compress_level=1)  # 18 ms vs 30+ at level 6 (DESIGN.md 10)
    elif fmt == "jpeg":
        rgb.save(out, "JPEG", quality=88, optimize=False, progressive=True, subsampling="4:2:0")
    elif fmt == "webp":
        rgb.save(out, "WEBP", quality=82, method=0)
    else:
        raise ValueError(f"unknown image format {fmt!r}")
    return out.getvalue()


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
