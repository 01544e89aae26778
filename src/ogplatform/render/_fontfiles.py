"""Finding font files and reading what a face says about itself.

Two sources: the ``fontpkg-*`` wheels (each registers its package in the ``fontpkg.family``
entry-point group and ships ``metadata.json`` plus its font files) and plain directories such as
Debian's ``/usr/share/fonts/opentype/noto``. Each file is opened once per process: the HarfBuzz
blob and faces are cached here and shared with the shaper.
"""

from __future__ import annotations

import importlib.metadata
import importlib.resources
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import uharfbuzz as hb  # type: ignore[import-untyped,unused-ignore]

__all__ = [
    "FONTPKG_ENTRY_POINT_GROUP",
    "FaceInfo",
    "coverage",
    "discover_directory",
    "discover_fontpkg",
    "load_face",
]

FONTPKG_ENTRY_POINT_GROUP = "fontpkg.family"
FONT_SUFFIXES = frozenset({".ttf", ".otf", ".ttc", ".otc"})

_NAME_FAMILY = 1
_NAME_SUBFAMILY = 2
_NAME_TYPOGRAPHIC_FAMILY = 16


@dataclass(frozen=True, slots=True)
class FaceInfo:
    """One face of one font file, as the font itself names it.

    ``family`` comes from the file's name table (typographic family, else family): that is the
    name resvg matches ``font-family`` against, so using it keeps the two back-ends in step.
    """

    family: str
    path: str
    index: int
    weight: int
    italic: bool
    weight_range: tuple[float, float] | None
    opsz_range: tuple[float, float] | None
    source: str


@cache
def _blob(path: str) -> hb.Blob:
    return hb.Blob.from_file_path(path)


@cache
def load_face(path: str, index: int = 0) -> hb.Face:
    """The HarfBuzz face for ``path``/``index``, parsed once per process."""
    return hb.Face(_blob(path), index)


@cache
def coverage(path: str, index: int = 0) -> frozenset[int]:
    """Code points the face maps to a glyph (its cmap), computed once per process."""
    return frozenset(load_face(path, index).unicodes)


def _face_count(path: str) -> int:
    count = hb.Face(_blob(path)).count
    return max(int(count), 1)


def read_face(path: str, index: int, source: str) -> FaceInfo | None:
    """Describe one face, or ``None`` when the file has no usable name or is not a font."""
    face = load_face(path, index)
    family = face.get_name(_NAME_TYPOGRAPHIC_FAMILY) or face.get_name(_NAME_FAMILY)
    if not family or face.upem <= 0:
        return None
    os2 = bytes(face.reference_table("OS/2").data)
    weight = int.from_bytes(os2[4:6], "big") if len(os2) >= 6 else 400
    italic = bool(int.from_bytes(os2[62:64], "big") & 1) if len(os2) >= 64 else False
    subfamily = (face.get_name(_NAME_SUBFAMILY) or "").lower()
    italic = italic or "italic" in subfamily or "oblique" in subfamily
    axes = {a.tag: (float(a.min_value), float(a.max_value)) for a in face.axis_infos}
    return FaceInfo(
        family=str(family),
        path=path,
        index=index,
        weight=weight or 400,
        italic=italic,
        weight_range=axes.get("wght"),
        opsz_range=axes.get("opsz"),
        source=source,
    )


def _read_file(path: Path, source: str) -> Iterator[FaceInfo]:
    name = str(path)
    try:
        count = _face_count(name)
        for index in range(count):
            info = read_face(name, index, source)
            if info is not None:
                yield info
    except Exception:  # a broken or foreign file must not stop discovery
        return


def discover_fontpkg() -> list[FaceInfo]:
    """Faces shipped by installed ``fontpkg-*`` wheels, found through their entry points.

    No site-packages path is assumed: each entry point names the package, whose ``metadata.json``
    lists its font files relative to the package (``importlib.resources``).
    """
    faces: list[FaceInfo] = []
    for ep in importlib.metadata.entry_points(group=FONTPKG_ENTRY_POINT_GROUP):
        try:
            root = importlib.resources.files(ep.value)
            meta = json.loads((root / "metadata.json").read_text(encoding="utf-8"))
            files: Iterable[str] = [str(f["path"]) for f in meta.get("files", [])]
        except (ImportError, OSError, ValueError, KeyError, TypeError):
            continue
        dist = ep.dist.name if ep.dist is not None else ep.value
        for rel in files:
            node = root
            for part in rel.split("/"):
                node = node / part
            if isinstance(node, Path) and node.is_file():  # pip installs wheels unzipped
                faces.extend(_read_file(node, dist))
    return faces


def discover_directory(directory: Path) -> list[FaceInfo]:
    """Faces in the font files under ``directory`` (recursively); missing directory: none."""
    if not directory.is_dir():
        return []
    paths = sorted(
        p for p in directory.rglob("*") if p.suffix.lower() in FONT_SUFFIXES and p.is_file()
    )
    faces: list[FaceInfo] = []
    for path in paths:
        faces.extend(_read_file(path, str(directory)))
    return faces
