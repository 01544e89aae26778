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
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from ogplatform.maps.geodata import Bounds, Location, LocationIndex, Shape
from ogplatform.maps.render._geom import (
    Frame,
    Window,
    path_data,
    project_lines,
    project_polygons,
    stroke_rings,
)
from ogplatform.maps.render.projection import (
    Fit,
    LambertAzimuthal,
    Projection,
    Territory,
    choose_projection,
    unwrap_ring,
)
from ogplatform.maps.render.themes import MapThemeDef, get_theme
from ogplatform.render.svg import xml_text

__all__ = ["MapLayout", "MapSvg", "UnknownSubdivisionError", "render_svg"]

Array = npt.NDArray[np.float64]
DPI_CHOICES = (72, 150, 300)


class UnknownSubdivisionError(ValueError):
    """A highlighted code that names no subdivision of the mapped place."""

    def __init__(self, code: str) -> None:
        super().__init__(f"unknown subdivision {code!r}")
        self.code = code


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
    subject_rings: list[Array] = field(default_factory=list, repr=False)


@dataclass
class MapSvg:
    svg: str
    layout: MapLayout


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


def _land_gradient(theme: MapThemeDef, proj: Projection, fit: Fit, width: int, height: int) -> str:
    ys = np.linspace(0.0, float(height), 16)
    x, y = fit.from_px(np.full_like(ys, width / 2.0), ys)
    _, lats = proj.inverse(x, y)
    colours = [_colour_at(theme.land_by_latitude, float(la)) for la in lats]
    stops = "".join(
        f'<stop offset="{i / 15:.3f}" stop-color="{c}"/>' for i, c in enumerate(colours)
    )
    return (
        f'<linearGradient id="landgrad" gradientUnits="userSpaceOnUse" x1="0" y1="0" x2="0" '
        f'y2="{height}">{stops}</linearGradient>'
    )


