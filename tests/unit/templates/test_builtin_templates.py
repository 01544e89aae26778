"""Every built-in template, fed the inputs people actually send: the contract, no overflow,
the title present and visible, colours honoured and readable, deterministic output."""

from __future__ import annotations

import io
import re
import typing
from pathlib import Path

import msgspec
import numpy as np
import pytest
from PIL import Image

from ogplatform.builtin.templates import pack
from ogplatform.builtin.templates._kit import contrast, palette
from ogplatform.builtin.templates.docs import split_crumbs
from ogplatform.builtin.templates.release import split_version
from ogplatform.builtin.templates.repository import split_repo
from ogplatform.plugins import Template
from ogplatform.plugins.templates import CardInput, Photo, TemplateParam
from ogplatform.render import FontLibrary, Scene, Solid, Text, TextBlock, render_raster

CJK_DIR = Path("/usr/share/fonts/opentype/noto")
SEED_IDS = ["gradient", "minimal", "photo-hero", "photo-glass"]
TITLE_80 = "Shipping faster: how we cut our CI build times in half with remote caching today"
DESC_200 = (
    "We moved every build step onto a shared remote cache, rewrote the slowest test suites, "
    "and learned a lot about flaky tests along the way. Here is what worked and what did not."
)
ARABIC = "مرحبا بالعالم: دليل شامل للمطورين"
JAPANESE = "開発者のための完全ガイド\uff1a速く、安全に"
OG, TWITTER, SQUARE = (1200, 630), (1200, 600), (1080, 1080)
INPUTS: dict[str, CardInput] = {
    "short": CardInput(*OG, title="Hello", description="A short description.", icon="🚀"),
    "title-80": CardInput(*OG, title=TITLE_80, description="Remote caching.", icon="⚡"),
    "desc-200": CardInput(*OG, title="Faster builds", description=DESC_200, icon="🛠️"),
    "emoji": CardInput(*OG, title="We shipped it 🎉 and it is fast 🚀", icon="🎉"),
    "arabic": CardInput(*OG, title=ARABIC, description="دليل شامل", icon="📚"),
    "japanese": CardInput(*OG, title=JAPANESE, description="速く、安全に。", icon="🗾"),
    "empty": CardInput(*OG),
    "no-icon": CardInput(*TWITTER, title="No icon here", description="Twitter size, no icon."),
    "square": CardInput(*SQUARE, title="Square cards for feeds", description="1:1", icon="🟦"),
    "light-bg": CardInput(*OG, title="Light user background", description="Defaults on it.",
                          icon="🌼", background=Solid("#fef3c7")),
}  # fmt: skip
TEMPLATES: list[Template] = list(pack)
PHOTO_IDS = [t.id for t in TEMPLATES if "bgId" in t.params]


@pytest.fixture(scope="module")
def fonts() -> FontLibrary:
    return FontLibrary([str(CJK_DIR)] if CJK_DIR.is_dir() else [])


def by_id(template_id: str) -> Template:
    return next(t for t in TEMPLATES if t.id == template_id)


def texts(scene: Scene) -> list[Text]:
    return [layer for layer in scene.layers if isinstance(layer, Text)]


def reading(block: TextBlock) -> str:
    """The block's characters in reading order, whitespace removed."""
    out = []
    for line in block.lines:
        runs = reversed(line.runs) if line.direction == "rtl" else line.runs
        out.append("".join(run.text for run in runs))
    return "".join("".join(out).split())


def starts(block: TextBlock, text: str) -> bool:
    """The block shows ``text``'s first word (or a clamped prefix of it)."""
    shown, wanted = reading(block), "".join(text.split())
    first = text.split()[0]
    return shown.startswith(first) or (shown.endswith("…") and wanted.startswith(shown[:-1]))


def title_layer(scene: Scene, title: str) -> Text | None:
    return next((t for t in texts(scene) if starts(t.block, title)), None)


# -- the pack ---------------------------------------------------------------------------------


def test_pack_has_twelve_templates_over_four_categories() -> None:
    ids = [t.id for t in pack]
    assert len(pack) >= 12
    assert len(set(ids)) == len(ids)
    assert len({t.category for t in pack}) >= 4
    assert ids[:4] == SEED_IDS


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.id)
def test_template_metadata_follows_the_contract(template: Template) -> None:
    assert isinstance(template, Template)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", template.id)
    assert template.version and template.name and template.description and template.category
    assert 3 <= len(template.tags) <= 6
    assert set(template.defaults) == {"bg", "text", "accent"}
    assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in template.defaults.values())
    assert set(template.params) <= set(typing.get_args(TemplateParam))
    assert "title" in template.params


# -- layout -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", INPUTS)
@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.id)
def test_compose_fits_the_canvas(template: Template, name: str, fonts: FontLibrary) -> None:
    card = INPUTS[name]
    scene = template.compose(card, fonts)
    assert (scene.width, scene.height) == (card.width, card.height)
    assert scene.backdrop is not None
    assert len(scene.layers) < 300
    for layer in texts(scene):
        block = layer.block
        assert layer.x >= 0 and layer.y >= 0, (layer.x, layer.y, reading(block))
        assert layer.x + block.width <= card.width + 0.5, reading(block)
        assert layer.y + block.height <= card.height + 0.5, reading(block)
        for line in block.lines:
            assert line.x >= -0.5 and line.x + line.width <= block.box_width + 0.5, line.text
    if card.title:
        assert title_layer(scene, card.title) is not None, [reading(t.block) for t in texts(scene)]
    else:
        assert not any(reading(t.block).endswith("…") for t in texts(scene))
    assert template.compose(card, fonts) == scene  # deterministic
    assert msgspec.json.encode(template.compose(card, fonts)) == msgspec.json.encode(scene)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.id)
