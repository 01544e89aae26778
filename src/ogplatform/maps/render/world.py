"""The world map: Equal Earth, every country, labels for the largest, highlights.

The geodata has no "world" location (locations are countries, subdivisions and cities), so
the world is requested through :func:`render_world_svg` / ``render_png``'s twin
:func:`ogplatform.maps.render.render_world_png`; the job API can map the pseudo-location code
``"world"`` (:data:`WORLD_CODE`) onto it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ogplatform.maps.geodata import Location, LocationIndex
from ogplatform.maps.render._geom import (
    Frame,
    Window,
    path_data,
    project_lines,
    project_polygons,
    stroke_rings,
    unshared_edges,
)
from ogplatform.maps.render._highlight import Highlight, HighlightInput, parse_highlights
from ogplatform.maps.render.draw import (
    DPI_CHOICES,
    MapLayout,
    MapSvg,
    UnknownSubdivisionError,
    _coast_lines,
    _coast_path,
    _coast_thinning,
    _code_attr,
    _finish,
    _fmt,
    _graticule,
    _hl_groups,
    _hl_path,
    _place_all,
)
from ogplatform.maps.render.labels import AreaLabel, LabelPlacer, ring_area, theme_specs
from ogplatform.maps.render.projection import EqualEarth, Fit
from ogplatform.maps.render.themes import get_theme
from ogplatform.plugins.map_themes import MapTheme
from ogplatform.render.svg import xml_text

__all__ = ["WORLD_CODE", "render_world_svg"]

WORLD_CODE = "world"
_EDGE_LAT = np.linspace(-90.0, 90.0, 181)


WORLD_FLAT = 0.5  # px (see Frame.flat)


def _outline(frame: Frame) -> str:
    """The globe's edge (the meridians at +/-180) as one closed path."""
    proj, fit = frame.projection, frame.fit
    lon = np.concatenate([np.full(181, 180.0), np.full(181, -180.0)])
    lat = np.concatenate([_EDGE_LAT, _EDGE_LAT[::-1]])
    x, y = fit.to_px(*proj.forward(lon, lat))
    pts = np.column_stack([x, y])
    return path_data([pts])


def _paper(th: MapTheme) -> str:
    """Outside the globe: the sea colour pulled towards the halo (paper) colour."""
    a, b = th.palette["sea"], th.palette["halo"]
    ca = [int(a[i : i + 2], 16) for i in (1, 3, 5)]
    cb = [int(b[i : i + 2], 16) for i in (1, 3, 5)]
    t = 0.65 if sum(cb) > sum(ca) else 0.35
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(ca, cb, strict=True))


