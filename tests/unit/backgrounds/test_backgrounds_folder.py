"""The folder plugin: a self-hoster's photos, listed in a manifest, served cover-fitted."""

from __future__ import annotations

import json
from importlib.metadata import EntryPoint
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

import ogplatform.builtin.backgrounds as backgrounds
from ogplatform.builtin.backgrounds import folder_catalog, folder_from_env
from ogplatform.plugins import Background
from ogplatform.plugins.registry import PluginRegistry
from ogplatform.settings import PluginSettings

RED, BLUE = (220, 30, 30), (30, 60, 220)


def write_manifest(folder: Path, entries: list[dict[str, object]]) -> Path:
    lines = []
    for entry in entries:
        lines.append("[[backgrounds]]")
        lines.extend(f"{key} = {json.dumps(value)}" for key, value in entry.items())
        lines.append("")
    path = folder / "manifest.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def circle_photo(size: tuple[int, int], radius: int) -> Image.Image:
    """White, with a black disc in the middle: distortion would make it an ellipse."""
    img = Image.new("RGB", size, "white")
    cx, cy = size[0] // 2, size[1] // 2
    ImageDraw.Draw(img).ellipse((cx - radius, cy - radius, cx + radius, cy + radius), "black")
    return img


@pytest.fixture
def photos(tmp_path: Path) -> Path:
    # a 4000x3000 camera JPEG stored sideways: left half red, right half blue, EXIF says
    # "rotate 90° clockwise to display" (orientation 6) -> upright it is red on top, blue below
    sideways = Image.new("RGB", (4000, 3000), RED)
    sideways.paste(BLUE, (2000, 0, 4000, 3000))
    exif = Image.Exif()
    exif[0x0112] = 6
    sideways.save(tmp_path / "camera.jpg", quality=90, exif=exif.tobytes())
    # a PNG whose left half is fully transparent
    alpha = Image.new("RGBA", (800, 420), (*BLUE, 255))
    alpha.paste((0, 0, 0, 0), (0, 0, 400, 420))
    alpha.save(tmp_path / "alpha.png")
    circle_photo((1600, 1000), 300).save(tmp_path / "wide.jpg", quality=95)
    circle_photo((700, 1400), 100).save(tmp_path / "portrait.png")
    Image.new("RGB", (640, 480), (240, 240, 235)).save(tmp_path / "pale.webp")
    (tmp_path / "sub").mkdir()
    Image.new("RGB", (64, 64), RED).save(tmp_path / "sub" / "nested.jpg")
    write_manifest(
        tmp_path,
        [
            {"id": "camera", "file": "camera.jpg", "title": "Camera", "author": "Jo"},
            {"id": "alpha", "file": "alpha.png", "title": "Alpha"},
            {"id": "alpha-white", "file": "alpha.png", "title": "Alpha", "matte": "#ffffff"},
            {"id": "wide", "file": "wide.jpg", "title": "Wide", "category": "test"},
            {"id": "portrait", "file": "portrait.png", "title": "Portrait", "tags": ["a", "b"]},
            {"id": "pale", "file": "pale.webp", "title": "Pale"},
            {"id": "nested", "file": "sub/nested.jpg", "title": "Nested"},
        ],
    )
    return tmp_path


def by_id(folder: Path) -> dict[str, Background]:
    return {bg.id: bg for bg in folder_catalog(folder)}


def test_entries_satisfy_the_background_contract(photos):
    loaded = folder_catalog(photos)
    assert [bg.id for bg in loaded] == [
        "camera",
        "alpha",
        "alpha-white",
        "wide",
        "portrait",
        "pale",
        "nested",
    ]
    for bg in loaded:
        assert isinstance(bg, Background)
        assert bg.version and bg.tone in {"dark", "light"}
    camera = loaded[0]
    assert (camera.title, camera.author, camera.category, tuple(camera.tags)) == (
        "Camera",
        "Jo",
        "photo",
        (),
    )
    assert loaded[4].tags == ("a", "b") and loaded[3].category == "test"


@pytest.mark.parametrize("size", [(1200, 630), (1080, 1080), (400, 210), (1200, 600)])
@pytest.mark.parametrize("photo", ["wide", "portrait"])
def test_cover_fit_fills_the_size_and_keeps_circles_round(photos, photo, size):
    img = by_id(photos)[photo].image(*size)
    assert (img.mode, img.size) == ("RGB", size)
    dark = np.argwhere(np.asarray(img.convert("L")) < 128)
    height = np.ptp(dark[:, 0]) + 1
    width = np.ptp(dark[:, 1]) + 1
    assert abs(width / height - 1) < 0.03, (width, height)
    # centred: the disc's middle is the image's middle
    assert abs(dark[:, 1].mean() - size[0] / 2) < 2 and abs(dark[:, 0].mean() - size[1] / 2) < 2


def test_exif_orientation_is_applied(photos):
    img = np.asarray(by_id(photos)["camera"].image(1200, 630), dtype=int)
    top, bottom = img[20, 600], img[-20, 600]
    assert np.abs(top - RED).max() < 20, top
    assert np.abs(bottom - BLUE).max() < 20, bottom
    # sideways it would have been red on the left and blue on the right
    assert np.abs(img[100, 20] - img[100, -20]).max() < 20


def test_transparency_is_flattened_onto_the_matte(photos):
    loaded = by_id(photos)
    black = np.asarray(loaded["alpha"].image(400, 210), dtype=int)
    white = np.asarray(loaded["alpha-white"].image(400, 210), dtype=int)
    assert black[105, 20].tolist() == [0, 0, 0]
    assert white[105, 20].tolist() == [255, 255, 255]
    assert np.abs(black[105, -20] - BLUE).max() <= 2
    assert loaded["alpha"].version != loaded["alpha-white"].version


