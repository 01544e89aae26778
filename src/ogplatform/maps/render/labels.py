"""Map labels: anchors, measurement, greedy collision-free placement, SVG ``<text>``.

- **Anchors** for areas sit at the pole of inaccessibility of the projected polygon
  (:func:`polylabel`: a coarse-to-fine grid search on signed distance, numpy only).
- **Measurement** uses the platform's text layout (HarfBuzz, see ``docs/text-layout.md``), so
  boxes are the widths resvg draws; PNG output passes resvg exactly the measured font files.
- **Placement** is greedy by priority: every candidate is tried at its positions in order,
  checked against the boxes placed so far, the obstacles (insets, city dots) and the canvas;
  a label that fits nowhere is dropped, never overlapped.
- **Leader lines** name the smallest units (Rhode Island, Delaware, Tripura) from free space
  nearby, preferably off their land, with a thin line to the unit (:func:`place_leader`).
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Generic, TypeVar

import numpy as np
import numpy.typing as npt

from ogplatform.maps.render._geom import KeptByIdentity
from ogplatform.plugins.map_themes import MapTheme
from ogplatform.render import FontLibrary, TextStyle, layout_text, xml_text
from ogplatform.render.fonts import FontRef

__all__ = [
    "LabelBox",
    "LabelPlacer",
    "Measured",
    "fonts",
    "measure",
    "point_in_rings",
    "polylabel",
]

Array = npt.NDArray[np.float64]
Box = tuple[float, float, float, float]
V = TypeVar("V")
FONT_DIRS = ("/usr/share/fonts/opentype/noto",)
_DESCENDERS = set("gjpqyQ,;()[]{}@|$")


@lru_cache(maxsize=1)
def fonts() -> FontLibrary:
    """The process-wide font library (built once)."""
    return FontLibrary(list(FONT_DIRS))


# -- geometry ----------------------------------------------------------------------------


@dataclass(frozen=True)
class EdgeSet:
    """The edges of some rings, start points ``a`` and end points ``b`` (n, 2): built once
    when many points are tested against the same rings."""

    a: Array
    b: Array

    @classmethod
    def of(cls, rings: Sequence[Array]) -> EdgeSet:
        a = np.concatenate(rings)
        ends = np.cumsum([len(r) for r in rings])
        nxt = np.arange(1, len(a) + 1)
        nxt[ends - 1] = np.concatenate(([0], ends[:-1]))
        return cls(a, a[nxt])

    @cached_property
    def bounds(self) -> tuple[Array, Array, Array]:
        """Per edge: lowest y, highest y, rightmost x (to drop edges that cannot count)."""
        ay, by = self.a[:, 1], self.b[:, 1]
        return np.minimum(ay, by), np.maximum(ay, by), np.maximum(self.a[:, 0], self.b[:, 0])


def point_in_rings(pts: Array, rings: Sequence[Array] | EdgeSet) -> npt.NDArray[np.bool_]:
    """Even-odd point-in-polygon for points (m, 2) against rings (exterior and holes)."""
    e = rings if isinstance(rings, EdgeSet) else EdgeSet.of(rings)
    a, b = e.a, e.b
    if len(pts) > 1 and len(a) > 64:
        # only edges crossing the points' band of y and reaching right of the leftmost point
        # can count: drop the rest first (the same answer, a fraction of the m x n work)
        ymin, ymax = float(pts[:, 1].min()), float(pts[:, 1].max())
        lo, hi, right = e.bounds
        keep = (hi > ymin) & (lo <= ymax) & (right >= float(pts[:, 0].min()))
        a, b = a[keep], b[keep]
    px, py = pts[:, 0:1], pts[:, 1:2]
    ax, ay, bx, by = a[:, 0], a[:, 1], b[:, 0], b[:, 1]
    cond = (ay > py) != (by > py)
    with np.errstate(divide="ignore", invalid="ignore"):
        xint = ax + (py - ay) * (bx - ax) / (by - ay)
    crosses = cond & (px < xint)
    result: npt.NDArray[np.bool_] = (crosses.sum(axis=1) % 2) == 1
    return result


def _signed_dist(pts: Array, rings: Sequence[Array] | EdgeSet, outside: bool = True) -> Array:
    """Distance of each point to the outline, negative outside. With ``outside=False`` the
    points outside get ``-inf`` and no distance (the callers that only want inside points)."""
    e = rings if isinstance(rings, EdgeSet) else EdgeSet.of(rings)
    inside = point_in_rings(pts, e)
    if not outside:
        out_in: Array = np.full(len(pts), -np.inf)
        if inside.any():
            out_in[inside] = _outline_dist(pts[inside], e)
        return out_in
    dist = _outline_dist(pts, e)
    out: Array = np.where(inside, dist, -dist)
    return out


def _outline_dist(pts: Array, e: EdgeSet) -> Array:
    a, b = e.a, e.b
    ax, ay = a[:, 0][None, :], a[:, 1][None, :]
    dx, dy = (b[:, 0] - a[:, 0])[None, :], (b[:, 1] - a[:, 1])[None, :]
    ll = np.maximum(dx * dx + dy * dy, 1e-12)
    rx, ry = pts[:, 0:1] - ax, pts[:, 1:2] - ay
    t = np.clip((rx * dx + ry * dy) / ll, 0.0, 1.0)
    ex, ey = rx - t * dx, ry - t * dy
    dist: Array = np.sqrt((ex * ex + ey * ey).min(axis=1))
    return dist


def _decimate(rings: Sequence[Array], max_pts: int = 500) -> list[Array]:
    total = sum(len(r) for r in rings)
    if total <= max_pts:
        return list(rings)
    step = math.ceil(total / max_pts)
    return [r[::step] if len(r) > 4 * step else r for r in rings]


class _Kept(Generic[V]):
    """A small thread-safe LRU cache."""

    def __init__(self, size: int) -> None:
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()
        self._size = size

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
            return hit

    def put(self, key: Hashable, value: V) -> None:
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)


_poles: _Kept[tuple[float, float, float]] = _Kept(4096)
_fits: _Kept[dict[tuple[Box, str], bool]] = _Kept(4096)
_other_spots: _Kept[tuple[tuple[float, float], ...]] = _Kept(4096)


def _rings_key(rings: Sequence[Array]) -> bytes:
    """A digest of the rings' points (the same polygon in another render hits the cache)."""
    h = hashlib.blake2b(digest_size=16)
    for r in rings:
        h.update(len(r).to_bytes(8, "little"))
        h.update(np.ascontiguousarray(r, dtype=np.float64).tobytes())
    return h.digest()


