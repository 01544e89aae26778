"""A location map as an SVG document, plus the layout data tests and labels build on.

Layers, bottom to top: sea, graticule, coastal water lines, context land (neighbouring
countries; for a subdivision also its siblings), the subject (its subdivisions, highlighted
ones in the theme's highlight colour), lakes and rivers, subdivision lines, the subject's
outline, paper grain and neatline. Shapes are shared through ``<defs>``/``<use>`` so each
outline is written once however many times it is stroked.
"""

from __future__ import annotations

import itertools
import math
import re
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from ogplatform.maps.geodata import Bounds, Feature, Location, LocationIndex, Shape
from ogplatform.maps.render._geom import (
    Frame,
    Window,
    clip_polygon,
    path_data,
    project_lines,
    project_polygons,
    stroke_rings,
    unshared_edges,
)
from ogplatform.maps.render._highlight import Highlight, HighlightInput, parse_highlights
from ogplatform.maps.render.labels import (
    AreaLabel,
    EdgeSet,
    LabelBox,
    LabelPlacer,
    PointLabel,
    TextSpec,
    WaterLabel,
    _decimate,
    place_area,
    place_city,
    place_lake,
    place_leader,
    place_marker,
    place_river,
    ring_area,
    text_svg,
    theme_specs,
)
from ogplatform.maps.render.labels import measure as measure_text
from ogplatform.maps.render.projection import (
    Albers,
    Fit,
    LambertAzimuthal,
    Projection,
    Territory,
    choose_projection,
    unwrap_ring,
    wrap_lon,
)
from ogplatform.maps.render.themes import get_theme
from ogplatform.plugins.map_themes import MapTheme
from ogplatform.render.svg import xml_text

__all__ = ["InsetLayout", "MapLayout", "MapSvg", "UnknownSubdivisionError", "render_svg"]

Array = npt.NDArray[np.float64]
DPI_CHOICES = (72, 150, 300)


class UnknownSubdivisionError(ValueError):
    """A highlighted code that names no subdivision of the mapped place (no country, on the
    world map)."""

    def __init__(self, code: str, what: str = "subdivision") -> None:
        super().__init__(f"unknown {what} {code!r}")
        self.code = code


@dataclass
class InsetLayout:
    """A boxed inset (Alaska, Hawaii): its pixel box, projection and fit."""

    name: str
    codes: tuple[str, ...]
    box: tuple[float, float, float, float]
    projection: dict[str, float | str]
    fit: Fit


@dataclass
class MapLayout:
    """Where things landed: for tests, labels and the API's metadata."""

    width: int
    height: int
    dpi: int
    theme: str
    projection: dict[str, float | str]
    fit: Fit
    window: Window
    subject_bbox: tuple[float, float, float, float]  # pixels, every visible subject ring
    main_bbox: tuple[float, float, float, float]  # pixels, the territory the map is fitted to
    stroke_scale: float
    highlighted: tuple[str, ...] = ()
    rivers: int = 0
    lakes: int = 0
    context: tuple[str, ...] = ()
    city: str | None = None  # a city map: the city's code (it sits at the frame's centre)
    subject_rings: list[Array] = field(default_factory=list, repr=False)
    insets: list[InsetLayout] = field(default_factory=list)
    labels: list[LabelBox] = field(default_factory=list)


@dataclass
class MapSvg:
    svg: str
    layout: MapLayout
    font_files: tuple[str, ...] = ()  # the files the labels were measured with (for resvg)


def _fmt(v: float) -> str:
    return f"{v:.3g}" if v < 10 else f"{v:.1f}"


def _bbox(rings: Sequence[Array]) -> tuple[float, float, float, float]:
    if not rings:
        return (0.0, 0.0, 0.0, 0.0)
    pts = np.concatenate(rings)
    x0, y0 = pts.min(axis=0)
    x1, y1 = pts.max(axis=0)
    return (float(x0), float(y0), float(x1), float(y1))


def _fit(
    shape: Shape, proj: Projection, terr: Territory, width: int, height: int
) -> tuple[Fit, tuple[float, float, float, float]]:
    xs, ys = [], []
    for i in terr.parts:
        ring = np.frombuffer(shape.parts[i][0], dtype=np.float64).reshape(-1, 2)
        x, y = proj.forward(unwrap_ring(ring, proj.lon0), ring[:, 1])
        xs.append(x)
        ys.append(y)
    x, y = np.concatenate(xs), np.concatenate(ys)
    bbox = (float(x.min()), float(y.min()), float(x.max()), float(y.max()))
    margin = max(16.0, 0.06 * min(width, height))
    fit = Fit.to_box(bbox, (margin, margin, width - margin, height - margin))
    px0, py1 = fit.to_px(np.array(bbox[0]), np.array(bbox[1]))
    px1, py0 = fit.to_px(np.array(bbox[2]), np.array(bbox[3]))
    return fit, (float(px0), float(py0), float(px1), float(py1))


def _window(proj: Projection, fit: Fit, width: int, height: int, pad: float) -> Window:
    """The globe area the frame shows, found by inverse-projecting a grid over it."""
    gx, gy = np.meshgrid(np.linspace(-pad, width + pad, 25), np.linspace(-pad, height + pad, 25))
    x, y = fit.from_px(gx.ravel(), gy.ravel())
    rel, lat = proj.inverse(x, y)
    lim = proj.max_rel_lon
    min_lat, max_lat = float(lat.min()) - 2.0, float(lat.max()) + 2.0
    pole_in = False
    for pole in (90.0, -90.0):
        px, py = fit.to_px(*proj.forward(np.array([0.0]), np.array([pole])))
        if -pad <= px[0] <= width + pad and -pad <= py[0] <= height + pad:
            pole_in = True
            min_lat, max_lat = (min_lat, 90.0) if pole > 0 else (-90.0, max_lat)
    min_lat, max_lat = max(min_lat, -90.0), min(max_lat, 90.0)
    if pole_in:
        cut = not isinstance(proj, LambertAzimuthal)
        return Window(-lim, lim, min_lat, max_lat, cut_lon=cut)
    return Window(
        max(float(rel.min()) - 3.0, -lim), min(float(rel.max()) + 3.0, lim), min_lat, max_lat
    )


def _window_bounds(window: Window, lon0: float) -> Bounds:
    if not window.cut_lon or window.max_rel - window.min_rel >= 359.0:
        return Bounds(-180.0, 180.0, window.min_lat, window.max_lat)
    lo = (lon0 + window.min_rel + 180.0) % 360.0 - 180.0
    hi = (lon0 + window.max_rel + 180.0) % 360.0 - 180.0
    return Bounds(lo, hi, window.min_lat, window.max_lat)


def _line_shape(lines: list[list[tuple[float, float]]]) -> Shape:
    parts = tuple((array("d", [c for p in line for c in p]),) for line in lines)
    return Shape(kind="line", parts=parts)