def test_dominant_colour_and_tone_come_from_the_photo(photos):
    loaded = by_id(photos)
    assert loaded["pale"].tone == "light"
    pale = [int(loaded["pale"].dominant_color[i : i + 2], 16) for i in (1, 3, 5)]
    assert np.abs(np.array(pale) - (240, 240, 235)).max() <= 3
    assert loaded["nested"].tone == "dark"  # saturated red: white text contrasts better
    assert loaded["alpha"].tone == "dark"


def test_the_same_size_gives_the_same_pixels(photos):
    camera = by_id(photos)["camera"]
    assert camera.image(600, 315).tobytes() == camera.image(600, 315).tobytes()


def test_replacing_a_photo_changes_its_version(photos):
    before = by_id(photos)["pale"].version
    Image.new("RGB", (640, 480), (10, 10, 10)).save(photos / "pale.webp")
    assert by_id(photos)["pale"].version != before


def test_a_json_manifest_works_too(tmp_path):
    Image.new("RGB", (100, 50), RED).save(tmp_path / "a.png")
    entries = [{"id": "a", "file": "a.png", "title": "A"}]
    (tmp_path / "manifest.json").write_text(json.dumps({"backgrounds": entries}))
    assert [bg.id for bg in folder_catalog(tmp_path)] == ["a"]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"id": "wide", "file": "wide.jpg", "title": "Again"}, "duplicate id 'wide'"),
        ({"id": "gone", "file": "missing.jpg", "title": "Gone"}, "does not exist"),
        ({"id": "up", "file": "../x.jpg", "title": "Up"}, "inside the folder"),
        ({"id": "abs", "file": "/etc/passwd", "title": "Abs"}, "inside the folder"),
        ({"id": "Bad Id", "file": "wide.jpg", "title": "Bad"}, "bad id 'Bad Id'"),
        ({"id": "text", "file": "notes.jpg", "title": "Text"}, "not a readable image"),
        ({"id": "cut", "file": "cut.jpg", "title": "Cut"}, "not a readable image"),
        ({"id": "typo", "file": "wide.jpg", "title": "T", "auhtor": "x"}, "unknown field"),
        ({"id": "untitled", "file": "wide.jpg"}, "missing 'title'"),
        ({"id": "tags", "file": "wide.jpg", "title": "T", "tags": "a,b"}, "'tags' must be"),
        ({"id": "matte", "file": "wide.jpg", "title": "T", "matte": "red"}, "'matte' must be"),
    ],
    ids=lambda value: value["id"] if isinstance(value, dict) else None,
)
def test_a_bad_entry_is_a_value_error_naming_the_manifest_and_the_entry(tmp_path, entry, message):
    circle_photo((320, 200), 50).save(tmp_path / "wide.jpg")
    (tmp_path / "notes.jpg").write_text("not a picture")
    (tmp_path / "cut.jpg").write_bytes((tmp_path / "wide.jpg").read_bytes()[:400])
    write_manifest(tmp_path, [{"id": "wide", "file": "wide.jpg", "title": "Wide"}, entry])
    with pytest.raises(ValueError, match=r"manifest\.toml: entry 2") as raised:
        folder_catalog(tmp_path)
    assert message in str(raised.value)
    if isinstance(entry.get("id"), str):
        assert repr(entry["id"]) in str(raised.value)


def test_a_symlink_out_of_the_folder_is_refused(tmp_path):
    outside = tmp_path / "outside.png"
    Image.new("RGB", (10, 10)).save(outside)
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "link.png").symlink_to(outside)
    write_manifest(folder, [{"id": "link", "file": "link.png", "title": "Link"}])
    with pytest.raises(ValueError, match="resolves outside the folder"):
        folder_catalog(folder)


def test_a_folder_without_a_manifest_or_with_broken_toml_is_named(tmp_path):
    with pytest.raises(ValueError, match=r"no manifest\.toml or manifest\.json"):
        folder_catalog(tmp_path)
    (tmp_path / "manifest.toml").write_text("[[backgrounds]\nid = ")
    with pytest.raises(ValueError, match=r"manifest\.toml: cannot be parsed"):
        folder_catalog(tmp_path)


def test_the_folder_entry_point_reads_the_environment(photos, monkeypatch, tmp_path):
    monkeypatch.delenv("OGP_BACKGROUNDS_DIR", raising=False)
    assert folder_from_env() == [] and backgrounds.folder == []
    monkeypatch.setenv("OGP_BACKGROUNDS_DIR", str(tmp_path / "does-not-exist"))
    assert backgrounds.folder == []
    monkeypatch.setenv("OGP_BACKGROUNDS_DIR", str(photos))
    assert [bg.id for bg in backgrounds.folder][:2] == ["camera", "alpha"]


def test_a_broken_folder_fails_its_entry_point_only(tmp_path, monkeypatch):
    write_manifest(tmp_path, [{"id": "gone", "file": "gone.jpg", "title": "Gone"}])
    monkeypatch.setenv("OGP_BACKGROUNDS_DIR", str(tmp_path))
    group = "ogplatform.backgrounds"
    points = [
        EntryPoint("builtin", "ogplatform.builtin.backgrounds:catalog", group),
        EntryPoint("folder", "ogplatform.builtin.backgrounds:folder", group),
    ]
    registry = PluginRegistry.discover(
        PluginSettings(), find=lambda g: points if g == group else []
    )
    assert len(registry.plugins("backgrounds")) == len(backgrounds.catalog)
    (failure,) = registry.failures
    assert failure.entry_point.startswith("folder =")
    assert "gone.jpg" in failure.error and "entry 1" in failure.error