def test_png_has_the_size_and_shows_the_title(template: Template, fonts: FontLibrary) -> None:
    card = INPUTS["short"]
    scene = template.compose(card, fonts)
    title = title_layer(scene, card.title)
    assert title is not None
    without = msgspec.structs.replace(
        scene, layers=tuple(x for x in scene.layers if x is not title)
    )
    images = [Image.open(io.BytesIO(render_raster(s, "png"))) for s in (scene, without)]
    assert all(image.size == (card.width, card.height) for image in images)
    left = int(title.x + min(line.x for line in title.block.lines))
    box = (left, int(title.y), int(left + title.block.width) + 1, int(title.y + title.block.height))
    a, b = (np.asarray(image.convert("RGB").crop(box), dtype=np.int16) for image in images)
    assert (np.abs(a - b).max(axis=-1) > 64).mean() > 0.1  # real ink where the title sits


# -- colour -----------------------------------------------------------------------------------


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.id)
def test_user_text_colour_is_used_for_the_title(template: Template, fonts: FontLibrary) -> None:
    card = msgspec.structs.replace(INPUTS["short"], text_color="#123456")
    title = title_layer(template.compose(card, fonts), card.title)
    assert title is not None and title.color == "#123456"


# Photo templates set their text on their own scrim, not on the user's background colour, so
# the light-background case does not apply to them.
READABILITY_CASES = [
    pytest.param(t, name, id=f"{t.id}-{name}")
    for t in TEMPLATES
    for name in ("short", "light-bg")
    if not (name == "light-bg" and t.id in PHOTO_IDS)
]


@pytest.mark.parametrize(("template", "name"), READABILITY_CASES)
def test_default_colours_are_readable(template: Template, name: str, fonts: FontLibrary) -> None:
    card = INPUTS[name]
    scene = template.compose(card, fonts)
    base = palette(card, dict(template.defaults)).base
    title = title_layer(scene, card.title)
    desc = next(t for t in texts(scene) if starts(t.block, card.description))
    assert title is not None
    large = title.block.font_size >= 24 and title.block.font.weight >= 700
    assert contrast(title.color, base) >= (3.0 if large else 4.5)
    assert contrast(desc.color, base) >= 4.5


@pytest.mark.parametrize("template_id", PHOTO_IDS)
def test_photo_templates_leave_the_backdrop_to_the_photo(
    template_id: str, fonts: FontLibrary
) -> None:
    card = msgspec.structs.replace(INPUTS["short"], photo=Photo("dunes", "#c2a27a", "light"))
    assert by_id(template_id).compose(card, fonts).backdrop is None


# -- template specifics -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("v2.4.0 — Faster builds", ("v2.4.0", "Faster builds")),
        ("1.8: Dark mode", ("1.8", "Dark mode")),
        ("v3.0.0-rc.1 Release candidate", ("v3.0.0-rc.1", "Release candidate")),
        ("1.2M downloads", ("", "1.2M downloads")),
        ("Version two", ("", "Version two")),
    ],
)
def test_split_version(title: str, expected: tuple[str, str]) -> None:
    assert split_version(title) == expected


def test_release_notes_sets_the_version_in_a_mono_chip(fonts: FontLibrary) -> None:
    card = CardInput(1200, 630, title="v2.4.0 — Faster builds", description="40 fixes.")
    layers = {reading(t.block): t for t in texts(by_id("release-notes").compose(card, fonts))}
    assert layers["v2.4.0"].block.font.family == "JetBrains Mono"
    assert "Fasterbuilds" in layers


def test_open_source_mutes_the_owner(fonts: FontLibrary) -> None:
    assert split_repo("ogplatform/cards") == ("ogplatform", "cards")
    assert split_repo("and/or more words") == ("", "and/or more words")
    card = CardInput(1200, 630, title="ogplatform/cards", description="Social cards.")
    template = by_id("open-source")
    layers = {reading(t.block): t for t in texts(template.compose(card, fonts))}
    colours = palette(card, dict(template.defaults))
    assert layers["ogplatform/"].color == colours.muted
    assert layers["cards"].color == colours.text
    assert layers["ogplatform/"].block.font.family == "Space Grotesk"


def test_docs_page_moves_leading_sections_into_the_breadcrumb(fonts: FontLibrary) -> None:
    card = CardInput(1200, 630, title="Guides / Deploying", description="One command.")
    shown = [reading(t.block) for t in texts(by_id("docs-page").compose(card, fonts))]
    assert "Docs" in shown and "\u203aGuides" in shown and "Deploying" in shown
    assert split_crumbs("A / B > C") == (["A", "B"], "C")
    assert split_crumbs("and/or") == ([], "and/or")


def test_stats_sets_the_number_in_the_accent(fonts: FontLibrary) -> None:
    card = CardInput(
        1200, 630, title="+34%", description="weekly active users", accent_color="#ff0066"
    )
    number = title_layer(by_id("stats").compose(card, fonts), "+34%")
    assert number is not None and number.color == "#ff0066"
    assert number.block.font_size >= 120