def render_svg(
    index: LocationIndex,
    location: Location,
    *,
    width: int = 1000,
    height: int = 640,
    theme: str | MapThemeDef = "modern",
    dpi: int = 72,
    show_features: bool = True,
    highlight: Sequence[str] = (),
    graticule: bool | None = None,
) -> MapSvg:
    """The map of a country or subdivision as an SVG document and its layout."""
    th = get_theme(theme) if isinstance(theme, str) else theme
    if dpi not in DPI_CHOICES:
        raise ValueError(f"dpi must be one of {DPI_CHOICES}")
    if location.type == "city":
        raise NotImplementedError("city maps come with the next milestone")  # TODO
    shape = index.geometry(location)
    if shape is None:
        raise ValueError(f"no shape for {location.code!r}")
    k = dpi / 72.0
    sw = {name: w * k for name, w in th.strokes.items()}
    pal = th.palette

    proj, terr = choose_projection(shape, location.bounds.center[0])
    fit, main_bbox = _fit(shape, proj, terr, width, height)
    pad = 12.0 * k
    window = _window(proj, fit, width, height, pad)
    frame = Frame(proj, fit, window, (-pad, -pad, width + pad, height + pad))
    view = _window_bounds(window, proj.lon0)

    country = location if location.type == "country" else index.get(location.country_id)
    assert country is not None
    subs = [c for c in index.children(country) if c.type == "subdivision"]
    by_code = {s.code: s for s in subs}
    by_code.update({s.id: s for s in subs})
    wanted: set[str] = set()
    for code in highlight:
        sub = by_code.get(code.strip().lower()) or index.get(code)
        if sub is None or sub.type != "subdivision" or sub.country_id != country.id:
            raise UnknownSubdivisionError(code)
        wanted.add(sub.code)

    defs: list[str] = []
    body: list[str] = []

    # context: other countries in view
    ctx_paths: list[str] = []
    ctx_strokes: list[Array] = []
    ctx_seams: list[Array] = []
    context_codes: list[str] = []
    countries, _ = index.search(type="country", limit=10_000)
    for other in countries:
        if other.id == location.id or not other.bounds.intersects(view):
            continue
        geom = index.geometry(other)
        if geom is None:
            continue
        polys = project_polygons(geom, frame, seams=ctx_seams)
        if polys:
            context_codes.append(other.code)
            rings = [r for p in polys for r in p]
            ctx_paths.append(f'<path d="{path_data(rings)}"/>')
            ctx_strokes += stroke_rings(rings)
    sibling_d = ""
    if location.type == "subdivision":
        sib_rings = []
        for sib in subs:
            if sib.id == location.id or not sib.bounds.intersects(view):
                continue
            g = index.geometry(sib)
            if g is not None:
                sib_rings += [r for p in project_polygons(g, frame) for r in p]
        sibling_d = path_data(sib_rings)

    # subject
    subj_seams: list[Array] = []
    subject_polys = project_polygons(shape, frame, min_area=0.15, seams=subj_seams)
    subject_rings = [r for p in subject_polys for r in p]
    subject_d = path_data(subject_rings)
    subject_stroke_d = path_data(stroke_rings(subject_rings)) + path_data(subj_seams, False)
    sub_paths: list[str] = []
    hl_paths: list[str] = []
    if location.type == "country":
        for sub in subs:
            g = index.geometry(sub)
            if g is None:
                continue
            sub_seams: list[Array] = []
            rings = [r for p in project_polygons(g, frame, 0.15, seams=sub_seams) for r in p]
            d = path_data(rings)
            if d:
                sd = path_data(stroke_rings(rings)) + path_data(sub_seams, closed=False)
                sub_paths.append(f'<path d="{sd}"/>')
                if sub.code in wanted:
                    hl_paths.append(f'<path id="hl-{xml_text(sub.code)}" d="{d}"/>')
    elif location.code in wanted:
        hl_paths.append(f'<path id="hl-{xml_text(location.code)}" d="{subject_d}"/>')

    ctx_stroke_d = path_data(ctx_strokes) + path_data(ctx_seams, closed=False)
    defs.append(f'<g id="ctx">{"".join(ctx_paths)}</g>')
    defs.append(f'<path id="ctxs" d="{ctx_stroke_d}"/>')
    defs.append(f'<path id="subj" d="{subject_d}"/>')
    defs.append(f'<path id="subjs" d="{subject_stroke_d}"/>')
    defs.append('<g id="land"><use href="#ctxs"/><use href="#subjs"/></g>')
    if sub_paths:
        defs.append(f'<g id="subs">{"".join(sub_paths)}</g>')
    if sibling_d:
        defs.append(f'<path id="sibs" d="{sibling_d}"/>')

    # water
    lake_d, river_groups, n_rivers, n_lakes = _water(
        index, location, frame, show_features, (th.strokes["river_max"], th.strokes["river_min"])
    )

    # -- paint -----------------------------------------------------------------------------
    body.append(f'<rect width="{width}" height="{height}" fill="{pal["sea"]}"/>')
    step = th.graticule if graticule is None else (th.graticule or 10.0) if graticule else 0.0
    if step:
        grat = project_lines(_graticule(window, proj.lon0, step), frame)
        body.append(
            f'<path d="{path_data(grat, closed=False)}" fill="none" stroke="{pal["graticule"]}" '
            f'stroke-width="{_fmt(sw["graticule"])}"/>'
        )
    body.extend(_coast_lines(th, sw))
    land_fill = pal["land"]
    subject_fill = pal["subject"]
    if th.land_by_latitude:
        defs.append(_land_gradient(th, proj, fit, width, height))
        land_fill = subject_fill = "url(#landgrad)"
    stroke_join = 'stroke-linejoin="round" stroke-linecap="round"'
    body.append(f'<use href="#ctx" fill="{land_fill}" fill-rule="evenodd"/>')
    if th.land_by_latitude:  # context darker than the subject
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
    if hl_paths:
        fill = pal["highlight"]
        if th.highlight_hatch:
            defs.append(
                f'<pattern id="hatch" width="{_fmt(6 * k)}" height="{_fmt(6 * k)}" '
                f'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
                f'<rect width="{_fmt(6 * k)}" height="{_fmt(6 * k)}" fill="#d9d9d9"/>'
                f'<line x1="0" y1="0" x2="0" y2="{_fmt(6 * k)}" stroke="{pal["highlight"]}" '
                f'stroke-width="{_fmt(2.2 * k)}"/></pattern>'
            )
            fill = "url(#hatch)"
        body.append(f'<g id="highlights" fill="{fill}" fill-rule="evenodd">{"".join(hl_paths)}</g>')
    if lake_d:
        body.append(f'<path id="lakes" d="{lake_d}" fill="{pal["water"]}" fill-rule="evenodd"/>')
    for width_px, d in river_groups:
        body.append(
            f'<path class="river" d="{d}" fill="none" stroke="{pal["river"]}" '
            f'stroke-width="{_fmt(width_px * k)}" {stroke_join}/>'
        )
    if sub_paths:
        dash = ""
        if th.subdivision_dash:
            parts = [float(v) * sw["subdivision"] for v in th.subdivision_dash.split()]
            dash = f' stroke-dasharray="{" ".join(_fmt(v) for v in parts)}"'
        body.append(
            f'<use href="#subs" fill="none" stroke="{pal["subdivision"]}" '
            f'stroke-width="{_fmt(sw["subdivision"])}"{dash} {stroke_join}/>'
        )
    body.append(
        f'<use href="#subjs" fill="none" stroke="{pal["coast"]}" '
        f'stroke-width="{_fmt(sw["coast"])}" {stroke_join}/>'
    )
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
        rivers=n_rivers,
        lakes=n_lakes,
        context=tuple(context_codes),
        subject_rings=subject_rings,
    )
    return MapSvg(svg, layout)


