"""The public surface of ``ogplatform.render``: it changes only on purpose."""

from __future__ import annotations

import pickle
import subprocess
import sys

import ogplatform.render as render


def test_public_names() -> None:
    assert set(render.__all__) == {
        "DEFAULT_FALLBACK_FAMILIES",
        "RENDER_VERSION",
        "Align",
        "Direction",
        "FontLibrary",
        "FontRef",
        "ImageFormat",
        "Layer",
        "Line",
        "LinearGradient",
        "Paint",
        "RadialGradient",
        "Rect",
        "Run",
        "Scene",
        "Solid",
        "Stop",
        "Text",
        "TextBlock",
        "TextStyle",
        "UnknownFontFamilyError",
        "encode",
        "fit_text",
        "layout_text",
        "render_raster",
        "scene_svg",
        "xml_text",
    }
    for name in render.__all__:
        assert getattr(render, name) is not None


def test_render_imports_nothing_else_of_ogplatform() -> None:
    code = (
        "import sys, ogplatform.render as r; "
        "r.layout_text('x', r.TextStyle(), fonts=r.FontLibrary(), size=10, width=100); "
        "print(sorted(m for m in sys.modules if m.startswith('ogplatform.') "
        "and not m.startswith('ogplatform.render')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_a_text_block_survives_a_process_boundary() -> None:
    block = render.layout_text(
        "Hello مرحبا 👋", render.TextStyle(), fonts=render.FontLibrary(), size=40, width=600
    )
    assert pickle.loads(pickle.dumps(block)) == block
