"""Photos a self-hoster supplies: a folder with a ``manifest.toml`` (or ``.json``) listing them.

Every entry is checked when the folder is loaded (ids, paths, and that the image decodes), so a
mistake is reported at start-up, naming the manifest and the entry, rather than on the first
request that uses it. ``image()`` cover-fits the photo: cropped toward the centre, never
stretched.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

import numpy as np
import structlog
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from ogplatform.builtin.backgrounds._color import hex_to_rgb, rgb_to_hex, tone_of

__all__ = ["ENV_VAR", "MANIFESTS", "PhotoBackground", "folder_catalog", "folder_from_env"]

log = structlog.get_logger("ogplatform.backgrounds")

ENV_VAR = "OGP_BACKGROUNDS_DIR"
MANIFESTS = ("manifest.toml", "manifest.json")
_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
_HEX = re.compile(r"#[0-9a-fA-F]{6}")
_REQUIRED = ("id", "file", "title")
_OPTIONAL = ("author", "category", "tags", "matte")
_ROTATED = {5, 6, 7, 8}  # EXIF orientations that swap width and height


class PhotoBackground:
    """One photo from the folder; ``version`` hashes the file, so replacing it busts caches."""

    __slots__ = (
        "author",
        "category",
        "dominant_color",
        "id",
        "matte",
        "path",
        "tags",
        "title",
        "tone",
        "version",
    )

    def __init__(
        self,
        id: str,
        path: Path,
        *,
        title: str,
        author: str = "",
        category: str = "photo",
        tags: Sequence[str] = (),
        matte: str = "#000000",
    ) -> None:
        self.id, self.path, self.title, self.author = id, path, title, author
        self.category, self.tags, self.matte = category, tuple(tags), matte
        data = path.read_bytes()
        self.version = hashlib.blake2b(data + matte.encode(), digest_size=6).hexdigest()
        with Image.open(path) as img:
            img.draft("RGB", (64, 64))  # JPEG: decode at 1/8 scale, all we need for a mean
            small = _flatten(img, matte)
        small.thumbnail((64, 64), Image.Resampling.BOX)
        mean = np.asarray(small, dtype=np.float64).reshape(-1, 3).mean(axis=0)
        self.dominant_color = rgb_to_hex(mean)
        self.tone = tone_of(mean)

    def image(self, width: int, height: int) -> Image.Image:
        """The photo upright, cover-fitted to ``width`` x ``height`` and cropped to the centre."""
        if width < 1 or height < 1:
            raise ValueError(f"background size must be positive, got {width}x{height}")
        with Image.open(self.path) as img:
            turned = img.getexif().get(ExifTags.Base.Orientation, 1) in _ROTATED
            stored_w, stored_h = (height, width) if turned else (width, height)
            scale = max(stored_w / img.width, stored_h / img.height)
            # JPEG: let the decoder shrink by up to 8x while staying at least the needed size
            img.draft("RGB", (math.ceil(img.width * scale), math.ceil(img.height * scale)))
            photo = _flatten(ImageOps.exif_transpose(img), self.matte)
        return _cover(photo, width, height)

    def __repr__(self) -> str:
        return f"<PhotoBackground {self.id!r} ({self.path.name})>"


def _flatten(img: Image.Image, matte: str) -> Image.Image:
    """RGB, with any transparency composited over the ``matte`` colour."""
    if img.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in img.info:
        rgba = img.convert("RGBA")
        red, green, blue = (round(float(c) * 255) for c in hex_to_rgb(matte))
        out = Image.new("RGB", rgba.size, (red, green, blue))
        out.paste(rgba, mask=rgba.getchannel("A"))
        return out
    return img.convert("RGB")


def _cover(photo: Image.Image, width: int, height: int) -> Image.Image:
    scale = max(width / photo.width, height / photo.height)
    # a cheap box-filter reduce first when the photo is far larger than needed, keeping 2x
    # headroom so the LANCZOS pass that follows still has real detail to work with
    factor = int(1 / (2 * scale))
    if factor >= 2:
        photo = photo.reduce(factor)
    return ImageOps.fit(photo, (width, height), Image.Resampling.LANCZOS, centering=(0.5, 0.5))


def folder_catalog(path: Path) -> list[PhotoBackground]:
    """The photos listed in ``path``'s manifest; ValueError naming the entry on any mistake."""
    folder = Path(path)
    found = [folder / name for name in MANIFESTS if (folder / name).is_file()]
    if not found:
        raise ValueError(f"{folder}: no {' or '.join(MANIFESTS)} in this backgrounds folder")
    if len(found) > 1:
        raise ValueError(f"{folder}: both {MANIFESTS[0]} and {MANIFESTS[1]}; keep one")
    manifest = found[0]
    entries = _read_manifest(manifest)
    root = folder.resolve()
    photos: list[PhotoBackground] = []
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        label = f"entry {number}"
        if isinstance(entry, Mapping) and isinstance(entry.get("id"), str):
            label += f" (id {entry['id']!r})"
        try:
            photos.append(_load_entry(entry, root, seen))
        except ValueError as exc:
            raise ValueError(f"{manifest}: {label}: {exc}") from None
    return photos