def polylabel(
    rings: Sequence[Array], region: Box | None = None, steps: int = 3
) -> tuple[float, float, float]:
    """The pole of inaccessibility of a polygon (pixel rings, exterior first): the inside
    point farthest from the outline, as (x, y, distance). ``region`` limits the search to a
    box. A grid search refined around the best cell (precise to well under a pixel at map
    scale, which is all a label needs). Kept in-process per polygon (by its points), like
    the projected shapes: the same map in another theme or again finds its anchors."""
    key = (_rings_key(rings), region, steps)
    hit = _poles.get(key)
    if hit is not None:
        return hit
    best = _polylabel(rings, region, steps)
    _poles.put(key, best)
    return best


def _polylabel(
    rings: Sequence[Array], region: Box | None, steps: int
) -> tuple[float, float, float]:
    rs = _decimate(rings, 300)
    edges = EdgeSet.of(rs)
    pts = edges.a
    x0, y0 = pts.min(axis=0)
    x1, y1 = pts.max(axis=0)
    if region is not None:
        x0, y0 = max(x0, region[0]), max(y0, region[1])
        x1, y1 = min(x1, region[2]), min(y1, region[3])
    if x1 <= x0 or y1 <= y0:
        return (float(x0), float(y0), -1.0)
    n = 14
    best = (float((x0 + x1) / 2), float((y0 + y1) / 2), -math.inf)
    cx0, cy0, cx1, cy1 = float(x0), float(y0), float(x1), float(y1)
    for _ in range(steps):
        gx, gy = np.meshgrid(np.linspace(cx0, cx1, n), np.linspace(cy0, cy1, n))
        cand = np.column_stack([gx.ravel(), gy.ravel()])
        # inside points only (the pole is inside); all of them if none is clearly inside
        d = _signed_dist(cand, edges, outside=False)
        if not d.max() > 0:
            d = _signed_dist(cand, edges)
        i = int(np.argmax(d))
        if d[i] > best[2]:
            best = (float(cand[i, 0]), float(cand[i, 1]), float(d[i]))
        hx, hy = (cx1 - cx0) / (n - 1) * 1.5, (cy1 - cy0) / (n - 1) * 1.5
        cx0, cx1 = max(best[0] - hx, float(x0)), min(best[0] + hx, float(x1))
        cy0, cy1 = max(best[1] - hy, float(y0)), min(best[1] + hy, float(y1))
    return best


def ring_area(r: Array) -> float:
    """The ring's area in px² (kept per ring array for long rings: the same map again asks
    again for every country's)."""
    if len(r) < 64:
        return _ring_area(r)
    area = _areas.get((r,))
    if area is None:
        area = _ring_area(r)
        _areas.put((r,), area)
    return area


def _ring_area(r: Array) -> float:
    x, y = r[:, 0], r[:, 1]
    return 0.5 * abs(float(x[:-1] @ y[1:] - y[:-1] @ x[1:] + x[-1] * y[0] - y[-1] * x[0]))


_areas: KeptByIdentity[float] = KeptByIdentity(8192)


def largest_polygon(polys: Sequence[list[Array]]) -> list[Array] | None:
    """The polygon (rings) with the largest exterior area."""
    if not polys:
        return None
    return max(polys, key=lambda p: ring_area(p[0]))


# -- measurement -------------------------------------------------------------------------


@dataclass(frozen=True)
class TextSpec:
    """How a class of label is set."""

    family: str
    size: float  # px, already scaled by dpi
    weight: int = 400
    italic: bool = False
    upper: bool = False
    tracking: float = 0.0  # letter spacing in em
    fill: str = "#000"
    opacity: float = 1.0
    halo: str = "#fff"
    halo_width: float = 2.0


@dataclass(frozen=True)
class Measured:
    """A label's text set in lines: widths, and the fonts the runs use."""

    lines: tuple[str, ...]
    widths: tuple[float, ...]
    width: float
    height: float  # from the first line's top to the last line's bottom
    top: float  # first baseline below the box top
    leading: float
    font: FontRef
    files: tuple[str, ...]


def measure(text: str, spec: TextSpec, lines: Sequence[str] | None = None) -> Measured:
    """Set ``text`` (or the given ``lines``) at ``spec``: exact widths via HarfBuzz (kept
    per text and spec: a map measures the same names in every render)."""
    return _measure(text, spec, tuple(lines) if lines is not None else None)


