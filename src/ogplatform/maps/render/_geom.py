"""Shapes to pixel paths: unwrap, cut to the projection's window, project, clip, simplify.

Everything is numpy on whole rings; a ring is only clipped when it straddles a window edge.
Simplification snaps to a half-pixel grid and drops repeated points: deterministic per vertex,
so borders shared by two shapes stay shared (no slivers), and points closer than ~0.5 px go.
"""

from __future__ import annotations

import threading
from array import array
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np
import numpy.typing as npt

from ogplatform.maps.geodata import Shape
from ogplatform.maps.render.projection import Fit, Projection, unwrap_ring

__all__ = [
    "Frame",
    "KeptByIdentity",
    "Window",
    "clip_polygon",
    "path_data",
    "project_lines",
    "project_polygons",
    "stroke_rings",
    "thinned",
    "unshared_edges",
]

Array = npt.NDArray[np.float64]
SEAM_LON = 179.89  # Natural Earth shapes are cut at +/-179.9
V = TypeVar("V")
GRID = 2.0  # points per pixel of the snapping grid (0.5 px)
FLAT = 0.3  # px: a point this close to the line through its neighbours adds nothing


@dataclass(frozen=True)
class Window:
    """The part of the globe drawn: relative longitude and latitude ranges (degrees).
    ``cut_lon=False`` (azimuthal maps around a pole) keeps longitudes as they are."""

    min_rel: float
    max_rel: float
    min_lat: float
    max_lat: float
    cut_lon: bool = True


@dataclass(frozen=True)
class Frame:
    """Where and how shapes land in pixels."""

    projection: Projection
    fit: Fit
    window: Window
    clip: tuple[float, float, float, float]  # pixel rectangle to clip to (x0, y0, x1, y1)
    # points within this many px of the line through their neighbours are dropped: FLAT for
    # maps of a country or less, more where a pixel holds much coastline (the world)
    flat: float = FLAT


def _half_plane(pts: Array, axis: int, bound: float, keep_above: bool) -> Array:
    """Sutherland-Hodgman against one axis-aligned half-plane, vectorised."""
    v = pts[:, axis] - bound if keep_above else bound - pts[:, axis]
    inside = v >= 0
    if inside.all():
        return pts
    if not inside.any():
        return pts[:0]
    nxt = np.concatenate([pts[1:], pts[:1]])
    vn = np.concatenate([v[1:], v[:1]])
    cross = inside != np.concatenate([inside[1:], inside[:1]])
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(cross, v / (v - vn), 0.0)
    inter = pts + (nxt - pts) * t[:, None]
    out: Array = np.stack([pts, inter], axis=1).reshape(-1, 2)
    mask = np.stack([inside, cross], axis=1).reshape(-1)
    kept: Array = out[mask]
    return kept


def clip_polygon(pts: Array, box: tuple[float, float, float, float]) -> Array:
    """A ring (n, 2) clipped to an axis-aligned box (x0, y0, x1, y1)."""
    x0, y0, x1, y1 = box
    for axis, bound, above in ((0, x0, True), (0, x1, False), (1, y0, True), (1, y1, False)):
        pts = _half_plane(pts, axis, bound, above)
        if len(pts) < 3:
            return pts[:0]
    return pts


def _box_relation(pts: Array, box: tuple[float, float, float, float]) -> int:
    """0: outside, 1: inside, 2: straddling."""
    x0, y0, x1, y1 = box
    mx, my = pts.min(axis=0)
    nx, ny = pts.max(axis=0)
    if nx < x0 or mx > x1 or ny < y0 or my > y1:
        return 0
    if mx >= x0 and nx <= x1 and my >= y0 and ny <= y1:
        return 1
    return 2


