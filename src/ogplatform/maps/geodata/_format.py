"""The on-disk layout of the bundle: file names, chunk records and the index record."""

from __future__ import annotations

import msgspec

from ogplatform.maps.geodata.model import Feature, Location

__all__ = [
    "FORMAT_VERSION",
    "INDEX_FILE",
    "SCALE",
    "SHAPES_FILE",
    "BundleIndex",
    "ChunkRef",
    "EncodedShape",
    "ShapeRecord",
]

FORMAT_VERSION = 2  # 2: shape chunks zlib (were xz)
SCALE = 10_000  # grid cells per degree: coordinates are stored as round(degrees * SCALE)
INDEX_FILE = "index.msgpack.zlib"  # zlib: it is read on every start, and inflates fastest
SHAPES_FILE = "shapes.bin"  # concatenated zlib chunks: read one chunk at a time, on demand

KIND_POLYGON, KIND_LINE = 0, 1


class EncodedShape(msgspec.Struct, array_like=True, frozen=True):
    """A (multi)polygon or (multi)line as integer deltas on the ``SCALE`` grid.

    ``sizes`` is ``[n_parts, n_rings_1, n_points_1_1, ..., n_rings_2, ...]`` (a line part has one
    ring); ``deltas`` holds ``dx, dy`` pairs, each point relative to the one before it (the
    first to 0, 0), running on across rings and parts so small numbers stay small.
    """

    kind: int
    sizes: list[int]
    deltas: list[int]


class ShapeRecord(msgspec.Struct, array_like=True, frozen=True):
    """One shape in a chunk, under its location code or feature key, with drawing hints."""

    key: str
    shape: EncodedShape
    name: str | None = None
    scalerank: int | None = None


class ChunkRef(msgspec.Struct, array_like=True, frozen=True):
    """Where one zlib-compressed chunk (a msgpack list of ShapeRecord) sits in SHAPES_FILE."""

    offset: int
    length: int


class BundleIndex(msgspec.Struct, frozen=True):
    """Everything but the shapes: read whole at start-up."""

    version: int
    scale: int
    locations: list[Location]
    search_keys: list[str]  # per location: folded name and alternative names
    features: list[Feature]
    feature_chunks: list[str]  # per feature: the chunk holding its shape
    feature_places: list[list[int]]  # per feature: indexes of the countries/subdivisions it meets
    chunks: dict[str, ChunkRef]
