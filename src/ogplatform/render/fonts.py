"""Fonts as dependencies: the faces of installed ``fontpkg-*`` wheels plus extra directories.

A face is addressed by family + weight (+ italic). Resolving a family that is not installed
raises :class:`UnknownFontFamilyError` naming the known families, so a typo can never reach
resvg, where an unknown ``font-family`` makes text silently vanish.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path

import msgspec

from ogplatform.render._fontfiles import (
    FaceInfo,
    coverage,
    discover_directory,
    discover_fontpkg,
)

__all__ = [
    "DEFAULT_FALLBACK_FAMILIES",
    "FontLibrary",
    "FontRef",
    "UnknownFontFamilyError",
]

#: Tried in order after the requested family, when installed: Latin/Greek/Cyrillic, Arabic,
#: Hebrew, then CJK (Debian's ``fonts-noto-cjk`` in an extra directory).
DEFAULT_FALLBACK_FAMILIES: tuple[str, ...] = (
    "Noto Sans",
    "Noto Sans Arabic",
    "Heebo",
    "Noto Sans CJK JP",
)


class FontRef(msgspec.Struct, frozen=True):
    """One concrete face: everything a back-end needs to draw with it.

    Attributes:
        family: The family name the font file itself carries (what resvg matches).
        weight: The weight actually used: the clamped request for a variable font, the face's
            own weight for a static one. Write it as ``font-weight`` and resvg picks this face.
        italic: Whether the face is italic (False when italic was asked but not available).
        path: Font file path (pass it to resvg's ``font_files``).
        index: Face index inside a collection (``.ttc``); 0 otherwise.
        weight_range: The ``wght`` axis range of a variable font, else ``None``.
        opsz_range: The ``opsz`` axis range, else ``None``.
    """

    family: str
    weight: int
    italic: bool
    path: str
    index: int = 0
    weight_range: tuple[float, float] | None = None
    opsz_range: tuple[float, float] | None = None

    def variations(self, size: float) -> dict[str, float]:
        """Axis values at ``size`` px: ``wght`` from the weight, ``opsz`` following the size.

        ``opsz`` tracks the font size as resvg's automatic optical sizing does, so measured
        advances equal drawn ones.
        """
        axes: dict[str, float] = {}
        if self.weight_range is not None:
            axes["wght"] = float(self.weight)
        if self.opsz_range is not None:
            low, high = self.opsz_range
            axes["opsz"] = min(max(float(size), low), high)
        return axes


class UnknownFontFamilyError(LookupError):
    """A font family was asked for that no installed wheel or font directory provides."""

    def __init__(self, family: str, known: Iterable[str]) -> None:
        self.family = family
        self.known = tuple(known)
        super().__init__(
            f"font family {family!r} is not installed; known families: {', '.join(self.known)}"
        )


def _key(family: str) -> str:
    return " ".join(family.replace("-", " ").replace("_", " ").split()).casefold()


def _css_weight_rank(desired: int, weight: int) -> tuple[int, int]:
    """Sort key for weight matching, as CSS Fonts 4 section 5.2 orders candidates."""
    if weight == desired:
        return (0, 0)
    if 400 <= desired <= 500:
        if desired < weight <= 500:
            return (1, weight - desired)
        if weight < desired:
            return (2, desired - weight)
        return (3, weight - desired)
    if desired < 400:
        return (1, desired - weight) if weight < desired else (2, weight - desired)
    return (1, weight - desired) if weight > desired else (2, desired - weight)


def _effective_weight(face: FaceInfo, desired: int) -> int:
    if face.weight_range is None:
        return face.weight
    low, high = face.weight_range
    return round(min(max(float(desired), low), high))


@cache
def _packaged_faces() -> tuple[FaceInfo, ...]:
    return tuple(discover_fontpkg())


@cache
def _directory_faces(directory: str) -> tuple[FaceInfo, ...]:
    return tuple(discover_directory(Path(directory)))


class FontLibrary:
    """The fonts this process may draw with, and the fallback order between them.

    Args:
        extra_dirs: Directories scanned (recursively) for ``.ttf``/``.otf``/``.ttc`` files, e.g.
            the system CJK font directory. A missing directory contributes nothing.
        fallback_families: Families tried after the requested one, in order; those not
            installed are skipped. Faces from ``extra_dirs`` follow them as a last resort.
        packaged: Include the faces of installed ``fontpkg-*`` wheels.
    """

    __slots__ = ("_chains", "_extra_families", "_fallbacks", "_families")

    def __init__(
        self,
        extra_dirs: Sequence[str | Path] = (),
        *,
        fallback_families: Sequence[str] = DEFAULT_FALLBACK_FAMILIES,
        packaged: bool = True,
    ) -> None:
        faces: list[FaceInfo] = list(_packaged_faces()) if packaged else []
        extra: list[FaceInfo] = []
        for directory in extra_dirs:
            extra.extend(_directory_faces(str(Path(directory).resolve())))
        families: dict[str, list[FaceInfo]] = {}
        for face in [*faces, *extra]:  # packaged first: on a name clash the wheel wins
            families.setdefault(_key(face.family), []).append(face)
        self._families = families
        self._extra_families = tuple(dict.fromkeys(_key(f.family) for f in extra))
        self._fallbacks = tuple(_key(f) for f in fallback_families)
        self._chains: dict[FontRef, tuple[FontRef, ...]] = {}

    @property
    def families(self) -> tuple[str, ...]:
        """Every family name available, sorted."""
        return tuple(sorted(faces[0].family for faces in self._families.values()))

    def has_family(self, family: str) -> bool:
        """Whether ``family`` (case-insensitive; ``-``/``_`` read as spaces) is available."""
        return _key(family) in self._families

    def resolve(self, family: str, weight: int = 400, italic: bool = False) -> FontRef:
        """The face for ``family`` closest to ``weight``/``italic`` (CSS matching rules).

        Raises:
            UnknownFontFamilyError: ``family`` is not installed.
        """
        faces = self._families.get(_key(family))
        if not faces:
            raise UnknownFontFamilyError(family, self.families)
        styled = [f for f in faces if f.italic == italic] or faces
        face = min(styled, key=lambda f: _css_weight_rank(weight, _effective_weight(f, weight)))
        return FontRef(
            family=face.family,
            weight=_effective_weight(face, weight),
            italic=face.italic,
            path=face.path,
            index=face.index,
            weight_range=face.weight_range,
            opsz_range=face.opsz_range,
        )

    def fallback_chain(self, primary: FontRef) -> tuple[FontRef, ...]:
        """``primary``, then the installed fallback families, then the extra directories' faces.

        Each fallback is resolved at the primary's weight and style; duplicates are removed.
        """
        chain = self._chains.get(primary)
        if chain is not None:
            return chain
        refs = [primary]
        seen = {(primary.path, primary.index)}
        for key in (*self._fallbacks, *self._extra_families):
            if key not in self._families:
                continue
            ref = self.resolve(key, primary.weight, primary.italic)
            if (ref.path, ref.index) not in seen:
                seen.add((ref.path, ref.index))
                refs.append(ref)
        chain = self._chains[primary] = tuple(refs)
        return chain

    def coverage(self, ref: FontRef) -> frozenset[int]:
        """The code points ``ref`` has glyphs for."""
        return coverage(ref.path, ref.index)

    def font_files(self) -> tuple[str, ...]:
        """Every font file path of the library (for resvg's ``font_files``)."""
        paths = (f.path for faces in self._families.values() for f in faces)
        return tuple(dict.fromkeys(paths))