def _drop_flat(q: Array, ring: bool, passes: int = 2, flat_px: float = FLAT) -> Array:
    """Drop points lying within ``flat_px`` px of the line through their neighbours.

    A point goes only when its coordinate hash is lower than both neighbours' (a strict
    local minimum), so no two neighbours go in one pass and the decision depends on the
    points, not on the ring's direction or start: a border shared by two shapes thins the
    same way in both (only its two end points may differ)."""
    for _ in range(passes):
        n = len(q)
        if n < (10 if ring else 6):
            return q
        g = np.round(q * GRID).astype(np.int64)
        h = ((g[:, 0] * 73856093) ^ (g[:, 1] * 19349663)) & 0xFFFFF
        if ring:
            prev, nxt = np.concatenate([q[-1:], q[:-1]]), np.concatenate([q[1:], q[:1]])
            hp, hn = np.concatenate([h[-1:], h[:-1]]), np.concatenate([h[1:], h[:1]])
        else:
            prev = np.vstack([q[:1], q[:-1]])
            nxt = np.vstack([q[1:], q[-1:]])
            hp = np.concatenate([[-1], h[:-1]])
            hn = np.concatenate([h[1:], [-1]])
        bx, by = nxt[:, 0] - prev[:, 0], nxt[:, 1] - prev[:, 1]
        cross = np.abs((q[:, 0] - prev[:, 0]) * by - (q[:, 1] - prev[:, 1]) * bx)
        flat = cross <= flat_px * np.maximum(np.hypot(bx, by), 1e-9)
        drop = flat & (h < hp) & (h < hn)
        if not ring:
            drop[0] = drop[-1] = False
        if not drop.any():
            return q
        q = q[~drop]
    return q


def _snap(pts: Array, ring: bool = True, flat_px: float = FLAT) -> Array:
    q = np.round(pts * GRID) / GRID
    if len(q) > 1:
        keep = np.ones(len(q), dtype=bool)
        keep[1:] = np.any(q[1:] != q[:-1], axis=1)
        q = q[keep]
        if ring and len(q) > 1 and np.all(q[0] == q[-1]):
            q = q[:-1]
        q = _drop_flat(q, ring, flat_px=flat_px)
    return q


def _ring_area(pts: Array) -> float:
    x, y = pts[:, 0], pts[:, 1]
    return 0.5 * abs(float(x[:-1] @ y[1:] - y[:-1] @ x[1:] + x[-1] * y[0] - y[-1] * x[0]))


def _lonlat_pieces(ring: Array, frame: Frame) -> list[Array]:
    """The ring as (rel_lon, lat) pieces inside the window (several if it wraps)."""
    w = frame.window
    if not w.cut_lon:
        pts = np.column_stack([ring[:, 0] - frame.projection.lon0, ring[:, 1]])
        box = (-1e9, w.min_lat, 1e9, w.max_lat)
        rel = _box_relation(pts, box)
        return [] if rel == 0 else [pts if rel == 1 else clip_polygon(pts, box)]
    lat = ring[:, 1]
    la0, la1 = float(lat.min()), float(lat.max())
    if la1 < w.min_lat or la0 > w.max_lat:
        return []
    rel_lon = unwrap_ring(ring, frame.projection.lon0)
    r0, r1 = float(rel_lon.min()), float(rel_lon.max())
    lat_in = la0 >= w.min_lat and la1 <= w.max_lat
    pieces = []
    box = (w.min_rel, w.min_lat, w.max_rel, w.max_lat)
    for shift in (0.0, -360.0, 360.0):
        # the box test on the bounds (what _box_relation would find, without the arrays)
        lo, hi = r0 + shift, r1 + shift
        if hi < w.min_rel or lo > w.max_rel:
            continue
        pts = np.column_stack([rel_lon + shift, lat])
        if lat_in and lo >= w.min_rel and hi <= w.max_rel:
            pieces.append(pts)
        else:
            clipped = clip_polygon(pts, box)
            if len(clipped) >= 3:
                pieces.append(clipped)
    return pieces


def _to_px(pts: Array, frame: Frame) -> Array:
    x, y = frame.projection.forward(pts[:, 0], pts[:, 1])
    px, py = frame.fit.to_px(x, y)
    return np.column_stack([px, py])


def _seam_lines(ring: Array) -> list[Array] | None:
    """A ring that runs along the antimeridian (Natural Earth cuts shapes there) as open lines
    without those edges, so strokes draw no false border at 180 degrees; ``None`` if it has
    no such edge."""
    if ring[:, 0].max() < 180.0 and ring[:, 0].min() > -180.0:
        return None
    on = np.abs(ring[:, 0]) >= 180.0
    seam = on & np.roll(on, -1)
    if not seam.any():
        return None
    keep = ~seam  # edge i runs from point i to i + 1 (wrapping)
    start = int(np.flatnonzero(seam)[0]) + 1
    order = np.roll(np.arange(len(ring)), -start)
    closed = np.append(order, order[0])
    ek = keep[order]
    idx = np.flatnonzero(np.diff(np.concatenate(([0], ek.astype(np.int8), [0]))))
    return [ring[closed[a : b + 1]] for a, b in zip(idx[0::2], idx[1::2], strict=True)]


