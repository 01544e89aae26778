"""The location index: loads the bundle's index at once and decodes shapes on demand.

Needs only the standard library and msgspec; shapes come back as :class:`Shape`.
"""

from __future__ import annotations

import contextlib
import threading
import uuid
import zlib
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Literal

import msgspec

from ogplatform.maps.geodata._codec import decode_shape
from ogplatform.maps.geodata._format import (
    FORMAT_VERSION,
    INDEX_FILE,
    SHAPES_FILE,
    BundleIndex,
    ShapeRecord,
)
from ogplatform.maps.geodata._text import fold
from ogplatform.maps.geodata.model import Feature, FeatureType, Location, LocationType
from ogplatform.maps.geodata.shape import Shape

__all__ = ["DEFAULT_DATA_DIR", "LayerItem", "LocationIndex"]

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "data"
_CHUNK_DECODER = msgspec.msgpack.Decoder(list[ShapeRecord])


class LayerItem(msgspec.Struct, frozen=True):
    """One shape of a drawing-only layer (``world/lakes-50m`` ...)."""

    key: str
    name: str | None
    scalerank: int | None
    shape: Shape


class LocationIndex:
    """Countries, subdivisions, cities and water features of the bundle.

    ``LocationIndex.load()`` reads only the index (records, search keys, chunk table); each
    shape chunk is read, inflated and cached the first time a shape in it is asked for.
    """

    def __init__(self, index: BundleIndex, shapes_path: Path) -> None:
        if index.version != FORMAT_VERSION:
            raise ValueError(f"geodata bundle version {index.version}, expected {FORMAT_VERSION}")
        self._index = index
        self._shapes_path = shapes_path
        self._locations = index.locations
        self._by_key: dict[str, Location] = {}
        for loc in self._locations:
            self._by_key[loc.id] = loc
            self._by_key[loc.code] = loc
        self._position = {loc.id: i for i, loc in enumerate(self._locations)}
        self._lock = threading.Lock()
        self._chunk = lru_cache(maxsize=64)(self._read_chunk)
        self._shape = lru_cache(maxsize=2048)(self._decode)
        # The records never change: what every map render asks again is kept (copies given out)
        self._children = lru_cache(maxsize=1024)(self._find_children)
        self._features = lru_cache(maxsize=1024)(self._find_features)
        self._listing = lru_cache(maxsize=1024)(self._find_listing)
        self._ranked = lru_cache(maxsize=16)(self._find_ranked)

    @classmethod
    def load(cls, data_dir: Path = DEFAULT_DATA_DIR) -> LocationIndex:
        """Read the index of the bundle in ``data_dir`` (the packaged bundle by default)."""
        raw = zlib.decompress((data_dir / INDEX_FILE).read_bytes())
        return cls(msgspec.msgpack.decode(raw, type=BundleIndex), data_dir / SHAPES_FILE)

    # -- records -------------------------------------------------------------------------

    def get(self, id_or_code: str) -> Location | None:
        """The location with this id (UUID string) or code ("us", "US-CA"), or ``None``."""
        key = id_or_code.strip().lower()
        with contextlib.suppress(ValueError):  # not a UUID: a code
            key = str(uuid.UUID(key))
        return self._by_key.get(key)

    def __len__(self) -> int:
        return len(self._locations)

    def __iter__(self) -> Iterator[Location]:
        return iter(self._locations)

    def search(
        self,
        q: str | None = None,
        type: LocationType | None = None,
        parent_id: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[Location], int]:
        """Locations matching all filters, and how many match in total.

        ``q`` matches names, alternative names and codes, accent- and case-insensitively:
        exact matches first, then prefixes, then substrings; ties go to countries, then
        subdivisions, then cities by population. ``parent_id`` (an id or code) keeps the
        location's descendants: a country's subdivisions and cities, a subdivision's cities.
        """
        parent = self.get(parent_id) if parent_id else None
        if parent_id and parent is None:
            return [], 0
        needle = fold(q) if q else ""
        if not needle:  # a listing (every map render asks for some): kept
            listed = self._listing(type, parent.id if parent is not None else None)
            return list(listed[offset : offset + limit]), len(listed)
        return self._search(needle, type, parent, limit, offset)

    def _find_listing(
        self, type: LocationType | None, parent_id: str | None
    ) -> tuple[Location, ...]:
        found, _ = self._search("", type, self.get(parent_id) if parent_id else None, 10**9, 0)
        return tuple(found)

    def _search(
        self,
        needle: str,
        type: LocationType | None,
        parent: Location | None,
        limit: int,
        offset: int,
    ) -> tuple[list[Location], int]:
        hits: list[tuple[tuple[int, int, int, str], Location]] = []
        for loc, keys in zip(self._locations, self._index.search_keys, strict=True):
            if type is not None and loc.type != type:
                continue
            if parent is not None and parent.id not in (loc.parent_id, loc.country_id):
                continue
            if parent is not None and loc.id == parent.id:
                continue
            quality = _match_quality(needle, keys) if needle else 0
            if quality < 0:
                continue
            order = _TYPE_ORDER[loc.type]
            hits.append(((quality, order, -(loc.population or 0), loc.name), loc))
        hits.sort(key=lambda h: h[0])
        return [loc for _, loc in hits[offset : offset + limit]], len(hits)

    def children(self, location: Location) -> list[Location]:
        """Direct children: a country's subdivisions (and cities of no known subdivision), a
        subdivision's cities."""
        return list(self._children(location.id))

    def _find_children(self, location_id: str) -> tuple[Location, ...]:
        return tuple(loc for loc in self._locations if loc.parent_id == location_id)

    # -- water ---------------------------------------------------------------------------

    def features(
        self,
        location: Location,
        type: FeatureType | None = None,
        include_unnamed: bool = False,
    ) -> list[Feature]:
        """Rivers and lakes in a location, most important first.

        For countries and subdivisions: features that meet the area itself (worked out at build
        time); for cities: features whose box meets the city's box.
        """
        return list(self._features(location.id, type, include_unnamed))

    def _find_features(
        self, location_id: str, type: FeatureType | None, include_unnamed: bool
    ) -> tuple[Feature, ...]:
        index = self._index
        location = self._locations[self._position[location_id]]
        position = self._position[location_id]
        found = []
        for feature, places in zip(index.features, index.feature_places, strict=True):
            if type is not None and feature.type != type:
                continue
            if feature.code is None and not include_unnamed:
                continue
            if location.type == "city":
                if feature.bounds.intersects(location.bounds):
                    found.append(feature)
            elif position in places:
                found.append(feature)
        found.sort(key=lambda f: (f.scalerank, f.type, f.code or "", f.key))
        return tuple(found)

    def ranked_features(self, max_scalerank: int, type: FeatureType | None = None) -> list[Feature]:
        """Every named river and lake up to ``max_scalerank``, most important first (the
        world map's choice: it has no location of its own in the bundle)."""
        return list(self._ranked(max_scalerank, type))

    def _find_ranked(self, max_scalerank: int, type: FeatureType | None) -> tuple[Feature, ...]:
        found = [
            f
            for f in self._index.features
            if f.code is not None
            and f.scalerank <= max_scalerank
            and (type is None or f.type == type)
        ]
        found.sort(key=lambda f: (f.scalerank, f.type, f.code or "", f.key))
        return tuple(found)

    def feature(self, code: str) -> Feature | None:
        """The river or lake with this code ("river-mississippi")."""
        code = code.strip().lower()
        return next((f for f in self._index.features if f.code == code), None)

    # -- shapes --------------------------------------------------------------------------

    def geometry(
        self, item: Location | Feature, detail: Literal["detailed", "coarse"] = "detailed"
    ) -> Shape | None:
        """The shape of a country, subdivision, river or lake (``None`` for cities, which are
        points: use ``label``). ``detail="coarse"`` gives a country's 50m outline."""
        if isinstance(item, Feature):
            return self._shape(self._index.feature_chunks[item.key], str(item.key))
        if item.type == "country":
            chunk = "world/countries-50m" if detail == "coarse" else f"country/{item.code}"
            return self._shape(chunk, item.code)
        if item.type == "subdivision":
            country = self._locations[self._position[item.country_id]].code
            return self._shape(f"subdivisions/{country}", item.code)
        return None

    def layer(self, name: str) -> list[LayerItem]:
        """A drawing-only layer: ``world/countries-50m``, ``world/lakes-50m``,
        ``world/rivers-50m``."""
        return [
            LayerItem(key=r.key, name=r.name, scalerank=r.scalerank, shape=self._shape(name, r.key))  # type: ignore[arg-type]
            for r in self._chunk(name).values()
        ]

    def _decode(self, chunk: str, key: str) -> Shape | None:
        record = self._chunk(chunk).get(key) if chunk in self._index.chunks else None
        return decode_shape(record.shape) if record else None

    def _read_chunk(self, name: str) -> dict[str, ShapeRecord]:
        ref = self._index.chunks[name]
        with self._lock, self._shapes_path.open("rb") as fh:
            fh.seek(ref.offset)
            data = fh.read(ref.length)
        return {r.key: r for r in _CHUNK_DECODER.decode(zlib.decompress(data))}


_TYPE_ORDER = {"country": 0, "subdivision": 1, "city": 2}


def _match_quality(needle: str, keys: str) -> int:
    """0 exact, 1 prefix (of a word), 2 substring, -1 no match."""
    parts = keys.split(" | ")
    if needle in parts:
        return 0
    if any(p.startswith(needle) or f" {needle}" in p for p in parts):
        return 1
    return 2 if needle in keys else -1