def _river_width(theme_max: float, theme_min: float, rank: int) -> float:
    t = min(max((rank - 2) / 8.0, 0.0), 1.0)
    return round(theme_max + (theme_min - theme_max) * t, 2)


def _water(
    index: LocationIndex,
    location: Location,
    frame: Frame,
    show_features: bool,
    river_widths: tuple[float, float],
) -> tuple[str, list[tuple[float, str]], int, int]:
    """Lake path data, river paths grouped by width, and how many of each were drawn."""
    ppd = frame.fit.scale * math.pi / 180.0  # pixels per degree of latitude
    limit = 6 if ppd < 8 else 7 if ppd < 15 else 8 if ppd < 30 else 10 if ppd < 70 else 12
    lake_rings: list[Array] = []
    n_lakes = 0
    for item in index.layer("world/lakes-50m"):  # the big lakes are base geography
        if (item.scalerank if item.scalerank is not None else 9) <= 1:
            rings = [r for p in project_polygons(item.shape, frame, min_area=2.0) for r in p]
            lake_rings += rings
            n_lakes += bool(rings)
    groups: dict[float, list[Array]] = {}
    n_rivers = 0
    if show_features:
        for feat in index.features(location, "lake", include_unnamed=True):
            if feat.scalerank > limit:
                continue
            g = index.geometry(feat)
            if g is not None:
                rings = [r for p in project_polygons(g, frame, min_area=1.5) for r in p]
                lake_rings += rings
                n_lakes += bool(rings)
        for feat in index.features(location, "river", include_unnamed=True):
            if feat.scalerank > limit:
                continue
            g = index.geometry(feat)
            if g is None:
                continue
            lines = project_lines(g, frame)
            if lines:
                n_rivers += 1
                w = _river_width(*river_widths, feat.scalerank)
                groups.setdefault(w, []).extend(lines)
    river_groups = [
        (w, path_data(lines, closed=False)) for w, lines in sorted(groups.items(), reverse=True)
    ]
    return path_data(lake_rings), river_groups, n_rivers, n_lakes


def _coast_lines(th: MapThemeDef, sw: dict[str, float]) -> list[str]:
    """Water lines around all coasts, drawn before the land covers their inner half."""
    out: list[str] = []
    n = th.coastal_glow
    if n <= 0:
        return out
    pal = th.palette
    base = sw["glow"]
    if th.id == "vintage":  # engraved water lining: concentric thin lines
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
        out.append(
            f'<use href="#land" fill="none" stroke="{pal["glow"]}" stroke-opacity="{op:.2f}" '
            f'stroke-width="{_fmt(base * 5 * i)}" stroke-linejoin="round"/>'
        )
    return out


def _finish(
    th: MapThemeDef, sw: dict[str, float], width: int, height: int, k: float, defs: list[str]
) -> list[str]:
    out: list[str] = []
    pal = th.palette
    if th.paper_grain:
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
    if th.double_neatline:
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
    return out
