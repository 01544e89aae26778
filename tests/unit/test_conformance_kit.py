"""ogplatform.testing's card checks: every built-in template and a sample of the built-in
backgrounds pass them, and a plugin that breaks a promise is told which one."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from PIL import Image

from ogplatform.builtin.backgrounds import catalog
from ogplatform.builtin.templates import pack
from ogplatform.plugins.templates import CardInput, TemplateParam
from ogplatform.render import FontLibrary, Scene, Solid
from ogplatform.testing import check_background, check_template

CJK_DIR = Path("/usr/share/fonts/opentype/noto")
# One background per category keeps this quick; the catalog's own tests cover every one.
SAMPLE_BACKGROUNDS = list({bg.category: bg for bg in catalog}.values())


@pytest.fixture(scope="module")
def fonts() -> FontLibrary:
    return FontLibrary([str(CJK_DIR)] if CJK_DIR.is_dir() else [])


@pytest.mark.parametrize("template", pack, ids=lambda t: t.id)
def test_builtin_templates_pass(template: object, fonts: FontLibrary) -> None:
    check_template(template, fonts)  # type: ignore[arg-type]


@pytest.mark.parametrize("background", SAMPLE_BACKGROUNDS, ids=lambda b: b.id)
def test_builtin_backgrounds_pass(background: object) -> None:
    check_background(background)  # type: ignore[arg-type]


@dataclasses.dataclass(frozen=True)
class Plain:
    """A template drawing a flat colour, with knobs to break it."""

    id: str = "plain"
    version: str = "1"
    name: str = "Plain"
    description: str = "A flat colour."
    category: str = "social"
    tags: Sequence[str] = ("flat",)
    defaults: Mapping[str, str] = dataclasses.field(
        default_factory=lambda: {"bg": "#ffffff", "text": "#111111", "accent": "#2563eb"}
    )
    params: Sequence[TemplateParam] = ("title",)
    size: tuple[int, int] | None = None  # draw at this size instead of the card's

    def compose(self, card: CardInput, fonts: FontLibrary) -> Scene:
        width, height = self.size or (card.width, card.height)
        return Scene(width, height, Solid(self.defaults["bg"]))


def test_a_conforming_template_passes(fonts: FontLibrary) -> None:
    check_template(Plain(), fonts)


@pytest.mark.parametrize(
    ("template", "message"),
    [
        (Plain(id="Plain Card"), "must match"),
        (Plain(description=""), "description must be a non-empty string"),
        (Plain(defaults={"bg": "#ffffff", "text": "#111111"}), "defaults has"),
        (Plain(defaults={"bg": "white", "text": "#111111", "accent": "#2563eb"}), "#rrggbb"),
        (Plain(params=("description",)), "must include 'title'"),
        (Plain(size=(1200, 600)), "the scene is 1200x600, not 1200x630"),
    ],
)
def test_a_broken_template_is_named(template: Plain, message: str, fonts: FontLibrary) -> None:
    with pytest.raises(AssertionError, match=message):
        check_template(template, fonts)


@dataclasses.dataclass(frozen=True)
class Flat:
    id: str = "flat"
    version: str = "1"
    title: str = "Flat"
    author: str = "ogplatform"
    category: str = "gradient"
    tags: Sequence[str] = ("flat",)
    dominant_color: str = "#336699"
    tone: str = "dark"
    mode: str = "RGB"

    def image(self, width: int, height: int) -> Image.Image:
        return Image.new(self.mode, (width, height), self.dominant_color)


def test_background_promises_are_checked() -> None:
    check_background(Flat())
    with pytest.raises(AssertionError, match="tone 'dim'"):
        check_background(Flat(tone="dim"))
    with pytest.raises(AssertionError, match="is RGBA, not RGB"):
        check_background(Flat(mode="RGBA"))