def _graticule(window: Window, lon0: float, step: float) -> Shape:
    lines: list[list[tuple[float, float]]] = []
    lat0 = math.ceil(window.min_lat / step) * step
    lats = np.arange(lat0, window.max_lat + 1e-9, step)
    lo = lon0 + window.min_rel if window.cut_lon else -180.0
    hi = lon0 + window.max_rel if window.cut_lon else 180.0
    lat_lo, lat_hi = max(window.min_lat, -80.0), min(window.max_lat, 80.0)
    for lon in np.arange(math.ceil(lo / step) * step, hi + 1e-9, step):
        ys = np.linspace(lat_lo, lat_hi, 60)
        lines.append([(float(lon), float(y)) for y in ys])
    for lat in lats:
        if abs(lat) >= 89.0:
            continue
        xs = np.linspace(lo, hi, 180)
        lines.append([(float(x), float(lat)) for x in xs])
    return _line_shape(lines)


def _lerp_hex(a: str, b: str, t: float) -> str:
    ca = [int(a[i : i + 2], 16) for i in (1, 3, 5)]
    cb = [int(b[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(ca, cb, strict=True))


def _colour_at(stops: tuple[tuple[float, str], ...], lat: float) -> str:
    if lat <= stops[0][0]:
        return stops[0][1]
    for (la, ca), (lb, cb) in itertools.pairwise(stops):
        if lat <= lb:
            return _lerp_hex(ca, cb, (lat - la) / (lb - la))
    return stops[-1][1]


def _land_gradient(theme: MapTheme, proj: Projection, fit: Fit, width: int, height: int) -> str:
    ys = np.linspace(0.0, float(height), 16)
    x, y = fit.from_px(np.full_like(ys, width / 2.0), ys)
    _, lats = proj.inverse(x, y)
    colours = [_colour_at(theme.effects.land_by_latitude, float(la)) for la in lats]
    stops = "".join(
        f'<stop offset="{i / 15:.3f}" stop-color="{c}"/>' for i, c in enumerate(colours)
    )
    return (
        f'<linearGradient id="landgrad" gradientUnits="userSpaceOnUse" x1="0" y1="0" x2="0" '
        f'y2="{height}">{stops}</linearGradient>'
    )


_PLACEHOLDER = re.compile(r"Unit \d+")
LabelPosition = str
_POSITIONS = ("left", "right", "top", "bottom", "center")


@dataclass
class _Inset:
    name: str
    codes: tuple[str, ...]
    parts: tuple[int, ...]
    proj: Projection
    box: tuple[float, float, float, float]
    fit_parts: tuple[int, ...]
    frame: Frame | None = None


def _part_centre(shape: Shape, i: int) -> tuple[float, float]:
    ring = np.frombuffer(shape.parts[i][0], dtype=np.float64).reshape(-1, 2)
    return float(ring[:, 0].mean()), float(ring[:, 1].mean())


def _us_insets(shape: Shape, width: int, height: int, k: float) -> tuple[list[int], list[_Inset]]:
    """The United States as the familiar composite: the lower 48 stay in the main frame,
    Alaska and Hawaii move to boxed insets in the lower left (own projections and scales)."""
    main: list[int] = []
    ak: list[int] = []
    hi: list[int] = []
    for i in range(len(shape.parts)):
        lon, lat = _part_centre(shape, i)
        if lat > 50.5:
            ak.append(i)
        elif lat < 30.0 and lon < -140.0:
            hi.append(i)
        else:
            main.append(i)
    m = max(16.0, 0.06 * min(width, height))
    gap = 8.0 * k
    ak_w, ak_h = 0.25 * width, 0.25 * height
    hi_w, hi_h = 0.13 * width, 0.14 * height
    y1 = height - m * 0.55
    ak_box = (m * 0.55, y1 - ak_h, m * 0.55 + ak_w, y1)
    hi_box = (ak_box[2] + gap, y1 - hi_h, ak_box[2] + gap + hi_w, y1)
    hi_fit = tuple(i for i in hi if _part_centre(shape, i)[0] > -161.0) or tuple(hi)
    ak_fit = tuple(i for i in ak if -172.0 < _part_centre(shape, i)[0] < 0.0) or tuple(ak)
    insets = [
        _Inset("Alaska", ("us-ak",), tuple(ak), Albers(-152.0, 58.0, 55.0, 65.0), ak_box, ak_fit),
        _Inset("Hawaii", ("us-hi",), tuple(hi), Albers(-157.0, 20.5, 8.0, 18.0), hi_box, hi_fit),
    ]
    return main, [s for s in insets if s.parts]


def _window_box(
    proj: Projection, fit: Fit, box: tuple[float, float, float, float], pad: float
) -> Window:
    x0, y0, x1, y1 = box
    gx, gy = np.meshgrid(np.linspace(x0 - pad, x1 + pad, 15), np.linspace(y0 - pad, y1 + pad, 15))
    x, y = fit.from_px(gx.ravel(), gy.ravel())
    rel, lat = proj.inverse(x, y)
    lim = proj.max_rel_lon
    return Window(
        max(float(rel.min()) - 3.0, -lim),
        min(float(rel.max()) + 3.0, lim),
        max(float(lat.min()) - 2.0, -90.0),
        min(float(lat.max()) + 2.0, 90.0),
    )


def _point_px(frame: Frame, lon: float, lat: float) -> tuple[float, float] | None:
    w = frame.window
    rel = float(wrap_lon(lon - frame.projection.lon0))
    if w.cut_lon and not (w.min_rel <= rel <= w.max_rel):
        return None
    if not (w.min_lat <= lat <= w.max_lat):
        return None
    x, y = frame.projection.forward(np.array([rel]), np.array([lat]))
    px, py = frame.fit.to_px(x, y)
    x0, y0, x1, y1 = frame.clip
    if not (x0 <= px[0] <= x1 and y0 <= py[0] <= y1):
        return None
    return float(px[0]), float(py[0])


def _abbrev(sub: Location) -> str | None:
    """The ISO 3166-2 suffix when it reads as an abbreviation (``RI``, ``BY``); numeric
    suffixes (Japan's ``13``, France's ``75``) mean nothing to a reader."""
    if sub.iso_code and "-" in sub.iso_code:
        suffix = sub.iso_code.split("-", 1)[1].upper()
        if suffix[:1].isalpha():  # not "13", "75C" or "2A"
            return suffix
    return None


R_KM = 6371.0088  # the projections' unit: the earth's mean radius


def city_extent_km(city: Location, width: int, height: int) -> float:
    """How many kilometres a city map's longer side spans: 150 km for a town of 100,000,
    about 290 km for a metropolis of 10 million, at least 2.4 times the urban area's box,
    always within 140-320 km."""
    pop = max(city.population or 0, 100_000)
    km = 150.0 + 70.0 * math.log10(pop / 1e5)
    b = city.bounds
    lat = city.label[1] if city.label else b.center[1]
    urban = max(b.width * 111.32 * math.cos(math.radians(lat)), (b.max_lat - b.min_lat) * 110.57)
    return min(max(km, 2.4 * urban, 140.0), 320.0)


def _city_frame(
    city: Location, width: int, height: int
) -> tuple[Projection, Fit, tuple[float, float, float, float]]:
    """A city map's projection (azimuthal equal-area on the city: true scale at the centre)
    and fit (the city at the frame's centre, the longer side spanning the extent)."""
    assert city.label is not None
    lon, lat = city.label
    km = city_extent_km(city, width, height)
    proj = LambertAzimuthal(lon, lat)
    fit = Fit(max(width, height) / (km / R_KM), width / 2.0, height / 2.0)
    return proj, fit, (0.0, 0.0, float(width), float(height))


def _context_shape(index: LocationIndex, place: Location, coarse: bool) -> Shape | None:
    if coarse:
        shape = index.geometry(place, detail="coarse")
        if shape is not None:
            return shape
    return index.geometry(place)


def _hl_path(code: str, rings: Sequence[Array]) -> str:
    return f'<path id="hl-{xml_text(code)}" d="{path_data(rings)}"/>'


def _hl_groups(paths: Sequence[tuple[str | None, str]], default_fill: str) -> str:
    """Highlight paths grouped by fill: a caller's colour, else the theme's (or hatch)."""
    groups: dict[str | None, list[str]] = {}
    for colour, path in paths:
        groups.setdefault(colour, []).append(path)
    return "".join(
        f'<g fill="{xml_text(c) if c else default_fill}" fill-rule="evenodd">{"".join(ps)}</g>'
        for c, ps in groups.items()
    )


def _sub_label(
    sub: Location,
    hl: Highlight | None,
    polys: list[list[Array]],
    priority: float,
    *,
    region: tuple[float, float, float, float] | None = None,
    leader: bool = False,
) -> AreaLabel:
    """A subdivision's label; a highlight's own label replaces the name (set as given, not
    abbreviated, placed before other subdivisions and by a leader line if need be)."""
    if hl is not None and hl.label:
        return AreaLabel(hl.label, "highlight", polys, priority + 1e9, None, region, True)
    abbrev = _abbrev(sub)
    # leader lines carry abbreviations: a long name on a line is clutter, not help
    return AreaLabel(
        sub.name, "subdivision", polys, priority, abbrev, region, leader and bool(abbrev)
    )


def _nice_length(km: float) -> float:
    exp = 10.0 ** math.floor(math.log10(km))
    return max(m * exp for m in (1.0, 2.0, 5.0) if m * exp <= km)


def _scale_bar(
    placer: LabelPlacer, spec: TextSpec, fit: Fit, width: int, height: int, k: float
) -> tuple[str, tuple[float, float, float, float]]:
    """A scale bar in the lower left (true at the centre of the azimuthal city map): four
    alternating segments, "0" and the length above. Returns its SVG and the box it holds."""
    km_per_px = R_KM / fit.scale
    km = _nice_length(0.16 * width * km_per_px)
    length = km / km_per_px
    label = f"{km:g} km"
    m0, m1 = measure_text("0", spec), measure_text(label, spec)
    placer.files.update(m0.files + m1.files)
    bar_h = 4.0 * k
    x0 = placer.edge + 10.0 * k
    y1 = height - placer.edge - 10.0 * k
    y_bar = y1 - bar_h
    y_text = y_bar - 3.0 * k - m1.height
    ink, halo = spec.fill, spec.halo
    seg = length / 4.0
    parts = [
        f'<rect x="{x0 + i * seg:.1f}" y="{y_bar:.1f}" width="{seg:.1f}" height="{bar_h:.1f}" '
        f'fill="{ink if i % 2 == 0 else halo}"/>'
        for i in range(4)
    ]
    box = (x0 - 4.0 * k, y_text - 3.0 * k, x0 + length + m1.width / 2 + 4.0 * k, y1 + 3.0 * k)
    t0 = (x0 - m0.width / 2, y_text, x0 + m0.width / 2, y_text + m0.height)
    t1 = (x0 + length - m1.width / 2, y_text, x0 + length + m1.width / 2, y_text + m1.height)
    svg = (
        f'<g class="scale-bar"><rect x="{box[0]:.1f}" y="{box[1]:.1f}" '
        f'width="{box[2] - box[0]:.1f}" height="{box[3] - box[1]:.1f}" rx="{2 * k:.1f}" '
        f'fill="{halo}" fill-opacity="0.55"/>{"".join(parts)}'
        f'<rect x="{x0:.1f}" y="{y_bar:.1f}" width="{length:.1f}" height="{bar_h:.1f}" '
        f'fill="none" stroke="{ink}" stroke-width="{0.8 * k:.2f}"/>'
        f"{text_svg(m0, spec, t0, 'scale')}{text_svg(m1, spec, t1, 'scale')}</g>"
    )
    return svg, box


def render_svg(
    index: LocationIndex,
    location: Location,
    *,
    width: int = 1000,
    height: int = 640,
    theme: str | MapTheme = "modern",
    dpi: int = 72,
    show_features: bool = True,
    highlight: Sequence[HighlightInput] = (),
    graticule: bool | None = None,
    show_subdivision_labels: bool = True,
    show_country_labels: bool = True,
    show_city_labels: bool = True,
    show_river_labels: bool = False,
    show_lake_labels: bool = False,
    river_label_position: str = "center",
    lake_label_position: str = "center",
    selected_features: Sequence[str] = (),
) -> MapSvg:
    """The map of a country, subdivision or city as an SVG document and its layout.

    A city map is a regional map centred on the city (azimuthal equal-area, 140-320 km
    across by population and urban extent): its country and the neighbours around it,
    subdivision borders, the city as a marker with its name as the main label, nearby cities
    and the subdivision's name, a scale bar. The world map is :func:`render_world_svg`.

    ``highlight`` takes subdivision codes or ids, or objects ``{"code"|"id", "color"?,
    "label"?}``: the unit is filled with ``color`` (else the theme's highlight colour) and
    ``label`` replaces its name. Label switches and positions follow the API's
    ``configuration`` (the seed's defaults): subdivision, country and city labels on; river
    labels (only with ``show_features``) and lake labels off; ``…_label_position`` one of
    left, right, top, bottom, center.

    ``selected_features`` takes river and lake codes (``river-rhine``, from the locations
    API's features list): those are drawn whatever their rank and even without
    ``show_features`` (then only those), on top of the usual water, and their names are
    labelled first when river or lake labels are on. Unknown codes are ignored here (the job
    API rejects them).
    """
    th = get_theme(theme) if isinstance(theme, str) else theme
    if dpi not in DPI_CHOICES:
        raise ValueError(f"dpi must be one of {DPI_CHOICES}")
    for pos in (river_label_position, lake_label_position):
        if pos not in _POSITIONS:
            raise ValueError(f"label position must be one of {_POSITIONS}, not {pos!r}")
    highlights = parse_highlights(highlight)
    selected = frozenset(c.strip().lower() for c in selected_features)
    city = location if location.type == "city" else None
    subject = location
    if city is not None:
        home = index.get(city.country_id)
        if home is None or city.label is None:
            raise ValueError(f"no country or position for {city.code!r}")
        subject = home
    shape = index.geometry(subject)
    if shape is None:
        raise ValueError(f"no shape for {location.code!r}")
    k = dpi / 72.0
    sw = {name: w * k for name, w in th.strokes.items()}
    pal = th.palette
    fx = th.effects

    insets: list[_Inset] = []
    main_parts: list[int] | None = None
    proj: Projection
    if city is not None:
        proj, fit, main_bbox = _city_frame(city, width, height)
    else:
        if location.type == "country" and location.code == "us":
            main_parts, insets = _us_insets(shape, width, height, k)
            proj = Albers(-96.0, 37.5, 29.5, 45.5)
            terr = Territory(-96.0, -30.0, 30.0, 24.0, 50.0, tuple(main_parts))
        else:
            proj, terr = choose_projection(shape, location.bounds.center[0])
        fit, main_bbox = _fit(shape, proj, terr, width, height)
    pad = 12.0 * k
    window = _window(proj, fit, width, height, pad)
    frame = Frame(proj, fit, window, (-pad, -pad, width + pad, height + pad))
    view = _window_bounds(window, proj.lon0)
    inset_codes: dict[str, _Inset] = {}
    for ins in insets:
        ifit, _ = _fit(
            shape,
            ins.proj,
            Territory(ins.proj.lon0, 0, 0, 0, 0, ins.fit_parts),
            round(ins.box[2] - ins.box[0]),
            round(ins.box[3] - ins.box[1]),
        )
        ifit = Fit(ifit.scale, ifit.tx + ins.box[0], ifit.ty + ins.box[1])
        iwin = _window_box(ins.proj, ifit, ins.box, pad)
        ins.frame = Frame(ins.proj, ifit, iwin, ins.box)
        for code in ins.codes:
            inset_codes[code] = ins

    country = location if location.type == "country" else index.get(location.country_id)
    assert country is not None
    subs = [c for c in index.children(country) if c.type == "subdivision"]
    by_code = {s.code: s for s in subs}
    by_code.update({s.id: s for s in subs})
    wanted: dict[str, Highlight] = {}
    hl_paths: list[tuple[str | None, str]] = []  # (colour or theme default, <path>)
    inset_hl: dict[str, list[tuple[str | None, str]]] = {}
    for spec_hl in highlights:
        sub = by_code.get(spec_hl.key.strip().lower()) or index.get(spec_hl.key)
        if sub is None or sub.type != "subdivision" or sub.country_id != country.id:
            raise UnknownSubdivisionError(spec_hl.key)
        wanted[sub.code] = spec_hl

    defs: list[str] = []
    body: list[str] = []
    area_labels: list[AreaLabel] = []

    # context: other countries in view
    ctx_paths: list[str] = []
    ctx_strokes: list[Array] = []
    ctx_seams: list[Array] = []
    context_codes: list[str] = []
    countries, _ = index.search(type="country", limit=10_000)
    ctx_places: list[Location] = []
    # at small scales (over ~3 km a pixel) neighbours come from the 50m outlines: the 10m
    # detail (Canada's Arctic) is invisible there and was most of the paths and the time
    coarse_ok = R_KM / fit.scale > 3.0
    for other in countries:
        if other.id == subject.id or not other.bounds.intersects(view):
            continue
        geom = _context_shape(index, other, coarse_ok)
        if geom is None:
            continue
        polys = project_polygons(geom, frame, seams=ctx_seams)
        if polys:
            context_codes.append(other.code)
            ctx_places.append(other)
            rings = [r for p in polys for r in p]
            ctx_paths.append(f'<path d="{path_data(rings)}"/>')
            ctx_strokes += stroke_rings(rings)
            if other.id != country.id or city is not None:
                vis = [
                    [clip_polygon(r, (0.0, 0.0, float(width), float(height))) for r in p]
                    for p in polys
                ]
                vis = [p for p in vis if len(p[0]) >= 3]
                if vis:
                    area = max(ring_area(p[0]) for p in vis)
                    area_labels.append(AreaLabel(other.name, "country", vis, 2e9 + area))
    sibling_d = ""
    if location.type == "subdivision":
        sib_rings = []
        for sib in subs:
            if sib.id == location.id or not sib.bounds.intersects(view):
                continue
            g = index.geometry(sib)
            if g is not None:
                polys = project_polygons(g, frame)
                rings = [r for p in polys for r in p]
                sib_rings += rings
                hl = wanted.get(sib.code)
                if hl is not None:
                    hl_paths.append((hl.color, _hl_path(sib.code, rings)))
                vis = [
                    [clip_polygon(r, (0.0, 0.0, float(width), float(height))) for r in p]
                    for p in polys
                ]
                vis = [p for p in vis if len(p[0]) >= 3]
                if vis:
                    area = max(ring_area(p[0]) for p in vis)
                    area_labels.append(_sub_label(sib, hl, vis, 1e9 + area))
        sibling_d = path_data(sib_rings)

    # subject
    subj_seams: list[Array] = []
    subject_polys = project_polygons(
        shape, frame, min_area=0.15, seams=subj_seams, parts=main_parts
    )
    subject_rings = [r for p in subject_polys for r in p]
    subject_d = path_data(subject_rings)
    subject_stroke_d = path_data(stroke_rings(subject_rings)) + path_data(subj_seams, False)
    sub_paths: list[str] = []
    if subject.type == "country":
        small = 40.0 * k  # units whose box is smaller than this may take a leader line
        for sub in subs:
            g = index.geometry(sub)
            if g is None:
                continue
            sub_ins = inset_codes.get(sub.code)
            if sub_ins is not None and sub_ins.frame is not None:
                polys = project_polygons(g, sub_ins.frame, 0.15)
                hl = wanted.get(sub.code)
                if hl is not None:
                    rings = [r for p in polys for r in p]
                    inset_hl.setdefault(sub_ins.name, []).append(
                        (hl.color, _hl_path(sub.code, rings))
                    )
                if polys:
                    area = max(ring_area(p[0]) for p in polys)
                    b = sub_ins.box
                    region = (b[0] + 2 * k, b[1] + 2 * k, b[2] - 2 * k, b[3] - 2 * k)
                    area_labels.append(_sub_label(sub, hl, polys, 1e9 + area, region=region))
                continue
            sub_seams: list[Array] = []
            polys = project_polygons(g, frame, 0.15, seams=sub_seams)
            rings = [r for p in polys for r in p]
            d = path_data(rings)
            if d:
                sd = path_data(stroke_rings(rings)) + path_data(sub_seams, closed=False)
                sub_paths.append(f'<path d="{sd}"/>')
                hl = wanted.get(sub.code)
                if hl is not None:
                    hl_paths.append((hl.color, _hl_path(sub.code, rings)))
                vis = [
                    [clip_polygon(r, (0.0, 0.0, float(width), float(height))) for r in p]
                    for p in polys
                ]
                vis = [p for p in vis if len(p[0]) >= 3]
                if vis and not (city is not None and sub.name == city.name):
                    area = max(ring_area(p[0]) for p in vis)
                    bb = _bbox([p[0] for p in vis])
                    tiny = max(bb[2] - bb[0], bb[3] - bb[1]) < small or area < small * small * 2
                    priority = 1e9 + area
                    if city is not None and sub.id == city.parent_id:
                        priority += 5e8  # the city's own subdivision first
                    area_labels.append(_sub_label(sub, hl, vis, priority, leader=tiny))
        if subject_polys and city is None and (not show_subdivision_labels or not subs):
            area_labels.append(AreaLabel(location.name, "subject", subject_polys, 4e9))
    else:
        hl = wanted.get(location.code)
        if hl is not None:
            hl_paths.append((hl.color, _hl_path(location.code, subject_rings)))
        if subject_polys:
            name = hl.label if hl is not None and hl.label else location.name
            abbrev = None if hl is not None and hl.label else _abbrev(location)
            area_labels.append(AreaLabel(name, "subject_sub", subject_polys, 4e9, abbrev))

    ctx_stroke_d = path_data(ctx_strokes) + path_data(ctx_seams, closed=False)
    defs.append(f'<g id="ctx">{"".join(ctx_paths)}</g>')
    defs.append(f'<path id="ctxs" d="{ctx_stroke_d}"/>')
    defs.append(f'<path id="subj" d="{subject_d}"/>')
    defs.append(f'<path id="subjs" d="{subject_stroke_d}"/>')
    # what the water lines follow: the coasts (borders between neighbours, each stroked from
    # both sides, lie under the land); a country tiles the land with its neighbours, a
    # subdivision or city lies over its own country, so its outline stays whole
    subj_strokes = stroke_rings(subject_rings)
    if subject.type == "country" and city is None:
        coast, coast_lines = unshared_edges(
            [*ctx_strokes, *subj_strokes], ctx_seams + subj_seams, _coast_thinning(th)
        )
    else:
        coast, coast_lines = unshared_edges(ctx_strokes, ctx_seams, _coast_thinning(th))
        coast, coast_lines = coast + subj_strokes, coast_lines + subj_seams
    defs.append(_coast_path(coast, coast_lines))
    if sub_paths:
        defs.append(f'<g id="subs">{"".join(sub_paths)}</g>')
    if sibling_d:
        defs.append(f'<path id="sibs" d="{sibling_d}"/>')

    # water
    water_labels: list[WaterLabel] = []
    lake_d, river_groups, n_rivers, n_lakes = _water(
        index,
        [subject, *ctx_places] if city is not None else [location],
        frame,
        show_features,
        (th.strokes["river_max"], th.strokes["river_min"]),
        water_labels if (show_lake_labels or show_river_labels) else None,
        selected,
    )

    # -- paint -----------------------------------------------------------------------------
    body.append(f'<rect width="{width}" height="{height}" fill="{pal["sea"]}"/>')
    step = fx.graticule if graticule is None else (fx.graticule or 10.0) if graticule else 0.0
    if city is not None:
        step /= 10.0  # a regional map: every degree (half a degree in a 5-degree theme)
    if step:
        grat = project_lines(_graticule(window, proj.lon0, step), frame, cache=False)
        body.append(
            f'<path d="{path_data(grat, closed=False)}" fill="none" stroke="{pal["graticule"]}" '
            f'stroke-width="{_fmt(sw["graticule"])}"/>'
        )
    body.extend(_coast_lines(th, sw))
    land_fill = pal["land"]
    subject_fill = pal["subject"]
    if fx.land_by_latitude:
        defs.append(_land_gradient(th, proj, fit, width, height))
        land_fill = subject_fill = "url(#landgrad)"
    stroke_join = 'stroke-linejoin="round" stroke-linecap="round"'
    body.append(f'<use href="#ctx" fill="{land_fill}" fill-rule="evenodd"/>')
    if fx.land_by_latitude:  # context darker than the subject
        body.append('<use href="#ctx" fill="#000" fill-opacity="0.28" fill-rule="evenodd"/>')
    body.append(
        f'<use href="#ctxs" fill="none" stroke="{pal["border"]}" '
        f'stroke-width="{_fmt(sw["border"])}" {stroke_join}/>'
    )
    if sibling_d:
        body.append(
            f'<use href="#sibs" fill="none" stroke="{pal["subdivision"]}" '
            f'stroke-width="{_fmt(sw["subdivision"])}" {stroke_join}/>'
        )
    body.append(f'<use href="#subj" fill="{subject_fill}" fill-rule="evenodd"/>')
    hl_fill = pal["highlight"]
    if (hl_paths or inset_hl) and fx.highlight_hatch:
        defs.append(
            f'<pattern id="hatch" width="{_fmt(6 * k)}" height="{_fmt(6 * k)}" '
            f'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
            f'<rect width="{_fmt(6 * k)}" height="{_fmt(6 * k)}" fill="#d9d9d9"/>'
            f'<line x1="0" y1="0" x2="0" y2="{_fmt(6 * k)}" stroke="{pal["highlight"]}" '
            f'stroke-width="{_fmt(2.2 * k)}"/></pattern>'
        )
        hl_fill = "url(#hatch)"
    if hl_paths:
        body.append(f'<g id="highlights">{_hl_groups(hl_paths, hl_fill)}</g>')
    # water above the subdivision lines (admin-1 units run into lakes), the national
    # outline above the water (borders through the Great Lakes stay)
    if sub_paths:
        dash = ""
        if fx.subdivision_dash:
            parts = [float(v) * sw["subdivision"] for v in fx.subdivision_dash.split()]
            dash = f' stroke-dasharray="{" ".join(_fmt(v) for v in parts)}"'
        body.append(
            f'<use href="#subs" fill="none" stroke="{pal["subdivision"]}" '
            f'stroke-width="{_fmt(sw["subdivision"])}"{dash} {stroke_join}/>'
        )
    for width_px, d, river_code in river_groups:
        chosen = " selected" if river_code else ""
        body.append(
            f'<path class="river{chosen}"{_code_attr(river_code)} d="{d}" '
            f'fill="none" stroke="{pal["river"]}" '
            f'stroke-width="{_fmt(width_px * k)}" {stroke_join}/>'
        )
    if lake_d:
        body.append(
            f'<g id="lakes" fill="{pal["water"]}" fill-rule="evenodd" stroke="{pal["river"]}" '
            f'stroke-width="{_fmt(0.5 * k)}" stroke-opacity="0.7">{lake_d}</g>'
        )
    body.append(
        f'<use href="#subjs" fill="none" stroke="{pal["coast"]}" '
        f'stroke-width="{_fmt(sw["coast"])}" {stroke_join}/>'
    )

    # insets
    inset_layouts: list[InsetLayout] = []
    for ins in insets:
        assert ins.frame is not None
        body.append(
            _draw_inset(
                index,
                location,
                shape,
                ins,
                ins.frame,
                th,
                sw,
                countries,
                land_fill,
                subject_fill,
                hl_fill,
                inset_hl.get(ins.name, []),
                show_features,
                selected,
            )
        )
        inset_layouts.append(
            InsetLayout(ins.name, ins.codes, ins.box, ins.proj.params, ins.frame.fit)
        )

    # labels
    placer = LabelPlacer(width, height, edge=(15.0 if fx.double_neatline else 6.0) * k)
    placer.obstacles.extend(ins.box for ins in insets)
    scale = min(max(math.sqrt(width * height) / 1100.0, 0.85), 1.25)
    specs = theme_specs(th, k, scale)
    cities: list[PointLabel] = []
    marker: PointLabel | None = None
    if city is not None:
        assert city.label is not None
        marker = PointLabel(city.name, width / 2.0, height / 2.0, city.capital, 0)
        bar_spec = replace(specs["city"], size=specs["city"].size * 0.9, halo_width=0.0)
        bar_svg, bar_box = _scale_bar(placer, bar_spec, fit, width, height, k)
        body.append(bar_svg)
        placer.obstacles.append(bar_box)
        if show_city_labels:
            cities = _nearby_cities(index, city, frame, width, height)
    elif show_city_labels:
        cities = _city_labels(index, location, country, frame, inset_codes, width, height)
    _place_all(
        placer,
        specs,
        area_labels,
        cities,
        water_labels,
        k,
        marker=marker,
        land=[subject_rings, ctx_strokes],
        accent=pal["highlight"],
        show_subdivision_labels=show_subdivision_labels,
        show_country_labels=show_country_labels,
        show_lake_labels=show_lake_labels,
        show_river_labels=show_river_labels and (show_features or bool(selected)),
        river_label_position=river_label_position,
        lake_label_position=lake_label_position,
        ink=pal["label"],
        halo=pal["halo"],
    )
    defs.extend(placer.defs)
    if placer.dots:
        body.append(f'<g id="city-dots">{"".join(placer.dots)}</g>')
    if placer.svg:
        body.append(f'<g id="labels">{"".join(placer.svg)}</g>')
    body.extend(_finish(th, sw, width, height, k, defs))

    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
        f"<title>{xml_text(location.name)}</title>"
        f"<defs>{''.join(defs)}</defs>{''.join(body)}</svg>"
    )
    layout = MapLayout(
        width=width,
        height=height,
        dpi=dpi,
        theme=th.id,
        projection=proj.params,
        fit=fit,
        window=window,
        subject_bbox=_bbox(subject_rings),
        main_bbox=main_bbox,
        stroke_scale=k,
        highlighted=tuple(sorted(wanted)),
        city=city.code if city is not None else None,
        rivers=n_rivers,
        lakes=n_lakes,
        context=tuple(context_codes),
        subject_rings=subject_rings,
        insets=inset_layouts,
        labels=placer.placed,
    )
    return MapSvg(svg, layout, tuple(sorted(placer.files)))


def _city_labels(
    index: LocationIndex,
    location: Location,
    country: Location,
    frame: Frame,
    inset_codes: dict[str, _Inset],
    width: int,
    height: int,
) -> list[PointLabel]:
    """Cities of the mapped country in view: the capital, then by population."""
    found, _ = index.search(type="city", parent_id=country.id, limit=400)
    by_id = {s.id: s for s in index.children(country) if s.type == "subdivision"}
    limit = max(6, int(width * height / 40000))
    out: list[PointLabel] = []
    for city in found:
        if city.label is None:
            continue
        fr, region = frame, None
        parent = by_id.get(city.parent_id or "")
        ins = inset_codes.get(parent.code) if parent is not None else None
        if ins is not None and ins.frame is not None:
            fr = ins.frame
            b = ins.box
            region = (b[0] + 2.0, b[1] + 2.0, b[2] - 2.0, b[3] - 2.0)
        at = _point_px(fr, city.label[0], city.label[1])
        if at is None or not (0 <= at[0] <= width and 0 <= at[1] <= height):
            continue
        inside = location.type == "country" or city.parent_id == location.id
        pop = (city.population or 0) * (1 if inside else 0.2)
        out.append(PointLabel(city.name, at[0], at[1], city.capital, int(pop), region))
    out.sort(key=lambda c: (not c.capital, -c.population))
    return out[:limit]


@lru_cache(maxsize=4)
def _all_cities(index: LocationIndex) -> tuple[list[Location], Array, Array]:
    """Every city with a position, capitals then by population, and their lon/lat arrays."""
    found, _ = index.search(type="city", limit=100_000)
    found = [c for c in found if c.label is not None]
    found.sort(key=lambda c: (not c.capital, -(c.population or 0)))
    lon = np.array([c.label[0] for c in found if c.label is not None], dtype=np.float64)
    lat = np.array([c.label[1] for c in found if c.label is not None], dtype=np.float64)
    return found, lon, lat


def _nearby_cities(
    index: LocationIndex, city: Location, frame: Frame, width: int, height: int
) -> list[PointLabel]:
    """A city map's context: the other cities in view (any country), capitals first, then
    by population, none on top of the marker."""
    found, lon, lat = _all_cities(index)
    w = frame.window
    rel = wrap_lon(lon - frame.projection.lon0)
    near = (rel >= w.min_rel) & (rel <= w.max_rel) & (lat >= w.min_lat) & (lat <= w.max_lat)
    idx = np.flatnonzero(near)
    if not len(idx):
        return []
    x, y = frame.projection.forward(rel[idx], lat[idx])
    px, py = frame.fit.to_px(x, y)
    cx, cy = width / 2.0, height / 2.0
    limit = max(6, int(width * height / 40000))
    out: list[PointLabel] = []
    for i, ax, ay in zip(idx.tolist(), px.tolist(), py.tolist(), strict=True):
        c = found[i]
        if c.id == city.id or not (0 <= ax <= width and 0 <= ay <= height):
            continue
        if math.hypot(ax - cx, ay - cy) < 12.0:
            continue
        out.append(PointLabel(c.name, ax, ay, c.capital, c.population or 0))
        if len(out) >= limit:
            break
    return out


def _place_all(
    p: LabelPlacer,
    specs: dict[str, TextSpec],
    areas: list[AreaLabel],
    cities: list[PointLabel],
    water: list[WaterLabel],
    k: float,
    *,
    marker: PointLabel | None = None,
    land: Sequence[Sequence[Array]] = (),
    accent: str = "#e4572e",
    show_subdivision_labels: bool,
    show_country_labels: bool,
    show_lake_labels: bool,
    show_river_labels: bool,
    river_label_position: str,
    lake_label_position: str,
    ink: str,
    halo: str,
) -> None:
    """Greedy placement by priority: a city map's city, subject, custom highlight labels,
    capital, neighbours, subdivisions (largest first; the smallest by leader lines), cities
    by population, lakes, rivers."""
    areas = sorted(areas, key=lambda a: -a.priority)
    pad = 2.0 * k
    leaders: list[AreaLabel] = []

    def do_areas(kinds: set[str]) -> None:
        for a in areas:
            if a.kind not in kinds:
                continue
            if a.kind in {"country", "world_country", "subject"} and not show_country_labels:
                continue
            if a.kind in {"subdivision", "subject_sub"} and not show_subdivision_labels:
                continue
            if _PLACEHOLDER.fullmatch(a.name):
                continue  # Natural Earth's stand-in for a unit without a name
            status = place_area(p, a, specs[a.kind], pad)
            if a.kind == "highlight" and status != "placed" and a.region is None:
                leaders.append(a)  # a label the caller asked for: from outside if need be
            elif status != "placed" and a.leader:
                leaders.append(a)

    if marker is not None:
        place_marker(p, marker, specs["subject_city"], ink, halo, accent, k)
    do_areas({"subject", "subject_sub"})
    do_areas({"highlight"})
    for c in cities:
        if c.capital:
            place_city(p, c, specs["capital"], ink, halo, k)
    do_areas({"country", "world_country"})
    do_areas({"subdivision"})
    if leaders:  # the land once, as edges: each leader tests many spots against it
        edges = [EdgeSet.of(_decimate(g, 12000)) for g in land if g]
        budget = max(6, int(p.width * p.height / 100_000))  # more lines are clutter
        for a in leaders:
            if budget <= 0 and a.kind != "highlight":
                continue
            budget -= place_leader(p, a, specs[a.kind], pad, edges, ink, k)
    for c in cities:
        if not c.capital:
            place_city(p, c, specs["city"], ink, halo, k)
    # selected features (``selected_features``) first, then by importance
    if show_lake_labels:
        lakes = sorted(
            (w for w in water if w.kind == "lake"), key=lambda w: (not w.selected, w.rank)
        )
        for w in lakes:
            place_lake(p, w, specs["water"], lake_label_position, k)
    if show_river_labels:
        rivers = sorted(
            (w for w in water if w.kind == "river"), key=lambda w: (not w.selected, w.rank)
        )
        n_selected = sum(w.selected for w in rivers)
        for i, w in enumerate(rivers[: max(10, n_selected)]):
            place_river(p, w, specs["water"], river_label_position, k, str(i))


def _draw_inset(
    index: LocationIndex,
    location: Location,
    shape: Shape,
    ins: _Inset,
    frame: Frame,
    th: MapTheme,
    sw: dict[str, float],
    countries: list[Location],
    land_fill: str,
    subject_fill: str,
    hl_fill: str,
    hl_paths: list[tuple[str | None, str]],
    show_features: bool,
    selected: frozenset[str] = frozenset(),
) -> str:
    """A boxed inset: sea, neighbouring land, the subject's parts, highlights, water, frame."""
    pal = th.palette
    x0, y0, x1, y1 = ins.box
    join = 'stroke-linejoin="round" stroke-linecap="round"'
    out = [f'<g class="inset" id="inset-{ins.name.lower()}">']
    out.append(
        f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{x1 - x0:.1f}" height="{y1 - y0:.1f}" '
        f'fill="{pal["sea"]}"/>'
    )
    view = _window_bounds(frame.window, frame.projection.lon0)
    ctx: list[Array] = []
    for other in countries:
        if other.id == location.id or not other.bounds.intersects(view):
            continue
        g = _context_shape(index, other, True)  # an inset is small: the 50m outline will do
        if g is not None:
            ctx += [r for p in project_polygons(g, frame) for r in p]
    if ctx:
        out.append(
            f'<path d="{path_data(ctx)}" fill="{land_fill}" fill-rule="evenodd" '
            f'stroke="{pal["border"]}" stroke-width="{_fmt(sw["border"])}" {join}/>'
        )
    rings = [r for p in project_polygons(shape, frame, 0.15, parts=ins.parts) for r in p]
    d = path_data(rings)
    out.append(f'<path d="{d}" fill="{subject_fill}" fill-rule="evenodd"/>')
    if hl_paths:
        out.append(_hl_groups(hl_paths, hl_fill))
    if show_features or selected:
        lake_d, groups, _, _ = _water(
            index,
            [location],
            frame,
            show_features,
            (th.strokes["river_max"], th.strokes["river_min"]),
            None,
            selected,
        )
        if lake_d:
            out.append(f'<g fill="{pal["water"]}" fill-rule="evenodd">{lake_d}</g>')
        for w, rd, code in groups:
            out.append(
                f'<path class="river{" selected" if code else ""}"{_code_attr(code)} d="{rd}" '
                f'fill="none" '
                f'stroke="{pal["river"]}" '
                f'stroke-width="{_fmt(w * sw["frame"] / th.strokes["frame"])}" {join}/>'
            )
    out.append(
        f'<path d="{d}" fill="none" stroke="{pal["coast"]}" stroke-width="{_fmt(sw["coast"])}" '
        f"{join}/>"
    )
    fw = sw["frame"]
    out.append(
        f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{x1 - x0:.1f}" height="{y1 - y0:.1f}" '
        f'fill="none" stroke="{pal["frame"]}" stroke-width="{_fmt(fw * 0.8)}"/>'
    )
    out.append("</g>")
    return "".join(out)


def _river_width(theme_max: float, theme_min: float, rank: int) -> float:
    t = min(max((rank - 2) / 8.0, 0.0), 1.0)
    return round(theme_max + (theme_min - theme_max) * t, 2)


def _features(
    index: LocationIndex, places: Sequence[Location], kind: str, include_unnamed: bool = False
) -> list[Feature]:
    """Rivers or lakes meeting any of ``places``, most important first, each once."""
    if len(places) == 1:
        return index.features(places[0], kind, include_unnamed=include_unnamed)  # type: ignore[arg-type]
    seen: dict[int, Feature] = {}
    for place in places:
        for f in index.features(place, kind, include_unnamed=include_unnamed):  # type: ignore[arg-type]
            seen.setdefault(f.key, f)
    return sorted(seen.values(), key=lambda f: (f.scalerank, f.code or "", f.key))


def _code_attr(code: str | None) -> str:
    """`` data-code="..."`` for a selected feature's element (escaped), else nothing."""
    return f' data-code="{xml_text(code)}"' if code else ""


def _candidates(
    index: LocationIndex,
    places: Sequence[Location],
    kind: str,
    selected: frozenset[str],
    include_unnamed: bool = False,
) -> list[Feature]:
    """:func:`_features`, plus any selected feature of ``kind`` not among them (a city map's
    selection is checked against the city's box, its water against the countries in view)."""
    found = _features(index, places, kind, include_unnamed)
    have = {f.code for f in found if f.code}
    extra = [
        f
        for code in sorted(selected - have)
        if (f := index.feature(code)) is not None and f.type == kind
    ]
    return [*found, *extra] if extra else found


def _water(
    index: LocationIndex,
    places: Sequence[Location],
    frame: Frame,
    show_features: bool,
    river_widths: tuple[float, float],
    labels: list[WaterLabel] | None = None,
    selected: frozenset[str] = frozenset(),
) -> tuple[str, list[tuple[float, str, str | None]], int, int]:
    """Lake paths (``<path>`` elements), river path data grouped by width (with the code of a
    selected river, drawn last, each alone), and how many of each were drawn, for the water
    meeting ``places`` (the mapped place; for a city map its country and the neighbours in
    view). ``selected`` codes are drawn whatever their rank, even without ``show_features``
    (then only they are), and their labels go first."""
    view = _window_bounds(frame.window, frame.projection.lon0)
    ppd = frame.fit.scale * math.pi / 180.0  # pixels per degree of latitude
    limit = 6 if ppd < 8 else 7 if ppd < 15 else 8 if ppd < 30 else 10 if ppd < 70 else 12
    lake_rings: list[Array] = []
    big_rings: list[Array] = []
    chosen_lakes: list[str] = []
    n_lakes = 0
    for item in index.layer("world/lakes-50m"):  # the big lakes are base geography
        if (item.scalerank if item.scalerank is not None else 9) <= 1:
            rings = [r for p in project_polygons(item.shape, frame, min_area=2.0) for r in p]
            big_rings += rings
            n_lakes += bool(rings)
    if labels is not None:
        for feat in _candidates(index, places, "lake", selected):
            if not feat.bounds.intersects(view):
                continue
            chosen = feat.code in selected
            if feat.name is None or (
                feat.scalerank > (limit if show_features else 1) and not chosen
            ):
                continue
            g = index.geometry(feat)
            if g is not None:
                polys = project_polygons(g, frame, min_area=20.0)
                if polys:
                    labels.append(
                        WaterLabel(
                            feat.name, "lake", polys=polys, rank=feat.scalerank, selected=chosen
                        )
                    )
    groups: dict[float, list[Array]] = {}
    chosen_rivers: list[tuple[float, str, str | None]] = []
    n_rivers = 0
    if show_features or selected:
        for feat in _candidates(index, places, "lake", selected, include_unnamed=True):
            chosen = feat.code in selected
            usual = show_features and feat.scalerank <= limit
            if not (usual or chosen) or not feat.bounds.intersects(view):
                continue
            g = index.geometry(feat)
            if g is not None:
                rings = [r for p in project_polygons(g, frame, min_area=1.5) for r in p]
                if chosen and rings:
                    assert feat.code is not None
                    chosen_lakes.append(
                        f'<path data-code="{xml_text(feat.code)}" d="{path_data(rings)}"/>'
                    )
                    n_lakes += 1
                    continue
                lake_rings += rings
                n_lakes += bool(rings)
        theme_max, theme_min = river_widths
        for feat in _candidates(index, places, "river", selected, include_unnamed=True):
            chosen = feat.code in selected
            usual = show_features and feat.scalerank <= limit
            if not (usual or chosen) or not feat.bounds.intersects(view):
                continue
            g = index.geometry(feat)
            if g is None:
                continue
            lines = project_lines(g, frame)
            if lines:
                n_rivers += 1
                w = _river_width(theme_max, theme_min, feat.scalerank)
                if chosen:  # asked for: as wide as the most important rivers
                    w = theme_max
                    chosen_rivers.append((w, path_data(lines, closed=False), feat.code))
                else:
                    groups.setdefault(w, []).extend(lines)
                if labels is not None and feat.name:
                    labels.append(
                        WaterLabel(
                            feat.name, "river", lines=lines, rank=feat.scalerank, selected=chosen
                        )
                    )
    river_groups: list[tuple[float, str, str | None]] = [
        (w, path_data(lines, closed=False), None)
        for w, lines in sorted(groups.items(), reverse=True)
    ]
    river_groups += chosen_rivers  # on top of the usual set
    # the big lakes (50m) and the detailed ones overlap: separate paths, or even-odd would
    # cut one out of the other
    lake_d = "".join(f'<path d="{path_data(r)}"/>' for r in (big_rings, lake_rings) if r)
    lake_d += "".join(chosen_lakes)
    return lake_d, river_groups, n_rivers, n_lakes


def _coast_path(rings: list[Array], lines: list[Array]) -> str:
    """``<path id="land">``: what the water lines follow (see :func:`_coast_thinning`)."""
    return f'<path id="land" d="{path_data(rings)}{path_data(lines, closed=False)}"/>'


def _coast_thinning(th: MapTheme) -> float:
    """How far the coast the water lines follow is thinned: to a pixel for the soft glow (its
    bands are 5 px and wider), not at all for engraved lines (thin lines at offsets, where
    the detail shows)."""
    return 1.0 if th.effects.coast_style == "glow" else 0.0


def _coast_lines(th: MapTheme, sw: dict[str, float], most: int = 99) -> list[str]:
    """Water lines around all coasts, drawn before the land covers their inner half (at
    most ``most`` of them: every band strokes every coast once more)."""
    out: list[str] = []
    n = min(th.effects.coastal_glow, most)
    if n <= 0:
        return out
    pal = th.palette
    base = sw["glow"]
    if th.effects.coast_style == "engraved":  # concentric thin water lines
        gap = 2.6 * base
        for i in range(n, 0, -1):
            op = 0.55 * (1.0 - (i - 1) / n) + 0.12
            out.append(
                f'<use href="#land" fill="none" stroke="{pal["glow"]}" stroke-opacity="{op:.2f}" '
                f'stroke-width="{_fmt(2 * gap * i + base)}" stroke-linejoin="round"/>'
            )
            out.append(
                f'<use href="#land" fill="none" stroke="{pal["sea"]}" '
                f'stroke-width="{_fmt(2 * gap * i - base)}" stroke-linejoin="round"/>'
            )
        return out
    for i in range(n, 0, -1):  # soft glow: widening, fading bands
        op = 0.5 / n
        # a narrow soft band looks the same with bevel joins as with round ones (mean
        # 0.03/255 on the world map) and resvg strokes it in half the time (world PNG
        # -90 ms); a wide one (satellite) would show the bevels round small islands
        bw = base * 5 * i
        join = "bevel" if bw <= 6.0 else "round"
        out.append(
            f'<use href="#land" fill="none" stroke="{pal["glow"]}" stroke-opacity="{op:.2f}" '
            f'stroke-width="{_fmt(bw)}" stroke-linejoin="{join}"/>'
        )
    return out


def _finish(
    th: MapTheme, sw: dict[str, float], width: int, height: int, k: float, defs: list[str]
) -> list[str]:
    """The finishing touches over everything, labels included: paper grain and vignette
    (themes with ``paper_grain``) and the neatline, as one ``<g id="finish">``."""
    out: list[str] = []
    pal = th.palette
    if th.effects.paper_grain:
        defs.append(
            '<filter id="grain" x="0" y="0" width="100%" height="100%">'
            '<feTurbulence type="fractalNoise" baseFrequency="0.9" numOctaves="2" seed="7"/>'
            '<feColorMatrix type="matrix" values="0 0 0 0 0.35  0 0 0 0 0.27  0 0 0 0 0.16  '
            '0 0 0 0.9 -0.3"/></filter>'
            '<radialGradient id="vignette" cx="50%" cy="50%" r="75%">'
            '<stop offset="0.6" stop-color="#7a5a2a" stop-opacity="0"/>'
            '<stop offset="1" stop-color="#7a5a2a" stop-opacity="0.22"/></radialGradient>'
        )
        out.append(f'<rect width="{width}" height="{height}" filter="url(#grain)" opacity="0.35"/>')
        out.append(f'<rect width="{width}" height="{height}" fill="url(#vignette)"/>')
    fw = sw["frame"]
    inset = 6.0 * k
    if th.effects.double_neatline:
        out.append(
            f'<rect x="{_fmt(inset)}" y="{_fmt(inset)}" width="{_fmt(width - 2 * inset)}" '
            f'height="{_fmt(height - 2 * inset)}" fill="none" stroke="{pal["frame"]}" '
            f'stroke-width="{_fmt(fw * 2)}"/>'
        )
        i2 = inset + 4.0 * k
        out.append(
            f'<rect x="{_fmt(i2)}" y="{_fmt(i2)}" width="{_fmt(width - 2 * i2)}" '
            f'height="{_fmt(height - 2 * i2)}" fill="none" stroke="{pal["frame"]}" '
            f'stroke-width="{_fmt(fw * 0.6)}"/>'
        )
    else:
        out.append(
            f'<rect x="{_fmt(fw / 2)}" y="{_fmt(fw / 2)}" width="{_fmt(width - fw)}" '
            f'height="{_fmt(height - fw)}" fill="none" stroke="{pal["frame"]}" '
            f'stroke-width="{_fmt(fw)}"/>'
        )
    # one group, drawn last: the PNG rasteriser draws the labels between the rest and it
    return [f'<g id="finish">{"".join(out)}</g>']