_CACHE_SIZE = 4000
_cache: OrderedDict[Hashable, tuple[Shape, list[list[Array]], list[Array]]] = OrderedDict()
_cache_lock = threading.Lock()


def project_polygons(
    shape: Shape,
    frame: Frame,
    min_area: float = 0.35,
    parts: Iterable[int] | None = None,
    seams: list[Array] | None = None,
) -> list[list[Array]]:
    """Per polygon its pixel rings (exterior first), clipped and simplified; polygons that
    vanish (outside, or smaller than ``min_area`` px²) are left out.

    With ``seams`` given, rings running along the antimeridian are left out of the result's
    strokes: their fill rings are still returned, and their outlines minus the seam edges are
    appended to ``seams`` as open lines (see :func:`stroke_rings`).

    Results are kept in-process per (shape, frame): the same place at the same size in
    another theme, or the thumbnail of a job rendered twice, projects nothing again."""
    sel = tuple(parts) if parts is not None else None
    key = (id(shape), frame, min_area, sel)
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None and hit[0] is shape:
            _cache.move_to_end(key)
    if hit is not None and hit[0] is shape:
        if seams is not None:
            seams.extend(hit[2])
        return list(hit[1])
    own_seams: list[Array] = []
    out = _project_polygons(shape, frame, min_area, sel, own_seams)
    with _cache_lock:
        _cache[key] = (shape, out, own_seams)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    if seams is not None:
        seams.extend(own_seams)
    return list(out)


def _project_polygons(
    shape: Shape,
    frame: Frame,
    min_area: float,
    parts: Iterable[int] | None,
    seams: list[Array],
) -> list[list[Array]]:
    """The rings of a shape projected in one batch: every ring that lies wholly inside the
    window and the clip rectangle (most of them) is projected, snapped and thinned together
    with the others as one array; a ring that wraps, touches the antimeridian or straddles
    an edge takes :func:`_ring_pieces`, one at a time. Both give the same pixels."""
    flat = _flatten(shape, tuple(parts) if parts is not None else None)
    done = _batch(flat, frame, min_area)
    out: list[list[Array]] = []
    for part_rings in flat.rings:
        rings: list[Array] = []
        for j, r in enumerate(part_rings):
            if r < 0:
                continue  # fewer than 3 points
            fast = done.get(r)
            if fast is not None:
                if len(fast):
                    rings.append(fast)
            else:
                ring = flat.points[flat.starts[r] : flat.starts[r] + flat.lengths[r]]
                rings.extend(_ring_pieces(ring, frame, min_area, seams))
            if j == 0 and not rings:
                break  # exterior gone: so are its holes
        if rings:
            out.append(rings)
    return out


def _ring_pieces(ring: Array, frame: Frame, min_area: float, seams: list[Array]) -> list[Array]:
    """One ring's pixel rings: cut to the window (several if it wraps), clipped, snapped."""
    cut = _seam_lines(ring)
    if cut is not None:
        line_shape = Shape(kind="line", parts=tuple((array("d", c.ravel()),) for c in cut))
        seams.extend(_project_lines(line_shape, frame))
    out: list[Array] = []
    for piece in _lonlat_pieces(ring, frame):
        px = _to_px(piece, frame)
        rel = _box_relation(px, frame.clip)
        if rel == 0:
            continue
        if rel == 2:
            px = clip_polygon(px, frame.clip)
        px = _snap(px, flat_px=frame.flat)
        if len(px) < 3 or _ring_area(px) < min_area:
            continue
        out.append(_mark_seam(px) if cut is not None else px)
    return out


@dataclass(frozen=True)
class _Flat:
    """A shape's rings as one array (antimeridian gaps closed): ring ``r`` is
    ``points[starts[r]:starts[r] + lengths[r]]``; ``rings[p][j]`` is the ring number of
    polygon ``p``'s ``j``-th ring (-1: under 3 points); ``lat_min``/``lat_max``/``seam`` per
    ring (seam: it touches +/-180 and takes the one-at-a-time path)."""

    points: Array
    starts: npt.NDArray[np.int64]
    lengths: npt.NDArray[np.int64]
    rings: list[list[int]]
    lat_min: Array
    lat_max: Array
    seam: npt.NDArray[np.bool_]


