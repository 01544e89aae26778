"""Fonts: discovery from fontpkg wheels and directories, resolution, the unknown-family guard."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ogplatform.render import FontLibrary, FontRef, UnknownFontFamilyError
from ogplatform.render._fontfiles import discover_fontpkg, load_face

CJK_DIR = Path(os.environ.get("OGP_TEST_CJK_FONT_DIR", "/usr/share/fonts/opentype/noto"))
PACKAGED = {
    "Inter",
    "Noto Sans",
    "Noto Sans Arabic",
    "Heebo",
    "Playfair Display",
    "JetBrains Mono",
    "Space Grotesk",
}


def require_cjk_fonts() -> Path:
    """The CJK font directory (Debian ``fonts-noto-cjk``): skip without it, fail in CI."""
    if any(CJK_DIR.glob("NotoSansCJK*")):
        return CJK_DIR
    reason = f"no Noto Sans CJK fonts in {CJK_DIR} (apt-get install fonts-noto-cjk)"
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"{reason}; CI must provide them", pytrace=False)
    print(f"\nSKIP: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def fonts() -> FontLibrary:
    return FontLibrary()


def test_fontpkg_wheels_are_found_through_their_entry_points() -> None:
    faces = discover_fontpkg()
    assert {face.family for face in faces} >= PACKAGED
    for face in faces:
        assert Path(face.path).is_file()
        assert face.source.startswith("fontpkg")


def test_families_lists_what_is_installed(fonts: FontLibrary) -> None:
    assert set(fonts.families) >= PACKAGED
    assert list(fonts.families) == sorted(fonts.families)


def test_resolve_by_family_weight_and_style(fonts: FontLibrary) -> None:
    bold = fonts.resolve("Inter", 700)
    assert bold.family == "Inter"
    assert bold.weight == 700
    assert not bold.italic
    assert bold.weight_range == (100.0, 900.0)
    assert bold.opsz_range == (14.0, 32.0)
    italic = fonts.resolve("Inter", 400, italic=True)
    assert italic.italic
    assert italic.path != bold.path


def test_names_are_case_and_slug_insensitive(fonts: FontLibrary) -> None:
    assert fonts.resolve("space-grotesk").family == "Space Grotesk"
    assert fonts.resolve("PLAYFAIR DISPLAY").family == "Playfair Display"
    assert fonts.has_family("jetbrains_mono")


def test_variable_weights_are_clamped_to_the_axis(fonts: FontLibrary) -> None:
    assert fonts.resolve("Playfair Display", 300).weight == 400  # axis 400-900
    assert fonts.resolve("Space Grotesk", 900).weight == 700  # axis 300-700


def test_missing_italic_falls_back_to_upright(fonts: FontLibrary) -> None:
    ref = fonts.resolve("Space Grotesk", 500, italic=True)
    assert ref.family == "Space Grotesk"
    assert not ref.italic


def test_unknown_family_raises_listing_known_families(fonts: FontLibrary) -> None:
    with pytest.raises(UnknownFontFamilyError) as info:
        fonts.resolve("Comic Sans MS")
    message = str(info.value)
    assert "Comic Sans MS" in message
    assert "Inter" in message
    assert "Noto Sans" in info.value.known


def test_variations_follow_weight_and_size(fonts: FontLibrary) -> None:
    inter = fonts.resolve("Inter", 600)
    assert inter.variations(20) == {"wght": 600.0, "opsz": 20.0}
    assert inter.variations(72) == {"wght": 600.0, "opsz": 32.0}
    assert inter.variations(8) == {"wght": 600.0, "opsz": 14.0}
    static = FontRef("X", 400, False, "/nonexistent.ttf")
    assert static.variations(50) == {}


def test_fallback_chain_starts_with_the_request_then_noto(fonts: FontLibrary) -> None:
    chain = fonts.fallback_chain(fonts.resolve("Playfair Display", 700))
    families = [ref.family for ref in chain]
    assert families[:4] == ["Playfair Display", "Noto Sans", "Noto Sans Arabic", "Heebo"]
    assert all(ref.weight == 700 for ref in chain)
    assert len({(ref.path, ref.index) for ref in chain}) == len(chain)


def test_a_face_is_parsed_once_per_process(fonts: FontLibrary) -> None:
    ref = fonts.resolve("Inter")
    assert load_face(ref.path, ref.index) is load_face(ref.path, ref.index)


def test_missing_directory_contributes_nothing(tmp_path: Path) -> None:
    library = FontLibrary([tmp_path / "absent"], packaged=False)
    assert library.families == ()
    with pytest.raises(UnknownFontFamilyError):
        library.resolve("Inter")


def test_directory_with_a_broken_file_is_still_scanned(tmp_path: Path) -> None:
    (tmp_path / "broken.ttf").write_bytes(b"not a font")
    source = Path(FontLibrary().resolve("Heebo").path)
    (tmp_path / "copy.ttf").write_bytes(source.read_bytes())
    library = FontLibrary([tmp_path], packaged=False)
    assert library.families == ("Heebo",)


def test_cjk_faces_come_from_the_system_directory() -> None:
    library = FontLibrary([require_cjk_fonts()])
    regular = library.resolve("Noto Sans CJK JP", 400)
    bold = library.resolve("Noto Sans CJK JP", 700)
    assert regular.path.endswith(".ttc")
    assert (regular.weight, bold.weight) == (400, 700)
    assert regular.path != bold.path
    chain = library.fallback_chain(library.resolve("Inter"))
    assert "Noto Sans CJK JP" in [ref.family for ref in chain]
    assert ord("語") in library.coverage(regular)