def _read_manifest(manifest: Path) -> list[Any]:
    try:
        text = manifest.read_text(encoding="utf-8")
        data: Any = tomllib.loads(text) if manifest.suffix == ".toml" else json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:  # TOMLDecodeError, JSONDecodeError
        raise ValueError(f"{manifest}: cannot be parsed: {exc}") from None
    if isinstance(data, list):  # a bare JSON list of entries is accepted too
        return data
    if not isinstance(data, dict) or set(data) - {"backgrounds"}:
        raise ValueError(f"{manifest}: expected only a 'backgrounds' list of entries")
    entries = data.get("backgrounds", [])
    if not isinstance(entries, list):
        raise ValueError(f"{manifest}: 'backgrounds' must be a list of entries")
    return entries


def _load_entry(entry: Any, root: Path, seen: set[str]) -> PhotoBackground:
    if not isinstance(entry, Mapping):
        raise ValueError("must be a table with id, file and title")
    unknown = sorted(set(entry) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        allowed = ", ".join(_REQUIRED + _OPTIONAL)
        raise ValueError(f"unknown field {unknown[0]!r} (allowed: {allowed})")
    for name in (*_REQUIRED, "author", "category"):
        if name in entry and (not isinstance(entry[name], str) or not entry[name].strip()):
            raise ValueError(f"{name!r} must be a non-empty string")
        if name in _REQUIRED and name not in entry:
            raise ValueError(f"missing {name!r}")
    bg_id = entry["id"]
    if not _ID.fullmatch(bg_id):
        raise ValueError(f"bad id {bg_id!r}: use lower-case [a-z0-9][a-z0-9._-]{{0,63}}")
    if bg_id in seen:
        raise ValueError(f"duplicate id {bg_id!r}")
    seen.add(bg_id)
    tags = entry.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
        raise ValueError("'tags' must be a list of non-empty strings")
    matte = entry.get("matte", "#000000")
    if not isinstance(matte, str) or not _HEX.fullmatch(matte):
        raise ValueError(f"'matte' must be a #rrggbb colour, got {matte!r}")
    path = _inside(root, entry["file"])
    try:
        return PhotoBackground(
            bg_id,
            path,
            title=entry["title"],
            author=entry.get("author", ""),
            category=entry.get("category", "photo"),
            tags=tags,
            matte=matte,
        )
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValueError(f"file {entry['file']!r} is not a readable image: {exc}") from None


def _inside(root: Path, name: str) -> Path:
    """The manifest's file name as a path that exists inside ``root``; ValueError otherwise."""
    pure = PurePosixPath(name.replace("\\", "/"))
    if pure.is_absolute() or PureWindowsPath(name).drive or ".." in pure.parts:
        raise ValueError(f"file {name!r} must be a relative path inside the folder (no '..')")
    path = (root / pure).resolve()
    if not path.is_relative_to(root):  # e.g. a symlink pointing out of the folder
        raise ValueError(f"file {name!r} resolves outside the folder")
    if not path.is_file():
        raise ValueError(f"file {name!r} does not exist in {root}")
    return path


def folder_from_env() -> list[PhotoBackground]:
    """The folder named by ``OGP_BACKGROUNDS_DIR``; empty when unset or not a directory."""
    value = os.environ.get(ENV_VAR, "").strip()
    if not value:
        return []
    folder = Path(value).expanduser()
    if not folder.is_dir():
        log.warning("backgrounds_folder_missing", env=ENV_VAR, path=str(folder))
        return []
    return folder_catalog(folder)