_flats: OrderedDict[Hashable, tuple[Shape, _Flat]] = OrderedDict()


def _flatten(shape: Shape, parts: tuple[int, ...] | None) -> _Flat:
    key = (id(shape), parts)
    with _cache_lock:
        hit = _flats.get(key)
        if hit is not None and hit[0] is shape:
            _flats.move_to_end(key)
            return hit[1]
    selected: Sequence[tuple[array[float], ...]] = shape.parts
    if parts is not None:
        selected = [shape.parts[i] for i in parts]
    arrays: list[Array] = []
    numbers: list[list[int]] = []
    for part in selected:
        mine: list[int] = []
        for raw in part:
            ring = np.frombuffer(raw, dtype=np.float64).reshape(-1, 2)
            if len(ring) < 3:
                mine.append(-1)
                continue
            mine.append(len(arrays))
            arrays.append(ring)
        numbers.append(mine)
    if arrays:
        points = np.concatenate(arrays)
        edge = np.abs(points[:, 0]) >= SEAM_LON
        if edge.any():  # the data cuts at +/-179.9: close the 0.2-degree gap
            points[edge, 0] = np.sign(points[edge, 0]) * 180.0
    else:
        points = np.zeros((0, 2))
    lengths = np.array([len(a) for a in arrays], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    if len(lengths):
        lat_min = np.minimum.reduceat(points[:, 1], starts)
        lat_max = np.maximum.reduceat(points[:, 1], starts)
        seam = np.maximum.reduceat(np.abs(points[:, 0]), starts) >= 180.0
    else:
        lat_min = lat_max = np.zeros(0)
        seam = np.zeros(0, dtype=bool)
    flat = _Flat(points, starts, lengths, numbers, lat_min, lat_max, seam)
    with _cache_lock:
        _flats[key] = (shape, flat)
        while len(_flats) > _CACHE_SIZE:
            _flats.popitem(last=False)
    return flat


def _batch(flat: _Flat, frame: Frame, min_area: float) -> dict[int, Array]:
    """The rings that lie wholly inside the window and the clip rectangle, projected,
    snapped and thinned together: ring number -> pixel ring (empty when it vanishes).
    Rings not in the result take the one-at-a-time path."""
    if not len(flat.lengths):
        return {}
    w = frame.window
    lon = flat.points[:, 0] - frame.projection.lon0
    inside = (flat.lat_min >= w.min_lat) & (flat.lat_max <= w.max_lat) & ~flat.seam
    if w.cut_lon:
        # relative longitudes as unwrap_ring gives them when the ring does not wrap
        lon = (flat.points[:, 0] - frame.projection.lon0 + 180.0) % 360.0 - 180.0
        lo = np.minimum.reduceat(lon, flat.starts)
        hi = np.maximum.reduceat(lon, flat.starts)
        inside &= (hi - lo < 180.0) & (lo >= w.min_rel) & (hi <= w.max_rel)
        # ... and no other copy of it (360 degrees off) reaches into the window
        inside &= (hi - 360.0 < w.min_rel) & (lo + 360.0 > w.max_rel)
    chosen = np.flatnonzero(inside)
    if not len(chosen):
        return {}
    take = np.repeat(inside, flat.lengths)
    x, y = frame.projection.forward(lon[take], flat.points[take, 1])
    px, py = frame.fit.to_px(x, y)
    pts = np.column_stack([px, py])
    lengths = flat.lengths[chosen]
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    # wholly inside the clip rectangle too (the others are clipped one at a time)
    x0, y0, x1, y1 = frame.clip
    within = (
        (np.minimum.reduceat(px, starts) >= x0)
        & (np.maximum.reduceat(px, starts) <= x1)
        & (np.minimum.reduceat(py, starts) >= y0)
        & (np.maximum.reduceat(py, starts) <= y1)
    )
    keep_pts = np.repeat(within, lengths)
    chosen, lengths = chosen[within], lengths[within]
    if not len(chosen):
        return {}
    q, lengths = _snap_rings(pts[keep_pts], lengths, frame.flat)
    out: dict[int, Array] = {}
    at = 0
    for r, n in zip(chosen.tolist(), lengths.tolist(), strict=True):
        ring = q[at : at + n]
        at += n
        out[r] = ring if n >= 3 and _ring_area(ring) >= min_area else ring[:0]
    return out


def _snap_rings(
    pts: Array, lengths: npt.NDArray[np.int64], flat_px: float = FLAT
) -> tuple[Array, npt.NDArray[np.int64]]:
    """:func:`_snap` on many rings at once (``pts`` their points one after another)."""
    q = np.round(pts * GRID) / GRID
    n_rings = len(lengths)
    ring_of = np.repeat(np.arange(n_rings), lengths)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    # repeated points go (a ring's first point always stays)
    keep = np.ones(len(q), dtype=bool)
    keep[1:] = np.any(q[1:] != q[:-1], axis=1)
    keep[starts] = True
    q, ring_of = q[keep], ring_of[keep]
    lengths = np.bincount(ring_of, minlength=n_rings)
    # a closing point equal to the first goes (rings of 2+ points)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    ends = starts + lengths - 1
    closing = (lengths > 1) & np.all(q[starts] == q[np.maximum(ends, 0)], axis=1)
    if closing.any():
        keep = np.ones(len(q), dtype=bool)
        keep[ends[closing]] = False
        q, ring_of = q[keep], ring_of[keep]
        lengths = np.bincount(ring_of, minlength=n_rings)
    return _drop_flat_rings(q, ring_of, lengths, flat_px=flat_px)


def _drop_flat_rings(
    q: Array,
    ring_of: npt.NDArray[np.int64],
    lengths: npt.NDArray[np.int64],
    passes: int = 2,
    flat_px: float = FLAT,
    closed: bool = True,
) -> tuple[Array, npt.NDArray[np.int64]]:
    """:func:`_drop_flat` on many rings (or, ``closed=False``, open lines) at once: the same
    points go."""
    n_rings = len(lengths)
    for _ in range(passes):
        active = lengths >= (10 if closed else 6)
        if not active.any():
            break
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        ends = starts + lengths - 1
        idx = np.arange(len(q))
        prev_i, next_i = idx - 1, idx + 1
        first, last = starts[lengths > 0], ends[lengths > 0]
        # a ring wraps round; a line's ends are their own neighbours, and always stay
        prev_i[first] = last if closed else first
        next_i[last] = first if closed else last
        g = np.round(q * GRID).astype(np.int64)
        h = ((g[:, 0] * 73856093) ^ (g[:, 1] * 19349663)) & 0xFFFFF
        prev, nxt = q[prev_i], q[next_i]
        bx, by = nxt[:, 0] - prev[:, 0], nxt[:, 1] - prev[:, 1]
        cross = np.abs((q[:, 0] - prev[:, 0]) * by - (q[:, 1] - prev[:, 1]) * bx)
        flat = cross <= flat_px * np.maximum(np.hypot(bx, by), 1e-9)
        drop = flat & (h < h[prev_i]) & (h < h[next_i]) & active[ring_of]
        if not closed:
            drop[first] = drop[last] = False
        if not drop.any():
            break
        q, ring_of = q[~drop], ring_of[~drop]
        lengths = np.bincount(ring_of, minlength=n_rings)
    return q, lengths


class _SeamRing(np.ndarray):
    """A fill ring whose outline is drawn from the seam lines instead."""


def _mark_seam(px: Array) -> Array:
    return px.view(_SeamRing)


def stroke_rings(rings: Iterable[Array]) -> list[Array]:
    """The rings whose outline may be stroked as is (not running along the antimeridian)."""
    return [r for r in rings if not isinstance(r, _SeamRing)]


class KeptByIdentity(Generic[V]):
    """Values worked out from arrays, kept while those very arrays live (a key holds them, so
    their ids cannot be reused): the projection caches hand out the same ring arrays for the
    same map, so the same map again finds what was worked out from them. Least recently used
    entries go past ``size``."""

    def __init__(self, size: int) -> None:
        self._items: OrderedDict[Hashable, tuple[tuple[Array, ...], V]] = OrderedDict()
        self._lock = threading.Lock()
        self._size = size

    def get(self, arrays: Sequence[Array], extra: Hashable = None) -> V | None:
        key = (extra, tuple(id(a) for a in arrays))
        with self._lock:
            hit = self._items.get(key)
            if hit is None or not all(a is b for a, b in zip(hit[0], arrays, strict=True)):
                return None
            self._items.move_to_end(key)
            return hit[1]

    def put(self, arrays: Sequence[Array], value: V, extra: Hashable = None) -> None:
        key = (extra, tuple(id(a) for a in arrays))
        with self._lock:
            self._items[key] = (tuple(arrays), value)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


def thinned(paths: Iterable[Array], closed: bool, flat_px: float, passes: int = 3) -> list[Array]:
    """The paths with points within ``flat_px`` of their neighbours' line dropped: for lines
    drawn wide and soft (the coastal glow: a 5-px band needs no 0.3-px detail; at 1 px the
    world PNG draws 10 ms faster, mean difference 0.03/255). All in one array at once."""
    paths = list(paths)
    if not paths:
        return []
    lengths = np.array([len(p) for p in paths], dtype=np.int64)
    ring_of = np.repeat(np.arange(len(paths)), lengths)
    q, lengths = _drop_flat_rings(
        np.concatenate(paths), ring_of, lengths, passes, flat_px, closed=closed
    )
    return np.split(q, np.cumsum(lengths)[:-1])


def unshared_edges(
    rings: Sequence[Array], lines: Sequence[Array] = (), thin_px: float = 0.0
) -> tuple[list[Array], list[Array]]:
    """The outline pieces no two shapes share, as (whole rings, open lines): an edge found
    twice (either way round, on the snapping grid) is a border between two shapes that tile
    the land and goes; what stays is the coast. Water lines are stroked along these only: a
    band along a land border is covered by the land on both sides, and stroking it cost the
    rasteriser a third of a world map. ``thin_px`` > 0: the pieces :func:`thinned` that
    much. Kept per outline (by its points)."""
    if not rings and not lines:
        return [], []
    arrays = [*rings, *lines]
    extra = (len(rings), thin_px)
    hit = _coasts.get(arrays, extra)
    if hit is None:
        hit = _unshared_edges(list(rings), list(lines))
        if thin_px > 0:
            hit = (thinned(hit[0], True, thin_px), thinned(hit[1], False, thin_px))
        _coasts.put(arrays, hit, extra)
    return list(hit[0]), list(hit[1])


_coasts: KeptByIdentity[tuple[list[Array], list[Array]]] = KeptByIdentity(256)


def _unshared_edges(rings: list[Array], lines: list[Array]) -> tuple[list[Array], list[Array]]:
    paths = [*rings, *lines]
    starts, ends = [], []
    for i, p in enumerate(paths):
        if i < len(rings):
            starts.append(p)
            ends.append(np.roll(p, -1, axis=0))
        else:
            starts.append(p[:-1])
            ends.append(p[1:])
    counts = [len(a) for a in starts]
    a = np.round(np.concatenate(starts) * GRID).astype(np.int64)
    b = np.round(np.concatenate(ends) * GRID).astype(np.int64)
    # each edge as (lower end, upper end), so a->b and b->a compare equal
    swap = (a[:, 0] > b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] > b[:, 1]))
    lo, hi = np.where(swap[:, None], b, a), np.where(swap[:, None], a, b)
    order = np.lexsort((hi[:, 1], hi[:, 0], lo[:, 1], lo[:, 0]))
    k = np.column_stack([lo, hi])[order]
    same = np.all(k[1:] == k[:-1], axis=1)
    shared_sorted = np.zeros(len(k), dtype=bool)
    shared_sorted[1:] |= same
    shared_sorted[:-1] |= same
    single = np.empty(len(k), dtype=bool)
    single[order] = ~shared_sorted
    whole: list[Array] = []
    pieces: list[Array] = []
    at = 0
    for i, (p, n) in enumerate(zip(paths, counts, strict=True)):
        keep = single[at : at + n]
        at += n
        if not keep.any():
            continue
        closed = i < len(rings)
        if closed and keep.all():
            whole.append(p)
            continue
        if closed:  # start the walk at a shared edge, so no run wraps round the end
            shift = int(np.flatnonzero(~keep)[0])
            p, keep = np.roll(p, -shift, axis=0), np.roll(keep, -shift)
            p = np.vstack([p, p[:1]])  # edge j runs from p[j] to p[j + 1]
        edges = np.flatnonzero(np.diff(np.concatenate(([0], keep.astype(np.int8), [0]))))
        for first, stop in zip(edges[0::2], edges[1::2], strict=True):
            pieces.append(p[first : stop + 1])
    return whole, pieces