def render_world_svg(
    index: LocationIndex,
    *,
    width: int = 1400,
    height: int = 760,
    theme: str | MapTheme = "modern",
    dpi: int = 72,
    show_features: bool = False,
    highlight: Sequence[HighlightInput] = (),
    graticule: bool | None = None,
    show_country_labels: bool = True,
    selected_features: Sequence[str] = (),
) -> MapSvg:
    """The world in Equal Earth (centred on Greenwich) as an SVG document and its layout.

    Every country is drawn (50m outlines); the largest are labelled where their names fit.
    ``highlight`` takes country codes or ids, or objects ``{"code"|"id", "color"?,
    "label"?}`` (an unknown one raises :class:`UnknownSubdivisionError` naming it). The
    graticule (30 degrees; 15 in a theme with a fine grid) is on unless ``graticule=False``;
    ``show_features`` adds the big rivers and lakes. ``selected_features`` (codes of the
    locations API's world features list: the great rivers and lakes) are drawn over
    everything else in the water, rivers wider, whether or not ``show_features`` is on;
    unknown codes are ignored here (the job API rejects them).
    """
    th = get_theme(theme) if isinstance(theme, str) else theme
    if dpi not in DPI_CHOICES:
        raise ValueError(f"dpi must be one of {DPI_CHOICES}")
    k = dpi / 72.0
    sw = {name: w * k for name, w in th.strokes.items()}
    pal = th.palette
    fx = th.effects
    proj = EqualEarth(0.0, 0.0)
    margin = max(12.0, 0.04 * min(width, height))
    bbox = (-2.70663, -1.31737, 2.70663, 1.31737)
    fit = Fit.to_box(bbox, (margin, margin, width - margin, height - margin))
    window = Window(-179.999, 179.999, -90.0, 90.0)
    pad = 4.0 * k
    # thinned to half a pixel, not 0.3: at world scale a pixel holds kilometres of coast, and
    # the extra points cost the SVG a third of its size for no visible line (world PNG 93 ->
    # 78 ms; checked side by side at 2x)
    frame = Frame(proj, fit, window, (-pad, -pad, width + pad, height + pad), flat=WORLD_FLAT)

    countries, _ = index.search(type="country", limit=10_000)
    wanted: dict[str, Highlight] = {}
    for item in parse_highlights(highlight):
        found = index.get(item.key)
        if found is None or found.type != "country":
            raise UnknownSubdivisionError(item.key, "country")
        wanted[found.code] = item

    paths: list[str] = []
    strokes: list[np.ndarray] = []
    seams: list[np.ndarray] = []
    hl_paths: list[tuple[str | None, str]] = []
    land_rings: list[np.ndarray] = []
    labels: list[AreaLabel] = []
    for place in countries:
        geom = index.geometry(place, detail="coarse") or index.geometry(place)
        if geom is None:
            continue
        polys = project_polygons(geom, frame, min_area=0.6, seams=seams)
        if not polys:
            continue
        rings = [r for p in polys for r in p]
        land_rings += rings
        paths.append(f'<path d="{path_data(rings)}"/>')
        strokes += stroke_rings(rings)
        hl = wanted.get(place.code)
        if hl is not None:
            hl_paths.append((hl.color, _hl_path(place.code, rings)))
        area = max(ring_area(p[0]) for p in polys)
        if hl is not None and hl.label:
            labels.append(AreaLabel(hl.label, "highlight", polys, 5e9 + area, None, None, True))
        elif area > 900.0 * k * k:
            labels.append(AreaLabel(_short_name(place), "world_country", polys, 2e9 + area))

    # the water lines follow the coasts, not the borders
    coast, coast_lines = unshared_edges(strokes, seams, _coast_thinning(th))
    defs = [
        f'<g id="ctx">{"".join(paths)}</g>',
        f'<path id="ctxs" d="{path_data(strokes) + path_data(seams, closed=False)}"/>',
        _coast_path(coast, coast_lines),
    ]
    body = [f'<rect width="{width}" height="{height}" fill="{_paper(th)}"/>']
    outline = _outline(frame)
    body.append(f'<path d="{outline}" fill="{pal["sea"]}"/>')
    step = 15.0 if (fx.graticule and fx.graticule < 10.0) else 30.0
    if graticule is not False:
        grat = project_lines(_graticule(window, 0.0, step), frame, cache=False)
        body.append(
            f'<path d="{path_data(grat, closed=False)}" fill="none" stroke="{pal["graticule"]}" '
            f'stroke-width="{_fmt(sw["graticule"])}"/>'
        )
    # two water lines at most: on the whole world's coasts each costs the rasteriser dearly
    body.extend(_coast_lines(th, sw, 2))
    # the paper again around the globe, over water lines bleeding past its edge (Antarctica):
    # one even-odd fill, far cheaper to rasterise than clipping the lines
    body.append(
        f'<path d="M0 0H{width}V{height}H0Z{outline}" fill="{_paper(th)}" fill-rule="evenodd"/>'
    )
    join = 'stroke-linejoin="round" stroke-linecap="round"'
    land_fill = pal["subject"]
    if fx.land_by_latitude:
        from ogplatform.maps.render.draw import _land_gradient

        defs.append(_land_gradient(th, proj, fit, width, height))
        land_fill = "url(#landgrad)"
    body.append(f'<use href="#ctx" fill="{land_fill}" fill-rule="evenodd"/>')
    hl_fill = pal["highlight"]
    if hl_paths and fx.highlight_hatch:
        defs.append(
            f'<pattern id="hatch" width="{_fmt(5 * k)}" height="{_fmt(5 * k)}" '
            f'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
            f'<rect width="{_fmt(5 * k)}" height="{_fmt(5 * k)}" fill="#d9d9d9"/>'
            f'<line x1="0" y1="0" x2="0" y2="{_fmt(5 * k)}" stroke="{pal["highlight"]}" '
            f'stroke-width="{_fmt(2.0 * k)}"/></pattern>'
        )
        hl_fill = "url(#hatch)"
    if hl_paths:
        body.append(f'<g id="highlights">{_hl_groups(hl_paths, hl_fill)}</g>')
    n_rivers = n_lakes = 0
    if show_features:
        n_rivers, n_lakes = _world_water(index, frame, th, sw, body, k)
    if selected_features:
        more_rivers, more_lakes = _selected_water(index, frame, th, body, k, selected_features)
        n_rivers, n_lakes = n_rivers + more_rivers, n_lakes + more_lakes
    body.append(
        f'<use href="#ctxs" fill="none" stroke="{pal["border"]}" '
        f'stroke-width="{_fmt(sw["border"] * 0.7)}" {join}/>'
    )
    body.append(
        f'<path d="{outline}" fill="none" stroke="{pal["coast"]}" '
        f'stroke-width="{_fmt(sw["coast"])}"/>'
    )

    placer = LabelPlacer(width, height, edge=(15.0 if fx.double_neatline else 6.0) * k)
    scale = min(max(math.sqrt(width * height) / 1100.0, 0.85), 1.25)
    specs = theme_specs(th, k, scale)
    if show_country_labels or any(a.kind == "highlight" for a in labels):
        _place_all(
            placer,
            specs,
            labels if show_country_labels else [a for a in labels if a.kind == "highlight"],
            [],
            [],
            k,
            land=[land_rings],
            show_subdivision_labels=False,
            show_country_labels=True,
            show_lake_labels=False,
            show_river_labels=False,
            river_label_position="center",
            lake_label_position="center",
            ink=pal["label"],
            halo=pal["halo"],
        )
    defs.extend(placer.defs)
    if placer.svg:
        body.append(f'<g id="labels">{"".join(placer.svg)}</g>')
    body.extend(_finish(th, sw, width, height, k, defs))
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
        f"<title>{xml_text('World')}</title>"
        f"<defs>{''.join(defs)}</defs>{''.join(body)}</svg>"
    )
    x0, y1 = fit.to_px(np.array(bbox[0]), np.array(bbox[1]))
    x1, y0 = fit.to_px(np.array(bbox[2]), np.array(bbox[3]))
    main_bbox = (float(x0), float(y0), float(x1), float(y1))
    layout = MapLayout(
        width=width,
        height=height,
        dpi=dpi,
        theme=th.id,
        projection=proj.params,
        fit=fit,
        window=window,
        subject_bbox=main_bbox,
        main_bbox=main_bbox,
        stroke_scale=k,
        highlighted=tuple(sorted(wanted)),
        rivers=n_rivers,
        lakes=n_lakes,
        context=tuple(c.code for c in countries),
        subject_rings=land_rings,
        labels=placer.placed,
    )
    return MapSvg(svg, layout, tuple(sorted(placer.files)))


