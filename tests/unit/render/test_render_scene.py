"""The card scene drawn two ways: SVG (outlines, escaped, self-contained) and raster (hybrid)."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import numpy as np
import pytest
import resvg_py
from PIL import Image

from ogplatform.render import FontLibrary, TextStyle, fit_text, layout_text
from ogplatform.render.emoji import emoji_svg
from ogplatform.render.raster import paint_image, render_raster
from ogplatform.render.scene import (
    LinearGradient,
    RadialGradient,
    Rect,
    Scene,
    Solid,
    Stop,
    Text,
)
from ogplatform.render.svg import scene_svg

SVG = "{http://www.w3.org/2000/svg}"
# Elements a card SVG may contain: ours, and the shapes Twemoji drawings use.
ALLOWED = {"svg", "title", "defs", "path", "use", "g", "rect", "linearGradient",
           "radialGradient", "stop", "image", "circle", "ellipse", "polygon"}  # fmt: skip
HOSTILE = [
    "<script>alert(1)</script>",
    '"/><image href="https://evil.example/x.png"/>',
    "<!DOCTYPE x [<!ENTITY a 'aaaa'>]>&a;&a;",
    "\u202eevil\u202c right-to-left override",
    "nul\x00byte and \x1b escape",
    "x" * 10_000,
]


@pytest.fixture(scope="module")
def fonts() -> FontLibrary:
    return FontLibrary()


def card(fonts: FontLibrary, title: str, *, text: str = "#ffffff") -> Scene:
    block = fit_text(title, TextStyle("Inter", weight=800, line_height=1.1), fonts=fonts,
                     width=1000, height=220, max_size=80, min_size=48, max_lines=2)  # fmt: skip
    return Scene(
        1200,
        630,
        LinearGradient(90, (Stop(0, "#0f172a"), Stop(1, "#7c3aed"))),
        (Rect(100, 80, 160, 10, Solid("#f59e0b"), radius=5), Text(100, 200, block, text)),
        title=title,
    )


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.mark.parametrize("hostile", HOSTILE)
def test_svg_is_well_formed_and_user_text_only_appears_escaped_in_title(fonts, hostile):
    svg = scene_svg(card(fonts, hostile))
    root = ET.fromstring(svg)  # parses: nothing the user wrote broke out of its place
    tags = {element.tag.removeprefix(SVG) for element in root.iter()}
    assert tags <= ALLOWED, tags - ALLOWED
    for element in root.iter():
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), name
            if name.endswith("href"):
                assert value.startswith("#"), value  # only our own glyph definitions
    title = root.find(f"{SVG}title")
    assert title is not None
    assert "\x00" not in (title.text or "")
    if hostile.startswith("<script>"):
        assert title.text == hostile  # kept as text, escaped on the wire
        assert "<script>" not in svg
    outside_title = [
        value
        for element in root.iter()
        if element is not title
        for value in (*element.attrib.values(), element.text or "")
    ]
    assert not any("evil" in value or "script" in value for value in outside_title)


def test_text_is_drawn_as_outlines_not_as_text(fonts):
    root = ET.fromstring(scene_svg(card(fonts, "Hello outlines")))
    assert root.find(f".//{SVG}text") is None
    assert len(root.findall(f".//{SVG}use")) >= len("Hellooutlines")
    assert root.get("width") == "1200"


def test_emoji_drawings_come_from_twemoji():
    assert emoji_svg("🚀") is not None
    assert emoji_svg("🇺🇦") is not None  # a flag: two regional indicators
    assert emoji_svg("👍🏽") is not None  # skin tone
    assert emoji_svg("❤️") is not None  # with VS16, file named without it
    assert emoji_svg("👩‍👩‍👧‍👦") is not None  # ZWJ family
    assert emoji_svg("\U0010fffd") is None


@pytest.mark.parametrize(
    ("fmt", "pil_format"), [("png", "PNG"), ("jpeg", "JPEG"), ("webp", "WEBP")]
)
def test_raster_formats_decode_at_the_right_size(fonts, fmt, pil_format):
    image = decode(render_raster(card(fonts, "Formats"), fmt))  # type: ignore[arg-type]
    assert image.format == pil_format
    assert image.size == (1200, 630)


def test_text_pixels_are_where_the_layout_put_them_in_the_text_colour(fonts):
    scene = card(fonts, "Big bold title", text="#fde047")
    pixels = np.asarray(decode(render_raster(scene, "png")).convert("RGB")).astype(int)
    text = scene.layers[1]
    assert isinstance(text, Text)
    line = text.block.lines[0]
    top = int(text.y + line.baseline_y - text.block.font_size * 0.7)
    box = pixels[top : int(text.y + line.baseline_y), 100 : int(100 + line.width)]
    yellow = (np.abs(box - [0xFD, 0xE0, 0x47]).sum(axis=-1) < 30).mean()
    assert yellow > 0.15  # glyph ink in the requested colour
    below = pixels[450:600, 100:1100]  # nothing drawn there: just the gradient
    assert (np.abs(below - [0xFD, 0xE0, 0x47]).sum(axis=-1) < 30).mean() == 0


def test_gradient_backdrop_matches_its_stops_and_is_dithered_not_banded():
    paint = LinearGradient(90, (Stop(0, "#000000"), Stop(1, "#ffffff")))
    pixels = np.asarray(paint_image(paint, 1200, 630)).astype(int)
    assert pixels[300, 0].max() <= 2
    assert pixels[300, -1].min() >= 253
    middle = pixels[300, 600]
    assert abs(int(middle[0]) - 128) <= 3
    # A 90-degree gradient varies along x only (dither aside).
    assert np.abs(pixels[:, 600, 0] - pixels[0, 600, 0]).max() <= 1


def test_radial_gradient_is_brightest_at_its_centre():
    paint = RadialGradient(0.5, 0.5, 0.5, (Stop(0, "#ffffff"), Stop(1, "#000000")))
    pixels = np.asarray(paint_image(paint, 400, 200)).astype(int)
    assert pixels[100, 200].min() >= 250
    assert pixels[0, 0].max() <= 30


def test_raster_agrees_with_the_svg_rendered_whole(fonts):
    """The raster path and resvg drawing our complete SVG give the same picture: same shapes in
    the same places; only anti-aliased glyph edges differ (AGG fills text for the raster path)."""
    scene = card(fonts, "Same picture both ways ✨")
    ours = np.asarray(decode(render_raster(scene, "png")).convert("RGB")).astype(int)
    whole = resvg_py.svg_to_bytes(svg_string=scene_svg(scene), skip_system_fonts=True)
    theirs = np.asarray(decode(bytes(whole)).convert("RGB")).astype(int)
    assert ours.shape == theirs.shape
    difference = np.abs(ours - theirs).max(axis=-1)
    assert difference.mean() < 1.0
    assert (difference > 40).mean() < 0.01  # edge pixels only
    # The same amount of ink where the text is (bold glyphs, not shifted or missing ones).
    text = scene.layers[1]
    assert isinstance(text, Text)
    box = (slice(int(text.y), int(text.y + text.block.height)), slice(100, 1100))
    ink_ours = np.abs(ours[box] - ours[box][0, 0]).sum()
    ink_theirs = np.abs(theirs[box] - theirs[box][0, 0]).sum()
    assert 0.94 < ink_ours / ink_theirs < 1.06


def test_photo_backdrop(fonts):
    photo = Image.new("RGB", (1200, 630), "#336699")
    scene = Scene(1200, 630, None, (Rect(0, 0, 1200, 630, Solid("#000000"), opacity=0.5),))
    pixels = np.asarray(decode(render_raster(scene, "png", photo=photo)).convert("RGB"))
    assert tuple(int(v) for v in pixels[10, 10]) == pytest.approx(
        (0x33 // 2, 0x66 // 2, 0x99 // 2), abs=2
    )
    with pytest.raises(ValueError, match="needs a photo"):
        render_raster(scene, "png")
    svg = scene_svg(scene, photo_href="data:image/jpeg;base64,AAAA")
    assert 'href="data:image/jpeg;base64,AAAA"' in svg
    with pytest.raises(ValueError, match="data:image"):
        scene_svg(scene, photo_href="https://example.com/x.jpg")


@pytest.mark.parametrize("bad", ["red", "#FFF", "#12345g", "#ABCDEF", "url(#x)", '"/><script>'])
def test_scene_colours_are_validated(bad):
    with pytest.raises(ValueError, match="colour must be"):
        Solid(bad)
    with pytest.raises(ValueError, match="colour must be"):
        Stop(0.0, bad)


def test_layout_for_rtl_and_cjk_renders(fonts):
    block = layout_text("مرحبا بالعالم — 日本語のテキスト", TextStyle(), fonts=FontLibrary(
        ["/usr/share/fonts/opentype/noto"]), size=40, width=1000)  # fmt: skip
    scene = Scene(1200, 630, Solid("#ffffff"), (Text(100, 100, block, "#111111"),))
    pixels = np.asarray(decode(render_raster(scene, "png")).convert("L"))
    assert (pixels[100 : 100 + int(block.height), 100:1100] < 128).mean() > 0.02


@pytest.mark.parametrize("size", [(1, 1), (3, 2), (1200, 630)])
def test_png_encoder_is_lossless_and_standard(size):
    from ogplatform.render.raster import encode_png

    rng = np.random.default_rng(7)
    pixels = rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
    pixels[: size[1] // 2] = [10, 200, 30]  # flat rows too
    data = encode_png(Image.fromarray(pixels, "RGB"))
    image = decode(data)
    assert (image.format, image.mode, image.size) == ("PNG", "RGB", size)
    assert np.array_equal(np.asarray(image), pixels)


@pytest.mark.parametrize("sub_filter", [True, False])
@pytest.mark.parametrize("size", [(1, 1), (5, 3), (700, 400)])
def test_png_from_an_rgba_canvas_drops_alpha_losslessly(size, sub_filter):
    from ogplatform.render.raster import encode_png_pixels

    rng = np.random.default_rng(11)
    rgba = rng.integers(0, 256, (size[1], size[0], 4), dtype=np.uint8)
    rgba[:, :, 3] = 255
    rgba[: size[1] // 2, :, :3] = [200, 30, 90]
    data = encode_png_pixels(rgba, sub_filter=sub_filter)
    image = decode(data)
    assert (image.format, image.mode, image.size) == ("PNG", "RGB", size)
    assert np.array_equal(np.asarray(image), rgba[:, :, :3])
    # the row filter byte: Sub (1) or None (0) on every row of the inflated IDAT
    import struct
    import zlib

    length = struct.unpack(">I", data[33:37])[0]
    assert data[37:41] == b"IDAT"
    raw = zlib.decompress(data[41 : 41 + length])
    stride = size[0] * 3 + 1
    assert set(raw[::stride]) == {1 if sub_filter else 0}