def project_lines(shape: Shape, frame: Frame, cache: bool = True) -> list[Array]:
    """Line paths in pixels, cut where they leave the window or the clip rectangle (kept
    in-process per (shape, frame), like polygons, unless ``cache=False``: a shape made for
    one render)."""
    if not cache:
        return _project_lines(shape, frame)
    key = ("lines", id(shape), frame)
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None and hit[0] is shape:
            _cache.move_to_end(key)
    if hit is not None and hit[0] is shape:
        return list(hit[2])
    out = _project_lines(shape, frame)
    with _cache_lock:
        _cache[key] = (shape, [], out)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return list(out)


def _project_lines(shape: Shape, frame: Frame) -> list[Array]:
    out: list[Array] = []
    w = frame.window
    x0, y0, x1, y1 = frame.clip
    for part in shape.parts:
        line = np.frombuffer(part[0], dtype=np.float64).reshape(-1, 2)
        if len(line) < 2:
            continue
        rel = unwrap_ring(line, frame.projection.lon0) if w.cut_lon else line[:, 0]
        ok = (rel >= w.min_rel) & (rel <= w.max_rel) & (line[:, 1] >= w.min_lat)
        ok &= line[:, 1] <= w.max_lat
        if not ok.any():
            continue
        px = _to_px(np.column_stack([rel, line[:, 1]]), frame)
        ok &= (px[:, 0] >= x0) & (px[:, 0] <= x1) & (px[:, 1] >= y0) & (px[:, 1] <= y1)
        # a segment is kept when either end is kept: lines run one point past the edge
        seg = ok[:-1] | ok[1:]
        if not seg.any():
            continue
        idx = np.flatnonzero(np.diff(np.concatenate(([0], seg.astype(np.int8), [0]))))
        for start, stop in zip(idx[0::2], idx[1::2], strict=True):
            piece = _snap(px[start : stop + 1], ring=False, flat_px=frame.flat)
            if len(piece) >= 2:
                out.append(piece)
    return out