_SHORT = {
    "United States of America": "United States",
    "Democratic Republic of the Congo": "DR Congo",
    "Central African Republic": "C. African Rep.",
    "Russian Federation": "Russia",
}


def _short_name(place: Location) -> str:
    return _SHORT.get(place.name, place.name)


def _selected_water(
    index: LocationIndex,
    frame: Frame,
    th: MapTheme,
    body: list[str],
    k: float,
    codes: Sequence[str],
) -> tuple[int, int]:
    """The chosen rivers and lakes (their detailed shapes), each its own element with its
    ``data-code``; how many of each were drawn."""
    pal = th.palette
    n_rivers = n_lakes = 0
    for code in dict.fromkeys(c.strip().lower() for c in codes):
        feature = index.feature(code)
        shape = index.geometry(feature) if feature is not None else None
        if feature is None or shape is None:
            continue
        if feature.type == "lake":
            rings = [r for p in project_polygons(shape, frame, min_area=0.5) for r in p]
            if rings:
                n_lakes += 1
                body.append(
                    f'<path class="lake selected"{_code_attr(code)} d="{path_data(rings)}" '
                    f'fill="{pal["water"]}" fill-rule="evenodd" stroke="{pal["river"]}" '
                    f'stroke-width="{_fmt(0.6 * k)}"/>'
                )
            continue
        lines = project_lines(shape, frame)
        if lines:
            n_rivers += 1
            body.append(
                f'<path class="river selected"{_code_attr(code)} '
                f'd="{path_data(lines, closed=False)}" fill="none" stroke="{pal["river"]}" '
                f'stroke-width="{_fmt(1.3 * k)}" stroke-linejoin="round" stroke-linecap="round"/>'
            )
    return n_rivers, n_lakes


def _world_water(
    index: LocationIndex,
    frame: Frame,
    th: MapTheme,
    sw: dict[str, float],
    body: list[str],
    k: float,
) -> tuple[int, int]:
    """The big rivers and lakes of the 50m layers (scale rank 0-3 and 0-2)."""
    pal = th.palette
    lines = []
    n_rivers = 0
    for item in index.layer("world/rivers-50m"):
        if (item.scalerank if item.scalerank is not None else 9) <= 3:
            got = project_lines(item.shape, frame)
            lines += got
            n_rivers += bool(got)
    lake_rings = []
    n_lakes = 0
    for item in index.layer("world/lakes-50m"):
        if (item.scalerank if item.scalerank is not None else 9) <= 2:
            rings = [r for p in project_polygons(item.shape, frame, min_area=1.5) for r in p]
            lake_rings += rings
            n_lakes += bool(rings)
    if lines:
        body.append(
            f'<path class="river" d="{path_data(lines, closed=False)}" fill="none" '
            f'stroke="{pal["river"]}" stroke-width="{_fmt(0.6 * k)}" '
            'stroke-linejoin="round" stroke-linecap="round"/>'
        )
    if lake_rings:
        body.append(
            f'<path id="lakes" d="{path_data(lake_rings)}" fill="{pal["water"]}" '
            'fill-rule="evenodd"/>'
        )
    return n_rivers, n_lakes