@lru_cache(maxsize=8192)
def _measure(text: str, spec: TextSpec, lines: tuple[str, ...] | None) -> Measured:
    parts = list(lines) if lines is not None else [text]
    if spec.upper:
        parts = [p.upper() for p in parts]
    style = TextStyle(spec.family, weight=spec.weight, italic=spec.italic, line_height=1.1)
    widths: list[float] = []
    files: set[str] = set()
    font: FontRef | None = None
    descender = False
    for p in parts:
        block = layout_text(p, style, fonts=fonts(), size=spec.size, width=1e6, max_lines=1)
        w = block.width + spec.tracking * spec.size * len(p)
        widths.append(w)
        for line in block.lines:
            for run in line.runs:
                files.add(run.font.path)
        font = font or block.font
        descender |= any(c in _DESCENDERS or ord(c) > 0x24F for c in p)
    assert font is not None
    cap = 0.76 * spec.size
    desc = (0.24 if descender else 0.04) * spec.size
    leading = 1.1 * spec.size
    height = cap + desc + leading * (len(parts) - 1)
    return Measured(
        tuple(parts), tuple(widths), max(widths), height, cap, leading, font, tuple(sorted(files))
    )


# -- placement ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelBox:
    """A placed label: for tests and the API (pixels, x0 y0 x1 y1)."""

    text: str
    kind: str  # country, subdivision, city, capital, river, lake
    box: Box
    boxes: tuple[Box, ...] = ()  # for labels along a line: the boxes that cover them
    abbreviated: bool = False
    font_size: float = 0.0
    leader: tuple[float, float, float, float] | None = None  # x0 y0 (label end) x1 y1 (unit)