# Coordinates on the snapping grid written as text: a table of the grid's values as strings
# (``f"{v:g}"``), grown on demand, turns formatting into one numpy lookup per path.
_words: npt.NDArray[np.object_] = np.array([], dtype=object)
_words_half = 0  # _words[i] is the text of (i - _words_half) / GRID
_words_lock = threading.Lock()


def _word_table(lo: int, hi: int) -> tuple[npt.NDArray[np.object_], int]:
    global _words, _words_half
    with _words_lock:
        if -lo > _words_half or hi > _words_half:
            half = max(-lo, hi, 2 * _words_half, 4096)
            table = np.empty(2 * half + 1, dtype=object)
            table[:] = [f"{k / GRID:g}" for k in range(-half, half + 1)]
            _words, _words_half = table, half
        return _words, _words_half


def _fmt(pts: Array) -> str:
    return " ".join(_texts(pts))


def _texts(pts: Array) -> list[str]:
    """The coordinates (snapped to the grid) as text, x y x y ..."""
    k = np.round(pts * GRID).ravel()
    if not len(k):
        return []
    lo, hi = int(k.min()), int(k.max())
    if max(-lo, hi) > 20_000_000:  # far off any canvas: no table for that
        return [f"{v:g}" for v in (k / GRID).tolist()]
    table, half = _word_table(lo, hi)
    words: list[str] = table[k.astype(np.int64) + half].tolist()
    return words


def path_data(rings: Iterable[Array], closed: bool = True) -> str:
    """SVG path data: ``M x y x y ... Z`` per ring (implicit line-tos keep it short).

    The text is kept per ring arrays (:class:`KeptByIdentity`): the same map again writes
    the same text (the world's 0.8 MB took ~10 ms to format); arrays made for one render
    never hit."""
    rings = [r for r in rings]
    if not rings:
        return ""
    if sum(len(r) for r in rings) < 64:
        return _path_text(rings, closed)
    text = _path_texts.get(rings, closed)
    if text is None:
        text = _path_text(rings, closed)
        _path_texts.put(rings, text, closed)
    return text


_path_texts: KeptByIdentity[str] = KeptByIdentity(4096)


def _path_text(rings: list[Array], closed: bool) -> str:
    end = "Z" if closed else ""
    words = _texts(np.concatenate(rings))
    out: list[str] = []
    at = 0
    for r in rings:
        n = 2 * len(r)
        out.append(f"M{' '.join(words[at : at + n])}{end}")
        at += n
    return "".join(out)
