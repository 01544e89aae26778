"""The SVG writer: a scene as a self-contained SVG document.

Text is written as glyph outlines (defined once, placed with ``<use>``), so the drawing is
exact and needs no fonts; user text only ever appears escaped inside ``<title>``. Nothing
references anything outside the document except an optional photo given as a ``data:`` URI.
"""

from __future__ import annotations

import math
import re

from ogplatform.render._outlines import GlyphKey, glyph_path, run_glyphs
from ogplatform.render._types import TextBlock
from ogplatform.render.emoji import emoji_svg
from ogplatform.render.scene import (
    LinearGradient,
    Paint,
    RadialGradient,
    Rect,
    Scene,
    Solid,
    Text,
)

__all__ = ["linear_gradient_line", "scene_svg", "xml_text"]

# Characters XML 1.0 forbids (controls, surrogates, U+FFFE/FFFF): dropped, never written.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """``text`` safe as XML character data or a double-quoted attribute value."""
    # & first; written out rather than xml.sax.saxutils.escape, whose import pulls in
    # urllib, http.client and email (~10 ms of every cold start)
    clean = _NOT_XML.sub("", text)
    return (
        clean.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&apos;")
    )


def linear_gradient_line(
    angle: float, x: float, y: float, width: float, height: float
) -> tuple[float, float, float, float]:
    """Start and end of a CSS gradient line (angle in degrees, 0 = up) across a box."""
    rad = math.radians(angle)
    dx, dy = math.sin(rad), -math.cos(rad)
    half = (abs(width * dx) + abs(height * dy)) / 2
    cx, cy = x + width / 2, y + height / 2
    return cx - dx * half, cy - dy * half, cx + dx * half, cy + dy * half


class _Writer:
    def __init__(self) -> None:
        self.defs: list[str] = []
        self.body: list[str] = []
        self.glyph_ids: dict[GlyphKey, str] = {}

    def paint(self, paint: Paint, box: tuple[float, float, float, float]) -> str:
        """A fill attribute value for ``paint`` over ``box``; gradients go into <defs>."""
        if isinstance(paint, Solid):
            return paint.color
        gid = f"p{len(self.defs)}"
        stops = "".join(
            f'<stop offset="{s.offset:g}" stop-color="{s.color}" stop-opacity="{s.opacity:g}"/>'
            for s in paint.stops
        )
        x, y, w, h = box
        if isinstance(paint, LinearGradient):
            x1, y1, x2, y2 = linear_gradient_line(paint.angle, x, y, w, h)
            self.defs.append(
                f'<linearGradient id="{gid}" gradientUnits="userSpaceOnUse" x1="{x1:.2f}" '
                f'y1="{y1:.2f}" x2="{x2:.2f}" y2="{y2:.2f}">{stops}</linearGradient>'
            )
        else:
            assert isinstance(paint, RadialGradient)
            self.defs.append(
                f'<radialGradient id="{gid}" gradientUnits="userSpaceOnUse" '
                f'cx="{x + paint.cx * w:.2f}" cy="{y + paint.cy * h:.2f}" '
                f'r="{paint.radius * w:.2f}">{stops}</radialGradient>'
            )
        return f"url(#{gid})"

    def rect(self, rect: Rect) -> None:
        box = (rect.x, rect.y, rect.width, rect.height)
        attrs = (
            f'x="{rect.x:.2f}" y="{rect.y:.2f}" width="{rect.width:.2f}" '
            f'height="{rect.height:.2f}" fill="{self.paint(rect.fill, box)}"'
        )
        if rect.radius:
            attrs += f' rx="{rect.radius:.2f}"'
        opacity = rect.opacity * (rect.fill.opacity if isinstance(rect.fill, Solid) else 1.0)
        if opacity < 1:
            attrs += f' fill-opacity="{opacity:g}"'
        if rect.stroke and rect.stroke_width:
            attrs += (
                f' stroke="{rect.stroke}" stroke-width="{rect.stroke_width:g}"'
                f' stroke-opacity="{rect.stroke_opacity * rect.opacity:g}"'
            )
        self.body.append(f"<rect {attrs}/>")

    def text(self, text: Text) -> None:
        block = text.block
        size = block.font_size
        parts: list[str] = []
        for line in block.lines:
            baseline = text.y + line.baseline_y
            for run in line.runs:
                left = text.x + run.x
                if run.emoji:
                    parts.append(_emoji(run.text, left, baseline, block))
                    continue
                glyphs, scale = run_glyphs(run, size)
                uses = "".join(
                    f'<use href="#{self._glyph(key)}" x="{gx:g}" y="{-gy:g}"/>'
                    for key, gx, gy in glyphs
                    if glyph_path(key)
                )
                if uses:
                    parts.append(
                        f'<g transform="translate({left:.2f} {baseline:.2f}) '
                        f'scale({scale:.6f} {-scale:.6f})">{uses}</g>'
                    )
        opacity = f' fill-opacity="{text.opacity:g}"' if text.opacity < 1 else ""
        self.body.append(f'<g fill="{text.color}"{opacity}>{"".join(parts)}</g>')

    def _glyph(self, key: GlyphKey) -> str:
        known = self.glyph_ids.get(key)
        if known is None:
            known = self.glyph_ids[key] = f"g{len(self.glyph_ids)}"
            self.defs.append(f'<path id="{known}" d="{glyph_path(key)}"/>')
        return known


def _emoji(cluster: str, x: float, baseline: float, block: TextBlock) -> str:
    drawing = emoji_svg(cluster)
    if drawing is None:
        return ""
    # Twemoji's 36-unit square, 1 em wide, centred between the line's ascent and descent.
    size = block.font_size
    y = baseline - block.ascent + (block.ascent + block.descent - size) / 2
    return (
        f'<svg x="{x:.2f}" y="{y:.2f}" width="{size:.2f}" height="{size:.2f}" '
        f'viewBox="0 0 36 36">{drawing}</svg>'
    )


def scene_svg(
    scene: Scene,
    *,
    photo_href: str | None = None,
    backdrop: bool = True,
    viewport: tuple[int, int, int, int] | None = None,
) -> str:
    """The scene as SVG.

    Args:
        photo_href: A ``data:`` URI of the photo for a scene whose backdrop is None.
        backdrop: False leaves the backdrop out (the raster path paints it itself and
            composites this transparent layer on top).
        viewport: ``(x, y, width, height)``: draw only that part of the canvas (the raster
            path renders just the region its layers cover).
    """
    writer = _Writer()
    w, h = scene.width, scene.height
    if backdrop and scene.backdrop is not None:
        fill = writer.paint(scene.backdrop, (0, 0, w, h))
        writer.body.append(f'<rect width="{w}" height="{h}" fill="{fill}"/>')
    elif backdrop and photo_href is not None:
        if not photo_href.startswith("data:image/"):
            raise ValueError("the photo must be embedded as a data:image/... URI")
        writer.body.append(
            f'<image width="{w}" height="{h}" preserveAspectRatio="xMidYMid slice" '
            f'href="{xml_text(photo_href)}"/>'
        )
    for layer in scene.layers:
        if isinstance(layer, Rect):
            writer.rect(layer)
        else:
            writer.text(layer)
    title = f"<title>{xml_text(scene.title)}</title>" if scene.title else ""
    vx, vy, vw, vh = viewport or (0, 0, w, h)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{vw}" height="{vh}" '
        f'viewBox="{vx} {vy} {vw} {vh}" role="img">{title}<defs>{"".join(writer.defs)}</defs>'
        f"{''.join(writer.body)}</svg>"
    )