@dataclass
class LabelPlacer:
    """Greedy placement against a list of placed boxes, obstacles and the canvas."""

    width: int
    height: int
    edge: float
    obstacles: list[Box] = field(default_factory=list)
    placed: list[LabelBox] = field(default_factory=list)
    svg: list[str] = field(default_factory=list)
    dots: list[str] = field(default_factory=list)
    defs: list[str] = field(default_factory=list)
    files: set[str] = field(default_factory=set)
    # the boxes taken, filed by the grid cells they touch: a query looks at its own cells
    _cells: dict[tuple[int, int], list[Box]] = field(default_factory=dict)

    def _cell_range(self, x0: float, y0: float, x1: float, y1: float) -> tuple[range, range]:
        # clamped to just around the canvas (the same clamp for filing and asking, so two
        # overlapping boxes always share a cell)
        nx, ny = self.width // _CELL + 1, self.height // _CELL + 1
        cx0, cx1 = int(x0 // _CELL), int(x1 // _CELL)
        cy0, cy1 = int(y0 // _CELL), int(y1 // _CELL)
        cx0 = -1 if cx0 < -1 else nx if cx0 > nx else cx0
        cx1 = -1 if cx1 < -1 else nx if cx1 > nx else cx1
        cy0 = -1 if cy0 < -1 else ny if cy0 > ny else cy0
        cy1 = -1 if cy1 < -1 else ny if cy1 > ny else cy1
        return range(cx0, cx1 + 1), range(cy0, cy1 + 1)

    def _file(self, box: Box) -> None:
        xs, ys = self._cell_range(*box)
        for cx in xs:
            for cy in ys:
                self._cells.setdefault((cx, cy), []).append(box)

    def free(self, boxes: Sequence[Box], pad: float = 0.0, region: Box | None = None) -> bool:
        """Whether ``boxes`` lie inside the canvas (or ``region``) and overlap nothing."""
        e = self.edge
        rx0, ry0, rx1, ry1 = region or (e, e, self.width - e, self.height - e)
        for x0, y0, x1, y1 in boxes:
            if x0 < rx0 or y0 < ry0 or x1 > rx1 or y1 > ry1:
                return False
        obstacles = self.obstacles if region is None else ()
        cells = self._cells
        for x0, y0, x1, y1 in boxes:
            bx0, by0, bx1, by1 = x0 - pad, y0 - pad, x1 + pad, y1 + pad
            for ox0, oy0, ox1, oy1 in obstacles:
                if ox0 < bx1 and ox1 > bx0 and oy0 < by1 and oy1 > by0:
                    return False
            xs, ys = self._cell_range(bx0, by0, bx1, by1)
            for cx in xs:
                for cy in ys:
                    for tx0, ty0, tx1, ty1 in cells.get((cx, cy), ()):
                        if tx0 < bx1 and tx1 > bx0 and ty0 < by1 and ty1 > by0:
                            return False
        return True

    def take(self, label: LabelBox, covering: Sequence[Box]) -> None:
        self.placed.append(label)
        for box in covering:
            self._file(box)

    def block(self, box: Box) -> None:
        """Reserve space (a city dot) without a label."""
        self._file(box)


_CELL = 48  # px: the placer's grid (a label box touches one to four cells)


def _attrs(spec: TextSpec, font: FontRef, k_halo: float) -> str:
    a = (
        f'font-family="{xml_text(font.family)}" font-size="{spec.size:.2f}" '
        f'font-weight="{font.weight}"'
    )
    if font.italic:
        a += ' font-style="italic"'
    if spec.tracking:
        a += f' letter-spacing="{spec.tracking * spec.size:.2f}"'
    a += f' fill="{spec.fill}"'
    if spec.opacity < 1.0:
        a += f' fill-opacity="{spec.opacity:.2f}"'
    if spec.halo_width > 0:
        a += (
            f' stroke="{spec.halo}" stroke-width="{spec.halo_width * k_halo:.2f}" '
            'stroke-linejoin="round" paint-order="stroke"'
        )
    return a


def text_svg(m: Measured, spec: TextSpec, box: Box, kind: str, align: str = "center") -> str:
    """``<text>`` for a measured label whose box is ``box``; lines centred (or left/right)."""
    x0, y0, x1, _ = box
    out = [f'<text class="label {kind}" {_attrs(spec, m.font, 1.0)}>']
    for i, (line, w) in enumerate(zip(m.lines, m.widths, strict=True)):
        if align == "left":
            x = x0
        elif align == "right":
            x = x1 - w
        else:
            x = (x0 + x1) / 2.0 - w / 2.0
        y = y0 + m.top + i * m.leading
        out.append(f'<tspan x="{x:.1f}" y="{y:.1f}">{xml_text(line)}</tspan>')
    out.append("</text>")
    return "".join(out)


def theme_specs(th: MapTheme, k: float, scale: float) -> dict[str, TextSpec]:
    """Label classes for a theme: sizes at 72 dpi times the dpi factor ``k`` and ``scale``."""
    pal = th.palette
    fam = th.fonts.get("label", "Inter")
    title = th.fonts.get("title", fam)
    ink, halo = pal["label"], pal["halo"]
    water = pal.get("water_label", pal["river"])
    s = k * scale
    style = th.labels
    hw = style.halo_width * k
    return {
        "subject": TextSpec(
            title, 19 * s, 600, upper=True, tracking=0.16, fill=ink, halo=halo, halo_width=hw
        ),
        "country": TextSpec(
            title,
            12.5 * s,
            style.name_weight,
            upper=True,
            tracking=0.14,
            fill=ink,
            opacity=0.62,
            halo=halo,
            halo_width=hw,
        ),
        "subdivision": TextSpec(
            fam,
            style.subdivision_size * s,
            style.name_weight,
            upper=True,
            tracking=style.subdivision_tracking,
            fill=ink,
            opacity=0.78,
            halo=halo,
            halo_width=hw,
        ),
        "subject_sub": TextSpec(
            title, 16 * s, 600, upper=True, tracking=0.14, fill=ink, halo=halo, halo_width=hw
        ),
        "subject_city": TextSpec(title, 21 * s, 700, fill=ink, halo=halo, halo_width=hw * 1.3),
        "highlight": TextSpec(fam, 12 * s, 700, fill=ink, halo=halo, halo_width=hw),
        "world_country": TextSpec(
            title,
            8.6 * s,
            style.name_weight,
            upper=True,
            tracking=0.08,
            fill=ink,
            opacity=0.8,
            halo=halo,
            halo_width=hw * 0.8,
        ),
        "capital": TextSpec(fam, 11.5 * s, 700, fill=ink, halo=halo, halo_width=hw),
        "city": TextSpec(fam, 10.5 * s, 400, fill=ink, halo=halo, halo_width=hw),
        "water": TextSpec(
            fam,
            10.0 * s,
            400,
            italic=style.water_italic,
            tracking=0.04,
            fill=water,
            halo=halo,
            halo_width=hw * 0.8,
        ),
    }


# -- the label layer ---------------------------------------------------------------------


@dataclass
class AreaLabel:
    """A polygon to name: its pixel polygons, and the region (inset) it must stay in."""

    name: str
    kind: str  # subject, country, subdivision, subject_sub
    polys: list[list[Array]]
    priority: float
    abbrev: str | None = None
    region: Box | None = None
    leader: bool = False  # may be named from outside with a leader line when it is too small


@dataclass
class PointLabel:
    name: str
    x: float
    y: float
    capital: bool
    population: int
    region: Box | None = None


@dataclass
class WaterLabel:
    name: str
    kind: str  # lake, river
    polys: list[list[Array]] = field(default_factory=list)  # lakes
    lines: list[Array] = field(default_factory=list)  # rivers
    rank: int = 9
    selected: bool = False  # in the map's ``selected_features``: labelled first


def _box_at(cx: float, cy: float, m: Measured, pad: float) -> Box:
    return (
        cx - m.width / 2 - pad,
        cy - m.height / 2 - pad,
        cx + m.width / 2 + pad,
        cy + m.height / 2 + pad,
    )


def _fits_inside(box: Box, rings: Sequence[Array] | EdgeSet, slack: float) -> bool:
    x0, y0, x1, y1 = box
    sx, sy = (x1 - x0) * slack, (y1 - y0) * slack
    left, right = x0 + sx, x1 - sx
    step = (right - left) / 4  # five columns, as numpy.linspace spaces them
    xs = [i * step + left for i in range(4)] + [right]
    ys = (y0 + sy, (y0 + y1) / 2, y1 - sy)
    pts = np.array([(x, y) for y in ys for x in xs])  # the 5 x 3 grid, row by row
    return bool(point_in_rings(pts, rings).all())


def _split_two(name: str) -> list[str] | None:
    """Two lines of about equal length, broken at a space or after a hyphen."""
    cuts = [i for i, ch in enumerate(name) if ch == " "]
    cuts += [i + 1 for i, ch in enumerate(name[:-1]) if ch == "-" and i > 0]
    best: list[str] | None = None
    diff = math.inf
    for i in cuts:
        a, b = name[:i].rstrip(), name[i:].lstrip()
        if a and b and abs(len(a) - len(b)) < diff:
            best, diff = [a, b], abs(len(a) - len(b))
    return best


def _clear_of_outline(box: Box, rings: Sequence[Array], ix: float, iy: float) -> bool:
    """No outline vertex inside ``box`` shrunk by ``ix``/``iy`` (no border runs under it)."""
    x0, y0, x1, y1 = box
    for r in rings:
        if np.any(
            (r[:, 0] > x0 + ix) & (r[:, 0] < x1 - ix) & (r[:, 1] > y0 + iy) & (r[:, 1] < y1 - iy)
        ):
            return False
    return True


def _other_anchors(
    poly: Sequence[Array], pole: tuple[float, float], need: float, n: int = 30
) -> list[tuple[float, float]]:
    """Inside points at least ``need`` from the outline, near the pole first: where a long
    name may fit when it does not at the pole (a wide state, a bent one). Kept per polygon,
    pole and distance, like :func:`polylabel`."""
    key = (_rings_key(poly), pole, need, n)
    hit = _other_spots.get(key)
    if hit is not None:
        return list(hit)
    found = _find_other_anchors(poly, pole, need, n)
    _other_spots.put(key, tuple(found))
    return found


def _find_other_anchors(
    poly: Sequence[Array], pole: tuple[float, float], need: float, n: int
) -> list[tuple[float, float]]:
    pts = np.concatenate(poly)
    x0, y0 = pts.min(axis=0)
    x1, y1 = pts.max(axis=0)
    gx, gy = np.meshgrid(np.linspace(x0, x1, 18), np.linspace(y0, y1, 14))
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    sd = _signed_dist(grid, _decimate(poly, 300), outside=False)
    ok = sd >= need
    if not ok.any():
        return []
    cand = grid[ok]
    dist = np.hypot(cand[:, 0] - pole[0], cand[:, 1] - pole[1])
    return [(float(a), float(b)) for a, b in cand[np.argsort(dist)][:n]]


def place_area(p: LabelPlacer, lab: AreaLabel, spec: TextSpec, pad: float) -> str:
    """Name a polygon at its pole of inaccessibility (or another roomy inside point): full
    name, two lines, abbreviation. Subdivision names must clear every border.

    Returns ``"placed"``, ``"taken"`` (it fits, but other labels hold the space) or
    ``"small"`` (not even the abbreviation fits inside: a leader line may name it).
    """
    poly = largest_polygon(lab.polys)
    if poly is None:
        return "small"
    x, y, d = polylabel(poly)
    if d <= 0:
        return "small"
    variants: list[tuple[list[str] | None, bool, str]] = [(None, False, lab.name)]
    two = _split_two(lab.name)
    if two:
        variants.append((two, False, lab.name))
    if lab.abbrev:
        variants.append(([lab.abbrev], True, lab.abbrev))
    strict = lab.kind in {"subdivision", "subject_sub", "highlight", "world_country"}
    # whether a box fits the polygon, kept per polygon (by its points): the same map again,
    # or in another theme with the same type, tests the same boxes
    known = _fits.get(_rings_key(poly))
    if known is None:
        known = {}
        _fits.put(_rings_key(poly), known)
    edge_sets: list[EdgeSet] = []  # built on the first box not known

    def fits(box: Box, how: str) -> bool:
        hit = known.get((box, how))
        if hit is not None:
            return hit
        if not edge_sets:
            edge_sets.append(EdgeSet.of(poly))
        edges = edge_sets[0]
        if how == "abbreviation":
            answer = _fits_inside(box, edges, 0.3)
        elif how == "strict":  # the ends may touch the outline, the middle must clear it
            answer = _fits_inside(box, edges, 0.045) and _clear_of_outline(
                box, poly, 0.045 * (box[2] - box[0]), 1.0
            )
        else:
            answer = _fits_inside(box, edges, 0.25)
        known[(box, how)] = answer
        return answer

    fitted = False
    for lines, abbreviated, text in variants:
        m = measure(text, spec, lines)
        anchors = [(x, y)]
        if strict and not abbreviated and d >= 0.5 * m.height:
            anchors += _other_anchors(poly, (x, y), 0.5 * m.height + pad)
        for ax, ay in anchors:
            box = _box_at(ax, ay, m, 0.0)
            covering = _box_at(ax, ay, m, pad)
            free = p.free([covering], region=lab.region)
            if not free and fitted:
                continue  # taken, and whether it fits would change nothing: not worked out
            if abbreviated:
                inside = fits(box, "abbreviation") or d >= 0.45 * m.height
            else:
                inside = fits(box, "strict" if strict else "loose")
            if not inside:
                continue
            fitted = True
            if not free:
                continue
            p.take(
                LabelBox(" ".join(m.lines), lab.kind, box, (covering,), abbreviated, spec.size),
                [covering],
            )
            p.svg.append(text_svg(m, spec, box, lab.kind))
            p.files.update(m.files)
            return "placed"
    if lab.region is not None:  # an inset: its name as a caption in the box's corner
        m = measure(lab.name, spec)
        x0, y0 = lab.region[0] + 4 * pad, lab.region[1] + 3 * pad
        box = (x0, y0, x0 + m.width, y0 + m.height)
        covering = (box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad)
        if p.free([covering], region=lab.region):
            p.take(
                LabelBox(" ".join(m.lines), lab.kind, box, (covering,), False, spec.size),
                [covering],
            )
            p.svg.append(text_svg(m, spec, box, lab.kind, align="left"))
            p.files.update(m.files)
            return "placed"
    return "taken" if fitted else "small"


def _uncovered_point(p: LabelPlacer, poly: Sequence[Array]) -> tuple[float, float] | None:
    """The inside point of ``poly`` farthest from its outline that no placed box covers."""
    pts = np.concatenate(poly)
    x0, y0 = pts.min(axis=0)
    x1, y1 = pts.max(axis=0)
    gx, gy = np.meshgrid(np.linspace(x0, x1, 12), np.linspace(y0, y1, 12))
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    sd = _signed_dist(grid, _decimate(poly, 300))
    for i in np.argsort(-sd):
        if sd[i] <= 0:
            break
        cx, cy = float(grid[i, 0]), float(grid[i, 1])
        if p.free([(cx - 1.0, cy - 1.0, cx + 1.0, cy + 1.0)]):
            return cx, cy
    return None


def place_leader(
    p: LabelPlacer,
    lab: AreaLabel,
    spec: TextSpec,
    pad: float,
    land: Sequence[EdgeSet],
    ink: str,
    k: float,
) -> bool:
    """Name a unit too small for its own name from free space nearby, with a thin leader
    line from the label to the unit. Candidates ring the unit at growing distances; the first
    ring with a spot off ``land`` (the sea, a neighbour) wins, else the least-covered spot.
    The label and the line are collision-checked like every other label."""
    poly = largest_polygon(lab.polys)
    if poly is None:
        return False
    x, y, d = polylabel(poly)
    if d <= 0:
        pts = poly[0]
        x, y = float(pts[:, 0].mean()), float(pts[:, 1].mean())
    if not p.free([(x - 1.0, y - 1.0, x + 1.0, y + 1.0)], region=lab.region):
        spot = _uncovered_point(p, poly)  # a label covers the pole: point at another spot
        if spot is None:
            return False
        x, y = spot
    text = lab.abbrev or lab.name
    m = measure(text, spec, [text])
    w, h = m.width, m.height
    land_d = list(land)
    step = 3.0 * k
    best: tuple[float, Box, Box, tuple[float, float], list[Box]] | None = None
    for dist in (14.0, 24.0, 36.0, 50.0, 66.0, 84.0):
        dist *= k
        for i in range(16):
            ang = math.pi * 2.0 * i / 16.0
            ca, sa = math.cos(ang), math.sin(ang)
            # the score without its land term: a spot that cannot beat the best is not tried
            base = dist / (15.0 * k) + 0.3 * (1.0 - ca) + 0.3 * abs(sa)
            if best is not None and base >= best[0]:
                continue
            # the box's nearest edge lies ``dist`` from the anchor along the ray
            cx = x + ca * (dist + w / 2.0 * abs(ca))
            cy = y + sa * (dist + h / 2.0 * abs(sa))
            box = _box_at(cx, cy, m, 0.0)
            covering = _box_at(cx, cy, m, pad)
            if not p.free([covering], pad=2.0 * k, region=lab.region):
                continue
            # the line runs from the box edge to just short of the anchor
            ex = min(max(x, box[0]), box[2])
            ey = min(max(y, box[1]), box[3])
            seg = math.hypot(ex - x, ey - y)
            if seg < 4.0 * k:
                continue
            n = max(2, int(seg / step))
            line_boxes: list[Box] = []
            for t in np.linspace(0.0, 1.0, n)[1:-1]:
                lx, ly = ex + (x - ex) * t, ey + (y - ey) * t
                if math.hypot(lx - x, ly - y) < 3.0 * k:
                    continue
                line_boxes.append((lx - 0.8 * k, ly - 0.8 * k, lx + 0.8 * k, ly + 0.8 * k))
            if line_boxes and not p.free(line_boxes, region=lab.region):
                continue
            on_land = 0.0
            if land_d:  # land: inside any group (groups may overlap: disputed areas)
                gx, gy = np.meshgrid(np.linspace(box[0], box[2], 5), np.linspace(box[1], box[3], 3))
                sample = np.column_stack([gx.ravel(), gy.ravel()])
                hit = np.zeros(len(sample), dtype=bool)
                for g in land_d:
                    hit |= point_in_rings(sample, g)
                on_land = float(hit.mean())
            if on_land > 0 and dist > 38.0 * k:
                continue  # a label on land goes right beside its unit, or not at all
            # off the land first, then short lines, then to the east and level with the unit
            score = on_land * 10.0 + dist / (15.0 * k) + 0.3 * (1.0 - ca) + 0.3 * abs(sa)
            if best is None or score < best[0]:
                best = (score, box, covering, (ex, ey), line_boxes)
    if best is not None:
        _, box, covering, (ex, ey), line_boxes = best
        p.take(
            LabelBox(
                text,
                lab.kind,
                box,
                (covering, *line_boxes),
                lab.abbrev is not None,
                spec.size,
                (ex, ey, x, y),
            ),
            [covering, *line_boxes],
        )
        r = 1.3 * k
        p.svg.append(
            f'<g class="leader"><path d="M{ex:.1f} {ey:.1f}L{x:.1f} {y:.1f}" fill="none" '
            f'stroke="{spec.halo}" stroke-width="{2.4 * k:.2f}" stroke-linecap="round" '
            f'stroke-opacity="0.8"/><path d="M{ex:.1f} {ey:.1f}L{x:.1f} {y:.1f}" '
            f'fill="none" stroke="{ink}" stroke-width="{0.7 * k:.2f}"/>'
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.2f}" fill="{ink}"/></g>'
        )
        p.svg.append(text_svg(m, spec, box, lab.kind))
        p.files.update(m.files)
        return True
    return False


def place_city(
    p: LabelPlacer, c: PointLabel, spec: TextSpec, ink: str, halo: str, k: float
) -> bool:
    """A dot and the name beside it: right, left, above, below, then the diagonals."""
    r = (3.0 if c.capital else 2.2) * k
    dot = (c.x - r - k, c.y - r - k, c.x + r + k, c.y + r + k)
    if not p.free([dot], region=c.region):
        return False
    m = measure(c.name, spec)
    gap = 2.5 * k
    w, h = m.width, m.height
    cy_off = h / 2
    cands = [
        (c.x + r + gap, c.y - cy_off),  # right
        (c.x - r - gap - w, c.y - cy_off),  # left
        (c.x - w / 2, c.y - r - gap - h),  # above
        (c.x - w / 2, c.y + r + gap),  # below
        (c.x + r, c.y - r - h),  # upper right
        (c.x + r, c.y + r),  # lower right
        (c.x - r - w, c.y - r - h),  # upper left
        (c.x - r - w, c.y + r),  # lower left
    ]
    pad = 1.5 * k
    for x0, y0 in cands:
        box = (x0, y0, x0 + w, y0 + h)
        covering = (x0 - pad, y0 - pad, x0 + w + pad, y0 + h + pad)
        if not p.free([covering], pad=4.0 * k, region=c.region):
            continue
        kind = "capital" if c.capital else "city"
        p.take(LabelBox(c.name, kind, box, (covering,), False, spec.size), [covering, dot])
        p.svg.append(text_svg(m, spec, box, kind, align="left"))
        p.files.update(m.files)
        if c.capital:
            p.dots.append(
                f'<circle cx="{c.x:.1f}" cy="{c.y:.1f}" r="{r:.2f}" fill="{halo}" stroke="{ink}" '
                f'stroke-width="{1.1 * k:.2f}"/><circle cx="{c.x:.1f}" cy="{c.y:.1f}" '
                f'r="{r * 0.45:.2f}" fill="{ink}"/>'
            )
        else:
            p.dots.append(
                f'<circle cx="{c.x:.1f}" cy="{c.y:.1f}" r="{r:.2f}" fill="{ink}" '
                f'stroke="{halo}" stroke-width="{0.9 * k:.2f}"/>'
            )
        return True
    return False


def place_marker(
    p: LabelPlacer, c: PointLabel, spec: TextSpec, ink: str, halo: str, accent: str, k: float
) -> bool:
    """The subject of a city map: a ringed marker in the accent colour and the name set
    large beside it (right, left, above, below, then the diagonals). The marker is always
    drawn; it reserves its space before anything else is placed."""
    r = 6.0 * k
    dot = (c.x - r - k, c.y - r - k, c.x + r + k, c.y + r + k)
    p.dots.append(
        f'<g class="marker"><circle cx="{c.x:.1f}" cy="{c.y:.1f}" r="{r + 1.6 * k:.2f}" '
        f'fill="{halo}" fill-opacity="0.85"/><circle cx="{c.x:.1f}" cy="{c.y:.1f}" '
        f'r="{r:.2f}" fill="{halo}" stroke="{ink}" stroke-width="{1.6 * k:.2f}"/>'
        f'<circle cx="{c.x:.1f}" cy="{c.y:.1f}" r="{r * 0.5:.2f}" fill="{accent}"/></g>'
    )
    p.block(dot)
    m = measure(c.name, spec)
    gap = 4.0 * k
    w, h = m.width, m.height
    cands = [
        (c.x + r + gap, c.y - h / 2),
        (c.x - r - gap - w, c.y - h / 2),
        (c.x - w / 2, c.y - r - gap - h),
        (c.x - w / 2, c.y + r + gap),
        (c.x + r, c.y - r - h),
        (c.x + r, c.y + r),
        (c.x - r - w, c.y - r - h),
        (c.x - r - w, c.y + r),
    ]
    pad = 2.0 * k
    for x0, y0 in cands:
        box = (x0, y0, x0 + w, y0 + h)
        covering = (x0 - pad, y0 - pad, x0 + w + pad, y0 + h + pad)
        if not p.free([covering]):
            continue
        p.take(LabelBox(c.name, "subject_city", box, (covering,), False, spec.size), [covering])
        p.svg.append(text_svg(m, spec, box, "subject_city", align="left"))
        p.files.update(m.files)
        return True
    return False


POSITIONS = ("left", "right", "top", "bottom", "center")


def _region_of(bbox: Box, position: str) -> Box:
    x0, y0, x1, y1 = bbox
    w, h = x1 - x0, y1 - y0
    if position == "left":
        return (x0, y0, x0 + 0.5 * w, y1)
    if position == "right":
        return (x1 - 0.5 * w, y0, x1, y1)
    if position == "top":
        return (x0, y0, x1, y0 + 0.5 * h)
    if position == "bottom":
        return (x0, y1 - 0.5 * h, x1, y1)
    return bbox


def place_lake(p: LabelPlacer, lake: WaterLabel, spec: TextSpec, position: str, k: float) -> bool:
    """A lake's name inside the lake, in the part ``position`` names (centre by default)."""
    poly = largest_polygon(lake.polys)
    if poly is None:
        return False
    pts = poly[0]
    bbox = (
        float(pts[:, 0].min()),
        float(pts[:, 1].min()),
        float(pts[:, 0].max()),
        float(pts[:, 1].max()),
    )
    variants: list[list[str] | None] = [None]
    two = _split_two(lake.name)
    if two:
        variants.append(two)
    x, y, d = polylabel(poly)
    if d <= 0:
        return False
    gx, gy = np.meshgrid(np.linspace(bbox[0], bbox[2], 40), np.linspace(bbox[1], bbox[3], 40))
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    for lines in variants:
        m = measure(lake.name, spec, lines)
        cands = grid[_signed_dist(grid, _decimate(poly)) >= 0.5 * m.height]
        order = {
            "left": cands[:, 0] - 0.01 * np.abs(cands[:, 1] - y),
            "right": -cands[:, 0] - 0.01 * np.abs(cands[:, 1] - y),
            "top": cands[:, 1] + 0.01 * np.abs(cands[:, 0] - x),
            "bottom": -cands[:, 1] + 0.01 * np.abs(cands[:, 0] - x),
        }.get(position)
        ranked = [(x, y)]
        if order is not None:
            ranked = [(float(cx), float(cy)) for cx, cy in cands[np.argsort(order)][:80]] + ranked
        for cx, cy in ranked:
            box = _box_at(cx, cy, m, 0.0)
            if not _fits_inside(box, poly, 0.1):
                continue
            covering = _box_at(cx, cy, m, 1.0 * k)
            if not p.free([covering]):
                continue
            p.take(
                LabelBox(" ".join(m.lines), "lake", box, (covering,), False, spec.size),
                [covering],
            )
            p.svg.append(text_svg(m, spec, box, "lake"))
            p.files.update(m.files)
            return True
    return False


def _smooth(pts: Array, n: int) -> Array:
    if len(pts) < 5 or n < 2:
        return pts
    kern = np.ones(n) / n
    pad = n // 2
    xp = np.pad(pts[:, 0], pad, mode="edge")
    yp = np.pad(pts[:, 1], pad, mode="edge")
    out: Array = np.column_stack(
        [np.convolve(xp, kern, "valid")[: len(pts)], np.convolve(yp, kern, "valid")[: len(pts)]]
    )
    out[0], out[-1] = pts[0], pts[-1]
    return out


def _resample(line: Array, step: float) -> Array:
    seg = np.hypot(*np.diff(line, axis=0).T)
    s = np.concatenate(([0.0], np.cumsum(seg)))
    if s[-1] <= 0:
        return line[:1]
    t = np.arange(0.0, s[-1], step)
    out: Array = np.column_stack([np.interp(t, s, line[:, 0]), np.interp(t, s, line[:, 1])])
    return out


def place_river(
    p: LabelPlacer, river: WaterLabel, spec: TextSpec, position: str, k: float, uid: str
) -> bool:
    """A river's name along its line (``textPath``), reading left to right, on the part of the
    river ``position`` names (centre by default), where the line is straight enough."""
    if not river.lines:
        return False
    m = measure(river.name, spec)
    need = m.width * 1.15
    step = max(spec.size * 0.35, 1.0)
    best: list[tuple[float, Array]] = []
    for line in river.lines:
        pts = _resample(line, step)
        if len(pts) * step < need + 4 * step:
            continue
        pts = _smooth(pts, 9)
        n = math.ceil(need / step)
        for start in range(0, len(pts) - n, max(1, n // 4)):
            win = pts[start : start + n + 1]
            arc = float(np.hypot(*np.diff(win, axis=0).T).sum())
            chord = float(np.hypot(*(win[-1] - win[0])))
            if chord < 0.93 * arc:
                continue
            ang = math.degrees(math.atan2(win[-1, 1] - win[0, 1], abs(win[-1, 0] - win[0, 0])))
            if abs(ang) > 60:
                continue
            mid = win[len(win) // 2]
            score = {
                "left": float(mid[0]),
                "right": -float(mid[0]),
                "top": float(mid[1]),
                "bottom": -float(mid[1]),
            }.get(position, abs(start + n / 2 - len(pts) / 2) * step)
            best.append((score, win))
    best.sort(key=lambda t: t[0])
    half = m.height / 2
    for _, win in best[:40]:
        if win[-1, 0] < win[0, 0]:
            win = win[::-1]
        d = np.gradient(win, axis=0)
        nrm = np.column_stack([d[:, 1], -d[:, 0]])
        nrm /= np.maximum(np.hypot(nrm[:, 0], nrm[:, 1]), 1e-9)[:, None]
        base = win + nrm * (2.0 * k + 0.05 * spec.size)  # baseline just above the line
        centres = base + nrm * (m.top / 2)
        cover = [
            (float(cx - half), float(cy - half), float(cx + half), float(cy + half))
            for cx, cy in centres[:: max(1, int(half / step))]
        ]
        if not p.free(cover):
            continue
        xs = [b[0] for b in cover] + [b[2] for b in cover]
        ys = [b[1] for b in cover] + [b[3] for b in cover]
        box = (min(xs), min(ys), max(xs), max(ys))
        p.take(LabelBox(river.name, "river", box, tuple(cover), False, spec.size), cover)
        pid = f"rl-{uid}"
        d_attr = "M" + " ".join(f"{x:.1f} {y:.1f}" for x, y in base)
        p.defs.append(f'<path id="{pid}" d="{d_attr}"/>')
        p.svg.append(
            f'<text class="label river" {_attrs(spec, m.font, 1.0)}>'
            f'<textPath href="#{pid}" xlink:href="#{pid}" startOffset="50%" '
            f'text-anchor="middle">{xml_text(m.lines[0])}</textPath></text>'
        )
        p.files.update(m.files)
        return True
    return False
