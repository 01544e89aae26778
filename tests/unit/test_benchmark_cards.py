"""The card benchmark's own side still runs (tiny counts; the peer needs node and npm, so it is
left out here: `python -m benchmarks cards` measures it)."""

from __future__ import annotations

from PIL import Image

from benchmarks import cards


def test_ours_renders_both_cards_and_reports(tmp_path, capsys):
    results = cards.measure(
        samples=1, rounds=1, growth=2, peer=False, out_dir=tmp_path, warmup=0, stages=0
    )
    assert results == []  # no peer, no ratios
    for card in cards.CARDS:
        with Image.open(tmp_path / f"{card}-ours.png") as image:
            assert image.format == "PNG"
            assert image.size == (1200, 630)
    out = capsys.readouterr().out
    assert "gradient png : ours" in out
    assert "photo    jpeg: ours" in out
    assert "2 distinct gradient PNG renders" in out


def test_satori_card_numbers_come_from_our_scenes(tmp_path):
    ours = cards.Ours(tmp_path)
    config = cards.peer_config(ours, tmp_path, warmup=1)
    scenes = ours.scenes()
    for name, spec in config["cards"].items():
        title = [layer for layer in scenes[name].layers if isinstance(layer, cards.Text)][1]
        assert spec["title_size"] == title.block.font_size
        assert spec["title_color"] == title.color
    assert config["cards"]["gradient"]["backdrop"].startswith("linear-gradient(135deg, ")
    assert config["cards"]["gradient"]["glow"].startswith("radial-gradient(circle ")
    # Static faces pinned from Inter's variable file: real TrueType files, one per weight/size.
    for font in config["fonts"]:
        with open(font["path"], "rb") as face:
            assert face.read(4) == b"\x00\x01\x00\x00"
    assert {font["weight"] for font in config["fonts"]} == {400, 800}
