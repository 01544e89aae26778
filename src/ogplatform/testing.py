"""The conformance kit for plugin authors: call these from your own tests to check a plugin.

Each ``check_*`` function drives a plugin through its contract and fails with a plain
``AssertionError`` that says which promise was broken::

    async def test_my_backend(tmp_path):
        await check_storage_backend(MyBackend(tmp_path))

    def test_my_theme():
        check_map_theme(my_theme)

:func:`check_template` and :func:`check_background` drive card plugins, :func:`check_map_theme`
a map theme (it imports the map renderer when called).
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import msgspec

from ogplatform.plugins.backgrounds import Background
from ogplatform.plugins.map_themes import (
    FONT_ROLES,
    PALETTE_KEYS,
    STROKE_KEYS,
    LabelStyle,
    MapEffects,
    MapTheme,
)
from ogplatform.plugins.storage import (
    InvalidKeyError,
    ObjectNotFoundError,
    RangeReadable,
    StorageBackend,
    StoredObject,
)
from ogplatform.plugins.templates import CardInput, Photo, Template
from ogplatform.render import FontLibrary, Scene

__all__ = ["check_background", "check_map_theme", "check_storage_backend", "check_template"]

# Keys every backend must refuse; each is a classic way out of a folder or into a confusion.
_HOSTILE_KEYS = (
    "",
    "..",
    "a/../b",
    "./a",
    "/etc/passwd",
    "a\\b",
    "a\x00b",
    "a\nb",
    "C:/x",
    "a//b",
    "a/",
    ".meta/x",
    "e\u0301.png",  # decomposed é: not NFC
    "a b",
    "%2e%2e/x",
    "a?b",
    "a#b",
    "x" * 600,
)
_STREAM_CHUNK_SIZES = (1_000, 4_096, 64 * 1024, 1024 * 1024)


async def _expect_raises(
    exc_type: type[BaseException], action: Callable[[], Awaitable[Any]], what: str
) -> None:
    try:
        await action()
    except exc_type:
        return
    except Exception as exc:
        raise AssertionError(f"{what} raised {exc!r}, expected {exc_type.__name__}") from exc
    raise AssertionError(f"{what} returned normally, expected {exc_type.__name__}")


async def _read_stream(backend: StorageBackend, key: str, chunk_size: int) -> bytes:
    chunks = []
    stream: AsyncIterator[bytes] = backend.stream(key, chunk_size)
    async for chunk in stream:
        assert isinstance(chunk, bytes), f"stream({key!r}) yielded {type(chunk).__name__}"
        assert chunk, f"stream({key!r}, {chunk_size}) yielded an empty chunk"
        chunks.append(chunk)
    return b"".join(chunks)


def _check_described(
    obj: StoredObject, key: str, data: bytes, content_type: str, what: str
) -> None:
    expected = StoredObject(
        key=key, size=len(data), content_type=content_type, etag=hashlib.sha256(data).hexdigest()
    )
    assert obj == expected, f"{what} returned {obj!r}, expected {expected!r}"


async def _check_round_trip(backend: StorageBackend, key: str, data: bytes, ctype: str) -> None:
    stored = await backend.put(key, data, ctype)
    _check_described(stored, key, data, ctype, f"put({key!r})")
    obj, got = await backend.get(key)
    assert got == data, (
        f"get({key!r}) returned {len(got)} bytes that differ from the {len(data)} put"
    )
    _check_described(obj, key, data, ctype, f"get({key!r})")
    stat = await backend.stat(key)
    assert stat is not None, f"stat({key!r}) returned None after put"
    _check_described(stat, key, data, ctype, f"stat({key!r})")
    assert await backend.exists(key), f"exists({key!r}) is False after put"
    for chunk_size in _STREAM_CHUNK_SIZES:
        streamed = await _read_stream(backend, key, chunk_size)
        assert streamed == data, f"stream({key!r}, {chunk_size}) yielded other bytes than put"


async def _check_absent(backend: StorageBackend, key: str) -> None:
    assert await backend.stat(key) is None, f"stat({key!r}) is not None for a missing object"
    assert not await backend.exists(key), f"exists({key!r}) is True for a missing object"
    await _expect_raises(ObjectNotFoundError, lambda: backend.get(key), f"get({key!r})")
    await _expect_raises(
        ObjectNotFoundError, lambda: _read_stream(backend, key, 1024), f"stream({key!r})"
    )


async def _check_hostile_keys(backend: StorageBackend) -> None:
    for key in _HOSTILE_KEYS:
        for name, action in (
            ("put", lambda k=key: backend.put(k, b"x", "text/plain")),
            ("get", lambda k=key: backend.get(k)),
            ("stat", lambda k=key: backend.stat(k)),
            ("exists", lambda k=key: backend.exists(k)),
            ("delete", lambda k=key: backend.delete(k)),
            ("stream", lambda k=key: _read_stream(backend, k, 1024)),
        ):
            await _expect_raises(InvalidKeyError, action, f"{name}({key[:80]!r})")
        try:
            url = backend.url(key)
        except InvalidKeyError:
            continue
        raise AssertionError(f"url({key[:80]!r}) returned {url!r}, expected InvalidKeyError")


async def _check_range_reads(backend: RangeReadable, key: str, data: bytes) -> None:
    """The optional ``stream_range``: any window of the object, clamped at its end."""
    size = len(data)
    for offset, length in ((0, 10), (size - 7, 7), (1000, 70_000), (size - 3, 100), (size, 5),
                           (size + 10, 5), (0, 0), (12_345, 1)):  # fmt: skip
        for chunk_size in (1_000, 64 * 1024):
            chunks = []
            async for chunk in backend.stream_range(key, offset, length, chunk_size):
                assert chunk, f"stream_range({key!r}, {offset}, {length}) yielded an empty chunk"
                chunks.append(chunk)
            got, expected = b"".join(chunks), data[offset : offset + length]
            assert got == expected, (
                f"stream_range({key!r}, {offset}, {length}, {chunk_size}) yielded {len(got)} "
                f"bytes, expected {len(expected)} of the object"
            )
    await _expect_raises(
        ValueError,
        lambda: backend.stream_range(key, -1, 5).__anext__(),
        f"stream_range({key!r}, -1, 5)",
    )
    missing = f"{key}-missing"
    await _expect_raises(
        ObjectNotFoundError,
        lambda: backend.stream_range(missing, 0, 5).__anext__(),
        f"stream_range({missing!r})",
    )


async def check_storage_backend(backend: StorageBackend) -> None:
    """Drive ``backend`` through the StorageBackend contract; raise AssertionError on a breach.

    Only keys under a fresh random prefix are touched, and they are deleted afterwards, so it
    is safe to run against a shared bucket or folder.
    """
    assert isinstance(backend, StorageBackend), f"{backend!r} lacks StorageBackend methods"
    await backend.check()
    prefix = f"ogplatform-conformance/{uuid.uuid4().hex}"
    key = f"{prefix}/maps/og-images/card.png"
    made = [key, f"{prefix}/empty.txt", f"{prefix}/cartes/été/ünïcode.txt"]
    try:
        await _check_absent(backend, key)
        assert not await backend.delete(key), f"delete({key!r}) is True for a missing object"

        await _check_round_trip(backend, key, os.urandom(150_001), "image/png")
        # Overwrite with other bytes, size and type: nothing of the first version may remain.
        await _check_round_trip(backend, key, os.urandom(70_003), "image/webp")
        if isinstance(backend, RangeReadable):
            _, current = await backend.get(key)
            await _check_range_reads(backend, key, current)
        await _check_round_trip(backend, made[1], b"", "text/plain")
        await _check_round_trip(backend, made[2], b"bonjour", "text/plain; charset=utf-8")
        url = backend.url(key)
        assert url is None or isinstance(url, str), f"url({key!r}) returned {url!r}"

        assert await backend.delete(key) is True, f"delete({key!r}) is not True for an object"
        await _check_absent(backend, key)
        assert await backend.delete(key) is False, f"second delete({key!r}) is not False"

        await _check_hostile_keys(backend)
    finally:
        for made_key in made:
            await backend.delete(made_key)


# -- map themes -------------------------------------------------------------------------------

_PLUGIN_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")  # the registry's rule for every plugin id
_HEX = re.compile(r"#[0-9a-fA-F]{6}")
_MIN_LABEL_CONTRAST = 4.5  # WCAG AA for small text: map lettering is small
# The sample map: small, with neighbours, subdivisions, a lake, rivers and a highlight.
_SAMPLE_LOCATION, _SAMPLE_HIGHLIGHT, _SAMPLE_SIZE = "ch", ("CH-BE",), (480, 320)


def _require(ok: object, message: str) -> None:
    if not ok:
        raise AssertionError(message)


def _luminance(colour: str) -> float:
    def channel(v: int) -> float:
        c = v / 255.0
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(colour[i : i + 2], 16)) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _check_theme_metadata(theme: MapTheme) -> None:
    assert isinstance(theme, MapTheme), f"{theme!r} lacks MapTheme attributes"
    theme_id = theme.id
    _require(
        isinstance(theme_id, str) and _PLUGIN_ID.fullmatch(theme_id),
        f"id {theme_id!r} must match [a-z0-9][a-z0-9._-]{{0,63}}",
    )
    _require(
        isinstance(theme.version, str) and theme.version.strip(),
        f"theme {theme_id!r}: version must be a non-empty string, not {theme.version!r}",
    )
    name = theme.display_name
    _require(
        isinstance(name, str) and name.strip() == name and 0 < len(name) <= 80,
        f"theme {theme_id!r}: display_name must be 1..80 characters without outer spaces, "
        f"not {name!r}",
    )


def _check_palette(theme: MapTheme) -> None:
    palette = theme.palette
    assert isinstance(palette, Mapping), f"palette is a {type(palette).__name__}, not a Mapping"
    missing = [key for key in PALETTE_KEYS if key not in palette]
    assert not missing, f"palette lacks {', '.join(missing)}"
    for key, colour in palette.items():
        _require(
            isinstance(colour, str) and _HEX.fullmatch(colour),
            f"palette[{key!r}] = {colour!r} is not a #rrggbb colour",
        )
    ratio = _contrast(palette["label"], palette["halo"])
    assert ratio >= _MIN_LABEL_CONTRAST, (
        f"labels ({palette['label']}) on their halo ({palette['halo']}) have a contrast of "
        f"{ratio:.1f}:1, below {_MIN_LABEL_CONTRAST}:1"
    )
    if not theme.effects.land_by_latitude:
        assert palette["subject"].lower() != palette["land"].lower(), (
            "palette 'subject' and 'land' are the same colour: the mapped place would not "
            "stand out from its neighbours"
        )


def _check_strokes(theme: MapTheme) -> None:
    strokes = theme.strokes
    missing = [key for key in STROKE_KEYS if key not in strokes]
    assert not missing, f"strokes lack {', '.join(missing)}"
    for key, width in strokes.items():
        _require(
            isinstance(width, int | float) and math.isfinite(width) and width > 0,
            f"strokes[{key!r}] = {width!r} must be a positive number (pixels at 72 dpi)",
        )
    assert strokes["river_max"] >= strokes["river_min"], "strokes: river_max < river_min"


def _check_fonts(theme: MapTheme) -> None:
    from ogplatform.maps.render.labels import fonts

    library = fonts()
    for role in FONT_ROLES:
        family = theme.fonts.get(role)
        assert family, f"fonts[{role!r}] is missing"
        assert library.has_family(family), (
            f"fonts[{role!r}] = {family!r} is not installed; known families: "
            f"{', '.join(library.families)}"
        )


def _check_label_style(labels: LabelStyle) -> None:
    assert isinstance(labels, LabelStyle), f"labels is a {type(labels).__name__}, not LabelStyle"
    assert 100 <= labels.name_weight <= 900, f"labels.name_weight {labels.name_weight} not 100..900"
    assert labels.halo_width >= 0, f"labels.halo_width {labels.halo_width} is negative"
    assert labels.subdivision_size > 0, "labels.subdivision_size must be positive"


def _check_effects(effects: MapEffects) -> None:
    assert isinstance(effects, MapEffects), f"effects is a {type(effects).__name__}, not MapEffects"
    assert effects.graticule >= 0, f"effects.graticule {effects.graticule} is negative"
    assert effects.coastal_glow >= 0, f"effects.coastal_glow {effects.coastal_glow} is negative"
    assert effects.coast_style in ("glow", "engraved"), (
        f"effects.coast_style {effects.coast_style!r} is not 'glow' or 'engraved'"
    )
    lats = [lat for lat, _ in effects.land_by_latitude]
    assert lats == sorted(lats), "effects.land_by_latitude must run from south to north"
    for lat, colour in effects.land_by_latitude:
        _require(
            -90 <= lat <= 90 and _HEX.fullmatch(colour),
            f"effects.land_by_latitude stop ({lat!r}, {colour!r}) is not (latitude, #rrggbb)",
        )
    if effects.subdivision_dash:
        try:
            dashes = [float(v) for v in effects.subdivision_dash.split()]
        except ValueError:
            dashes = []
        _require(
            dashes and all(d > 0 for d in dashes),
            f"effects.subdivision_dash {effects.subdivision_dash!r} is not an SVG dash array",
        )


def _check_renders(theme: MapTheme) -> None:
    from PIL import Image

    from ogplatform.maps.geodata import LocationIndex
    from ogplatform.maps.render import render_svg, svg_to_png

    index = LocationIndex.load()
    place = index.get(_SAMPLE_LOCATION)
    assert place is not None, f"the geodata bundle lacks {_SAMPLE_LOCATION!r}"
    width, height = _SAMPLE_SIZE
    options: dict[str, Any] = {
        "width": width,
        "height": height,
        "theme": theme,
        "highlight": _SAMPLE_HIGHLIGHT,
        "show_features": True,
        "show_lake_labels": True,
        "show_river_labels": True,
    }
    first, second = render_svg(index, place, **options), render_svg(index, place, **options)
    assert first.svg == second.svg, "two renders of the same map gave different SVG"
    root = ET.fromstring(first.svg)  # noqa: S314 - our own output
    assert root.tag.endswith("svg"), f"the SVG's root is <{root.tag}>"
    assert first.layout.theme == theme.id, f"the map says theme {first.layout.theme!r}"
    assert first.layout.labels, "no label was placed on the sample map"
    for key in ("sea", "coast", "highlight", "label"):
        if key == "highlight" and theme.effects.highlight_hatch:
            continue
        assert theme.palette[key].lower() in first.svg.lower(), (
            f"palette[{key!r}] does not appear in the SVG"
        )
    png = svg_to_png(first.svg, first.font_files)
    assert png == svg_to_png(second.svg, second.font_files), "PNG output is not deterministic"
    image = Image.open(io.BytesIO(png))
    _require(
        image.format == "PNG" and image.size == (width, height),
        f"the PNG is {image.format} {image.size}, expected PNG {(width, height)}",
    )


def check_map_theme(theme: MapTheme) -> None:
    """Check ``theme`` against the MapTheme contract; raise AssertionError on a breach.

    Metadata (id, version, display name), a palette with every colour the renderer paints
    with as ``#rrggbb`` (and labels readable on their halo), positive stroke widths, installed
    fonts, a sane label style and effects; then a small map of Switzerland (neighbours,
    cantons, lakes, rivers, a highlighted canton) rendered twice to SVG and PNG must come out
    identical, well-formed and at the requested size.
    """
    _check_theme_metadata(theme)
    _check_palette(theme)
    _check_strokes(theme)
    _check_fonts(theme)
    _check_label_style(theme.labels)
    _check_effects(theme.effects)
    _check_renders(theme)


# -- card templates ---------------------------------------------------------------------------

_HOSTILE_TEXT = '</text><script>alert("x")</script> & ]]> <!-- \u202e'
_TITLE_80 = "Shipping faster: how we cut our CI build times in half with remote caching today"
_DESCRIPTION_200 = (
    "We moved every build step onto a shared remote cache, rewrote the slowest test suites, "
    "and learned a lot about flaky tests along the way. Here is what worked and what did not."
)
_CARD_SIZES = ((1200, 630), (1200, 600), (1080, 1080))
_TEMPLATE_DEFAULTS = frozenset({"bg", "text", "accent"})


def _card_inputs() -> dict[str, CardInput]:
    og = _CARD_SIZES[0]
    return {
        "short": CardInput(*og, title="Hello", description="A short description.", icon="🚀"),
        "long": CardInput(*og, title=_TITLE_80, description=_DESCRIPTION_200, icon="⚡"),
        "empty": CardInput(*og),
        "hostile": CardInput(*og, title=_HOSTILE_TEXT, description=_HOSTILE_TEXT, icon="<b>"),
        "arabic": CardInput(*og, title="مرحبا بالعالم: دليل شامل للمطورين", description="دليل"),
        "twitter": CardInput(*_CARD_SIZES[1], title="Twitter size", description="No icon."),
        "square": CardInput(*_CARD_SIZES[2], title="Square cards for feeds", icon="🟦"),
    }


def _check_template_metadata(template: Template) -> None:
    from typing import get_args

    from ogplatform.plugins.templates import TemplateParam

    assert isinstance(template, Template), f"{template!r} lacks Template attributes"
    _require(
        isinstance(template.id, str) and _PLUGIN_ID.fullmatch(template.id),
        f"id {template.id!r} must match [a-z0-9][a-z0-9._-]{{0,63}}",
    )
    for name in ("version", "name", "description", "category"):
        value = getattr(template, name)
        _require(
            isinstance(value, str) and value.strip(),
            f"template {template.id!r}: {name} must be a non-empty string, not {value!r}",
        )
    _require(
        all(isinstance(tag, str) and tag for tag in template.tags),
        f"template {template.id!r}: tags must be non-empty strings, not {template.tags!r}",
    )
    assert set(template.defaults) == _TEMPLATE_DEFAULTS, (
        f"defaults has {sorted(template.defaults)}, expected {sorted(_TEMPLATE_DEFAULTS)}"
    )
    for key, colour in template.defaults.items():
        _require(
            isinstance(colour, str) and _HEX.fullmatch(colour),
            f"defaults[{key!r}] = {colour!r} is not a #rrggbb colour",
        )
    unknown = set(template.params) - set(get_args(TemplateParam))
    assert not unknown, f"params {sorted(unknown)} are not request parameters"
    assert "title" in template.params, "params must include 'title'"


def _check_scene(template: Template, card: CardInput, fonts: FontLibrary, what: str) -> Scene:
    from ogplatform.render import Text

    scene = template.compose(card, fonts)
    assert isinstance(scene, Scene), f"{what}: compose returned {type(scene).__name__}"
    assert (scene.width, scene.height) == (card.width, card.height), (
        f"{what}: the scene is {scene.width}x{scene.height}, not {card.width}x{card.height}"
    )
    if card.photo is not None:
        assert scene.backdrop is None, f"{what}: a card with a photo must leave the backdrop None"
    for layer in scene.layers:
        if isinstance(layer, Text):
            right, bottom = layer.x + layer.block.width, layer.y + layer.block.height
            _require(
                layer.x >= 0 and layer.y >= 0 and right <= card.width + 0.5
                and bottom <= card.height + 0.5,
                f"{what}: a text block at ({layer.x:.0f}, {layer.y:.0f}) to "
                f"({right:.0f}, {bottom:.0f}) leaves the {card.width}x{card.height} canvas",
            )  # fmt: skip
    assert template.compose(card, fonts) == scene, f"{what}: compose is not deterministic"
    return scene


def check_template(template: Template, fonts: FontLibrary | None = None) -> None:
    """Check ``template`` against the Template contract; raise AssertionError on a breach.

    Metadata (id, version, texts, tags, ``#rrggbb`` defaults for bg/text/accent, known
    params); then cards people send (short, 80-character title, empty, hostile markup, Arabic,
    the Twitter and square sizes, a photo when it takes ``bgId``) must compose deterministically
    to a scene of the card's size with every text block on the canvas, and the hostile card
    must give well-formed SVG (no injected element) and a PNG of the right size.
    """
    from PIL import Image

    from ogplatform.render import render_raster, scene_svg

    _check_template_metadata(template)
    fonts = fonts or FontLibrary([])
    inputs = _card_inputs()
    if "bgId" in template.params:
        photo = Photo("conformance", "#6b7280", "dark")
        inputs["photo"] = msgspec.structs.replace(inputs["short"], photo=photo)
    scenes = {
        name: _check_scene(template, card, fonts, f"template {template.id!r}, {name} card")
        for name, card in inputs.items()
    }
    hostile = scenes["hostile"]
    svg = scene_svg(hostile, photo_href="data:image/png;base64,")
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    tags = {element.tag.rsplit("}", 1)[-1] for element in root.iter()}
    assert "script" not in tags, "hostile text became a <script> element in the SVG"
    png = render_raster(hostile, "png", photo=None)
    image = Image.open(io.BytesIO(png))
    assert image.size == (hostile.width, hostile.height), f"the PNG is {image.size}"


# -- backgrounds ------------------------------------------------------------------------------


def check_background(background: Background) -> None:
    """Check ``background`` against the Background contract; raise AssertionError on a breach.

    Metadata (id, version, title, author, category, tags, ``#rrggbb`` dominant colour, tone
    ``dark`` or ``light``); then ``image()`` at the three card sizes and a small one must be an
    RGB image of exactly that size, the same pixels every time.
    """
    assert isinstance(background, Background), f"{background!r} lacks Background attributes"
    bg_id = background.id
    _require(
        isinstance(bg_id, str) and _PLUGIN_ID.fullmatch(bg_id),
        f"id {bg_id!r} must match [a-z0-9][a-z0-9._-]{{0,63}}",
    )
    for name in ("version", "title", "author", "category"):
        value = getattr(background, name)
        _require(
            isinstance(value, str) and value.strip(),
            f"background {bg_id!r}: {name} must be a non-empty string, not {value!r}",
        )
    _require(
        all(isinstance(tag, str) and tag for tag in background.tags),
        f"background {bg_id!r}: tags must be non-empty strings, not {background.tags!r}",
    )
    colour = background.dominant_color
    _require(
        isinstance(colour, str) and _HEX.fullmatch(colour),
        f"background {bg_id!r}: dominant_color {colour!r} is not a #rrggbb colour",
    )
    assert background.tone in ("dark", "light"), f"tone {background.tone!r} is not dark/light"
    for width, height in (*_CARD_SIZES, (320, 200)):
        image = background.image(width, height)
        assert image.size == (width, height), f"image({width}, {height}) is {image.size}"
        assert image.mode == "RGB", f"image({width}, {height}) is {image.mode}, not RGB"
        again = background.image(width, height)
        assert image.tobytes() == again.tobytes(), f"image({width}, {height}) is not deterministic"
