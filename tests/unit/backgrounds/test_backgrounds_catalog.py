"""The built-in background catalog: contract, determinism, and honest checks on the pixels."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ogplatform.builtin.backgrounds import catalog
from ogplatform.plugins import Background

THUMB = (300, 158)
ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
BY_ID = {bg.id: bg for bg in catalog}
# one of each generator family, for the checks that are too slow to run on all of them
SAMPLE = [
    "mesh-midnight",
    "planet-eclipse",
    "aurora-borealis",
    "waves-dunes",
    "topo-paper",
    "horizon-neon",
    "bokeh-gold",
    "lowpoly-glacier",
]


def srgb_luminance(rgb: np.ndarray) -> np.ndarray:
    """WCAG relative luminance of sRGB colours in 0..255 (last axis = channels)."""
    c = rgb / 255.0
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return lin[..., 0] * 0.2126 + lin[..., 1] * 0.7152 + lin[..., 2] * 0.0722


def wcag(a: float, b: float) -> float:
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


@pytest.fixture(scope="module")
def thumbs() -> dict[str, np.ndarray]:
    return {bg.id: np.asarray(bg.image(*THUMB), dtype=np.float64) for bg in catalog}


def test_catalog_has_forty_or_more_backgrounds_in_five_or_more_categories():
    assert len(catalog) >= 40
    assert len({bg.category for bg in catalog}) >= 5


@pytest.mark.parametrize("bg", catalog, ids=lambda bg: bg.id)
def test_every_entry_satisfies_the_contract(bg):
    assert isinstance(bg, Background)
    assert ID.fullmatch(bg.id)
    assert bg.version == "1"
    assert bg.title.strip() and bg.author.strip() and bg.category.strip()
    assert 3 <= len(bg.tags) <= 6
    assert all(isinstance(t, str) and t == t.strip().lower() and t for t in bg.tags)
    assert re.fullmatch(r"#[0-9a-f]{6}", bg.dominant_color)
    assert bg.tone in {"dark", "light"}


def test_ids_are_unique():
    ids = [bg.id for bg in catalog]
    assert len(ids) == len(set(ids))


def test_dark_backgrounds_are_the_majority_but_light_ones_exist():
    tones = [bg.tone for bg in catalog]
    assert tones.count("light") >= 8
    assert tones.count("dark") > tones.count("light")


@pytest.mark.parametrize("size", [(1, 1), (17, 5), (5, 17), (400, 210)])
def test_every_background_renders_rgb_at_exactly_the_requested_size(size):
    for bg in catalog:
        img = bg.image(*size)
        assert (img.mode, img.size) == ("RGB", size), bg.id


@pytest.mark.parametrize("size", [(1200, 630), (1200, 600), (1080, 1080)])
@pytest.mark.parametrize("bg_id", SAMPLE)
def test_card_sizes_render_exactly(bg_id, size):
    img = BY_ID[bg_id].image(*size)
    assert (img.mode, img.size) == ("RGB", size)


def test_bad_sizes_are_refused():
    with pytest.raises(ValueError, match="positive"):
        catalog[0].image(0, 630)


def test_two_calls_give_identical_bytes(thumbs):
    for bg in catalog:
        assert bg.image(*THUMB).tobytes() == np.asarray(thumbs[bg.id], np.uint8).tobytes(), bg.id


def test_another_process_draws_the_same_bytes():
    ids = ["mesh-sunset", "topo-forest", "bokeh-violet"]
    script = (
        "import hashlib, sys\n"
        "from ogplatform.builtin.backgrounds import catalog\n"
        "by = {bg.id: bg for bg in catalog}\n"
        "for i in sys.argv[1:]:\n"
        "    print(hashlib.sha256(by[i].image(320, 168).tobytes()).hexdigest())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, *ids], capture_output=True, text=True, check=True
    )
    here = [hashlib.sha256(BY_ID[i].image(320, 168).tobytes()).hexdigest() for i in ids]
    assert out.stdout.split() == here


def test_backgrounds_are_not_flat(thumbs):
    for bg_id, pixels in thumbs.items():
        assert pixels.mean(axis=2).std() > 2.5, bg_id


def test_backgrounds_are_structure_not_noise(thumbs):
    """Averaging 4x4 blocks keeps most of the colour variance of smooth structure, and about
    1/16 of the variance of noise."""
    for bg_id, pixels in thumbs.items():
        crop = pixels[:156, :300]
        blocks = crop.reshape(39, 4, 75, 4, 3).mean(axis=(1, 3))
        kept = blocks.reshape(-1, 3).var(axis=0).sum() / crop.reshape(-1, 3).var(axis=0).sum()
        assert kept > 0.5, (bg_id, kept)


def test_the_composition_scales_with_the_size_instead_of_being_cropped():
    """A render at twice the size, scaled down, looks like the small render (grain aside)."""
    small = (100, 53)
    for bg in catalog:
        big = bg.image(600, 318).resize(small, Image.Resampling.BOX)
        thumb = bg.image(300, 159).resize(small, Image.Resampling.BOX)
        diff = np.abs(np.asarray(big, dtype=np.float64) - np.asarray(thumb, dtype=np.float64))
        assert diff.mean() < 3, bg.id


def test_dominant_color_is_the_mean_colour(thumbs):
    for bg_id, pixels in thumbs.items():
        dominant = np.array([int(BY_ID[bg_id].dominant_color[i : i + 2], 16) for i in (1, 3, 5)])
        assert np.abs(pixels.reshape(-1, 3).mean(axis=0) - dominant).max() < 6, bg_id


@pytest.mark.parametrize("bg_id", SAMPLE[:4])
def test_dominant_color_matches_a_full_size_card(bg_id):
    pixels = np.asarray(BY_ID[bg_id].image(1200, 630), dtype=np.float64)
    dominant = np.array([int(BY_ID[bg_id].dominant_color[i : i + 2], 16) for i in (1, 3, 5)])
    assert np.abs(pixels.reshape(-1, 3).mean(axis=0) - dominant).max() < 4


def test_tone_agrees_with_the_luminance_of_the_mean_colour(thumbs):
    for bg_id, pixels in thumbs.items():
        lum = float(srgb_luminance(pixels.reshape(-1, 3).mean(axis=0)))
        expected = "dark" if wcag(1.0, lum) >= wcag(0.0, lum) else "light"
        assert BY_ID[bg_id].tone == expected, bg_id


def test_a_title_reads_over_the_centre(thumbs):
    """White text on dark, near-black (#111) on light: WCAG AA (4.5:1) against the centre's
    mean, and at least 3:1 (large text) against every 8x8 patch of the centre."""
    ink = {"dark": 1.0, "light": float(srgb_luminance(np.array([17.0, 17.0, 17.0])))}
    h, w = THUMB[1], THUMB[0]
    for bg_id, pixels in thumbs.items():
        centre = pixels[int(h * 0.3) : int(h * 0.7), int(w * 0.15) : int(w * 0.85)]
        text = ink[BY_ID[bg_id].tone]
        assert wcag(text, float(srgb_luminance(centre.reshape(-1, 3).mean(axis=0)))) >= 4.5
        ch, cw = centre.shape[0] // 8 * 8, centre.shape[1] // 8 * 8
        patches = centre[:ch, :cw].reshape(ch // 8, 8, cw // 8, 8, 3).mean(axis=(1, 3))
        worst = min(wcag(text, float(lum)) for lum in srgb_luminance(patches).ravel())
        assert worst >= 3.0, (bg_id, worst)


@pytest.mark.parametrize(
    "bg", [bg for bg in catalog if bg.category == "texture"], ids=lambda bg: bg.id
)
def test_grainy_textures_are_still_mostly_gradient_at_full_size(bg):
    pixels = np.asarray(bg.image(1200, 632), dtype=np.float64)
    blocks = pixels.reshape(79, 8, 150, 8, 3).mean(axis=(1, 3))
    kept = blocks.reshape(-1, 3).var(axis=0).sum() / pixels.reshape(-1, 3).var(axis=0).sum()
    assert kept > 0.5


def test_the_docs_list_every_background():
    docs = (Path(__file__).resolve().parents[3] / "docs" / "backgrounds.md").read_text()
    listed = set(re.findall(r"^\| `([a-z0-9._-]+)` \|", docs, flags=re.M))
    assert listed == set(BY_ID)
