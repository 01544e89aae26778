"""Map renders: ogplatform against geopandas + matplotlib drawing the same layers, same size.

Cases (issue 7): the United States 1400x900 PNG (modern: states, labels, rivers, lakes, the
Alaska and Hawaii insets), Germany 2400x1600 PNG in the vintage theme, India as a PDF at 300
dpi (A4 landscape, 3508x2480 px) and the world in Equal Earth, 1400x760 PNG (ours:
``render_png``, ``render_pdf``, ``render_world_png``; a case whose function does not exist yet
is reported as not available, never stood in for). Each is timed warm (median of N renders in
this process, ours and the peer's alternating, who goes first swapping each round) and cold (a
fresh Python process per side: imports, data load, first render, file written; the wall time
of the whole process, measured here with the same clock for both). Our sources are byte-compiled
before the cold runs, as the peer's libraries were when pip installed them.

What the peer is, and why the comparison is fair:

- What a Python user would otherwise write: geopandas reads the same Natural Earth layers our
  bundle is built from (``../shared/geodata``: the GeoPackage's ``countries`` and
  ``states_provinces``, the 10m rivers and lakes with their regional supplements, the 10m
  populated places) with bbox/where filters, keeps the rivers and lakes that meet the country
  (``sindex.query``) up to the same Natural Earth scale rank ours draws at that scale,
  reprojects with ``to_crs`` to the same projection (a PROJ string built from our layout:
  Albers, transverse Mercator or Lambert azimuthal on the same sphere) and shows the same
  window; matplotlib plots sea, graticule, coastal water lines, neighbours, states, lakes,
  rivers (width by rank), state borders, the country outline, state, city and neighbour labels
  (``ax.text`` with a halo path effect, like ours) and the insets, in the theme's colours and
  stroke widths, figure size = pixels / dpi, ``savefig`` at the dpi.
- The peer gets every benefit of the doubt: the gzipped files are decompressed into a
  temporary folder before anything is timed (pyogrio could read them through ``/vsigzip/``,
  but a user would keep them plain); the warm peer has its layers read, filtered, clipped,
  reprojected, its label points and borders computed, and its paper grain drawn *before* the
  clock starts — only figure, plot and ``savefig`` are timed. Ours clips, generalises and
  places labels (with collision tests) on every render; it keeps projected shapes per shape
  and frame, so "warm" means the same map again. The peer places labels without collision
  tests and draws no paper-grain filter of its own (it blits a noise image made beforehand).
- The peer draws on matplotlib's ``Figure`` (as its docs recommend for servers), not pyplot:
  on a pyplot figure every geopandas ``.plot()`` ends in ``canvas.draw_idle()``, which on Agg
  redraws the whole figure — about 20 full draws for the US map, six times the time.
- Both write the pictures to the output folder (``<case>-ours.png`` / ``<case>-peer.png``):
  look at them, the ratio only means something while they show the same map.

Both sides share the warm process, and with it the garbage collector: each timed render starts
after a ``gc.collect()`` (untimed), so a full collection set off by one side's objects (the
peer keeps its whole prepared GeoDataFrames alive) does not land in the other side's time.

Targets: ours <= 0.33x the peer's time (warm and cold), and the US 1400x900 PNG cold under 1 s.

``python -m benchmarks maps`` (``--quick``: tiny sizes, one warm and one cold run per side, no
targets judged — the smoke test's mode); ``python -m benchmarks.maps --profile us [--cold]``:
where ours spends one render (cProfile). Knobs: OGP_BENCH_RUNS (warm renders per side, 5),
OGP_BENCH_COLD (cold processes per side, 1), OGP_BENCH_MAPS (cases, e.g. ``us,de``),
OGP_BENCH_OUT (output folder, default ``$TMPDIR/ogp-bench-maps``). Without geopandas and
matplotlib (``pip install -e '.[bench]'``) the peer side is skipped with a note.

This module imports only the standard library at the top: a cold child process imports it
first and must not pay for anything before its clock starts (the heavier standard modules the
parent needs, subprocess, inspect, statistics, are imported where they are used).
"""

from __future__ import annotations

import gc
import io
import json
import math
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from benchmarks._harness import Comparison

__all__ = ["CASES", "Case", "measure", "run"]

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("OGP_GEODATA_SOURCE", ROOT.parent / "shared" / "geodata"))
RADIUS = 6371008.8  # metres: our projections work on the unit sphere, the peer's on this one
TARGET_RATIO = 0.33
TARGET_COLD_S = 1.0  # the US 1400x900 PNG, cold
RIVER_FILES = (
    "ne_10m_rivers_lake_centerlines",
    "ne_10m_rivers_europe",
    "ne_10m_rivers_north_america",
)
LAKE_FILES = ("ne_10m_lakes", "ne_10m_lakes_europe", "ne_10m_lakes_north_america")
PEER_FILES = (
    "qgis_world_map.gpkg",
    *RIVER_FILES,
    *LAKE_FILES,
    "ne_10m_populated_places",
    "ne_50m_admin_0_countries",
    "ne_50m_lakes",
    "ne_50m_rivers_lake_centerlines",
)


@dataclass(frozen=True)
class Case:
    key: str
    code: str  # location code; "world" for the world map
    name: str
    width: int
    height: int
    theme: str = "modern"
    dpi: int = 72
    fmt: str = "png"

    @property
    def label(self) -> str:
        extra = f" {self.theme}" if self.theme != "modern" else ""
        dpi = f" {self.dpi} dpi" if self.dpi != 72 else ""
        return f"{self.name} {self.width}x{self.height}{extra} {self.fmt.upper()}{dpi}"


CASES = (
    Case("us", "us", "US", 1400, 900),
    Case("de", "de", "Germany", 2400, 1600, theme="vintage"),
    Case("in", "in", "India", 3508, 2480, dpi=300, fmt="pdf"),  # A4 landscape at 300 dpi
    Case("world", "world", "World", 1400, 760),
)
QUICK_SIZE = (280, 180)


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


@dataclass
class Side:
    warm_ms: list[float] = field(default_factory=list)
    cold_ms: list[float] = field(default_factory=list)
    cold_phases: list[dict[str, float]] = field(default_factory=list)
    size: int = 0
    note: str = ""  # why this side did not run

    @property
    def warm(self) -> float | None:
        import statistics

        return statistics.median(self.warm_ms) if self.warm_ms else None

    @property
    def cold(self) -> float | None:
        import statistics

        return statistics.median(self.cold_ms) if self.cold_ms else None


async def run(quick: bool = False) -> list[Comparison]:
    """Time ours against the peer for every case; print the table; return the comparisons.

    Renders are CPU-bound and synchronous: nothing else runs on this loop meanwhile.
    """
    return measure(quick=quick)


def measure(
    cases: tuple[str, ...] | None = None,
    *,
    quick: bool = False,
    runs: int | None = None,
    cold: int | None = None,
    peer: bool = True,
    out_dir: str | os.PathLike[str] | None = None,
) -> list[Comparison]:
    """:func:`run`, synchronously, with every knob; ``quick``: tiny sizes, one run each."""
    wanted = (
        cases
        or tuple(c for c in os.environ.get("OGP_BENCH_MAPS", "").split(",") if c.strip())
        or tuple(c.key for c in CASES)
    )
    chosen = [c for c in CASES if c.key in wanted]
    if quick:
        chosen = [replace(c, width=QUICK_SIZE[0], height=QUICK_SIZE[1]) for c in chosen]
    runs = runs if runs is not None else 1 if quick else _env_int("OGP_BENCH_RUNS", 5)
    cold = cold if cold is not None else 1 if quick else _env_int("OGP_BENCH_COLD", 1)
    out = Path(out_dir or os.environ.get("OGP_BENCH_OUT") or _default_out())
    out.mkdir(parents=True, exist_ok=True)

    reason = peer_missing() if peer else "not asked for"
    if reason:
        print(f"  peer (geopandas + matplotlib) skipped: {reason}")
    data_dir = out / "peer-data"
    if not reason:
        prepare_peer_files(data_dir)

    ours = Ours()
    results: list[Comparison] = []
    rows: list[tuple[Case, Side, Side]] = []
    for case in chosen:
        mine, theirs = Side(), Side()
        rows.append((case, mine, theirs))
        mine.note = ours.missing(case)
        if mine.note:
            print(f"  {case.label}: {mine.note}")
        spec = ours.peer_spec(case, data_dir) if not reason else None
        theirs.note = reason
        sides: list[tuple[Side, Callable[[], bytes], str]] = []
        if not mine.note:
            sides.append((mine, lambda c=case: ours.render(c), f"{case.key}-ours.{case.fmt}"))
        if spec is not None:
            data = peer_load(spec)
            sides.append(
                (theirs, lambda d=data, s=spec: peer_draw(d, s), f"{case.key}-peer.{case.fmt}")
            )
        if not quick:  # warm-up: ours decodes its chunks and loads fonts, matplotlib its fonts
            for _, render, _ in sides:
                render()
        for round_no in range(runs):
            for side, render, name in sides if round_no % 2 == 0 else reversed(sides):
                # both sides share this process and its garbage: a full collection set off by
                # the other side's objects would land in this side's time
                gc.collect()
                started = time.perf_counter()
                body = render()
                side.warm_ms.append((time.perf_counter() - started) * 1000)
                side.size = len(body)
                if round_no == 0:  # the pictures to look at
                    (out / name).write_bytes(body)
        children: list[tuple[Side, list[str]]] = []
        if not mine.note:
            children.append((mine, _child_command("ours", ours.child_spec(case, out))))
        if spec is not None:
            children.append((theirs, _child_command("peer", {**spec, "out": str(out)})))
        if children:
            _byte_compile()
        for round_no in range(cold):
            for side, command in children if round_no % 2 == 0 else reversed(children):
                wall, phases = _run_child(command)
                side.cold_ms.append(wall)
                side.cold_phases.append(phases)
        for kind, a, b in (("warm", mine.warm, theirs.warm), ("cold", mine.cold, theirs.cold)):
            if a is not None and b is not None:
                results.append(
                    Comparison(
                        f"ogplatform {case.label} {kind}",
                        f"geopandas+matplotlib {case.label} {kind}",
                        a * 1000,
                        b * 1000,
                    )
                )
    _print_table(rows, runs, cold, quick)
    print(f"  outputs: {out}/<case>-ours.* and <case>-peer.* (look at them side by side)")
    return results


def _default_out() -> Path:
    import tempfile

    return Path(tempfile.gettempdir()) / "ogp-bench-maps"


def _print_table(rows: list[tuple[Case, Side, Side]], runs: int, cold: int, quick: bool) -> None:
    print(
        f"  warm: median of {runs} renders per side, interleaved; cold: median of {cold} fresh "
        f"process(es) per side (import + data load + first render + file written)"
    )
    head = f"  {'case':36} {'':4} {'ours ms':>9} {'peer ms':>9} {'ratio':>6}  target <= {TARGET_RATIO}x"
    print(head)
    print("  " + "-" * (len(head) - 2))
    for case, mine, theirs in rows:
        for kind in ("warm", "cold"):
            a, b = getattr(mine, kind), getattr(theirs, kind)
            ours_s = f"{a:9.0f}" if a is not None else f"{'n/a':>9}"
            peer_s = f"{b:9.0f}" if b is not None else f"{'n/a':>9}"
            if a is not None and b is not None:
                ratio = a / b
                met = "-" if quick else "met" if ratio <= TARGET_RATIO else "NOT met"
                tail = f"{ratio:6.2f}  {met}"
            else:
                tail = f"{'-':>6}  {'-'}"
            print(f"  {case.label:36} {kind:4} {ours_s} {peer_s} {tail}")
    for case, mine, theirs in rows:
        for name, side in (("ours", mine), ("peer", theirs)):
            if side.cold_phases:
                ph = side.cold_phases[len(side.cold_phases) // 2]
                parts = ", ".join(f"{k} {v:.0f}" for k, v in ph.items())
                print(f"  {case.label}, {name} cold process (ms, its own clock): {parts}")
        if mine.note or theirs.note:
            notes = "; ".join(
                f"{n}: {s.note}" for n, s in (("ours", mine), ("peer", theirs)) if s.note
            )
            print(f"  {case.label}: {notes}")
        if mine.size and theirs.size:
            print(
                f"  {case.label}: ours {mine.size / 1024:.0f} KiB, peer {theirs.size / 1024:.0f}"
                " KiB"
            )
    for case, mine, _ in rows:
        if case.key == "us" and not quick and mine.cold is not None:
            met = "met" if mine.cold <= TARGET_COLD_S * 1000 else "NOT met"
            print(
                f"  {case.label} cold: {mine.cold / 1000:.2f} s (target < {TARGET_COLD_S:g} s:"
                f" {met})"
            )


# -- ours -------------------------------------------------------------------------------------


def _call(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``function`` with the keyword arguments it takes (signatures still moving)."""
    import inspect

    params = inspect.signature(function).parameters
    if not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        kwargs = {k: v for k, v in kwargs.items() if k in params}
    return function(*args, **kwargs)


def _pdf_renderer() -> Callable[..., Any] | None:
    from ogplatform.maps import render

    found = getattr(render, "render_pdf", None)
    if found is None:
        try:
            from ogplatform.maps.render import pdf  # type: ignore[attr-defined]
        except ImportError:
            return None
        found = getattr(pdf, "render_pdf", None)
    return found


def _world_renderer() -> Callable[..., Any] | None:
    from ogplatform.maps import render

    for name in ("render_world_png", "render_world_svg"):
        if hasattr(render, name):
            return getattr(render, name)  # type: ignore[no-any-return]
    return None


def ours_render(index: Any, case: Case) -> bytes:
    """One render of ``case`` with ogplatform's public functions: PNG/PDF bytes (or SVG)."""
    from ogplatform.maps.render import render_png, svg_to_png

    options = {
        "width": case.width,
        "height": case.height,
        "theme": case.theme,
        "dpi": case.dpi,
        "show_features": True,
    }
    if case.code == "world":
        world = _world_renderer()
        if world is None:
            raise LookupError("world map: not available yet")
        result = _call(world, index, **options)
        if isinstance(result, tuple):
            result = result[0]
        if isinstance(result, bytes | bytearray):
            return bytes(result)
        svg = getattr(result, "svg", result)
        return svg_to_png(svg, getattr(result, "font_files", ()))
    location = index.get(case.code)
    if case.fmt == "pdf":
        render_pdf = _pdf_renderer()
        if render_pdf is None:
            raise LookupError("PDF: not available yet")
        result = _call(render_pdf, index, location, **options)
        result = result[0] if isinstance(result, tuple) else result
        return bytes(getattr(result, "pdf", result))
    png, _ = render_png(index, location, **options)
    return png


class Ours:
    """ogplatform's side in this process: the index loaded once, as a worker keeps it."""

    def __init__(self) -> None:
        from ogplatform.maps.geodata import LocationIndex

        self.index = LocationIndex.load()

    def missing(self, case: Case) -> str:
        if case.fmt == "pdf" and _pdf_renderer() is None:
            return "PDF: not available yet (no render_pdf in ogplatform.maps.render)"
        if case.code == "world" and _world_renderer() is None:
            return "world map: not available yet (no render_world_png/render_world_svg)"
        if case.code != "world" and self.index.get(case.code) is None:
            return f"no location {case.code!r} in the bundle"
        return ""

    def render(self, case: Case) -> bytes:
        return ours_render(self.index, case)

    def child_spec(self, case: Case, out: Path) -> dict[str, Any]:
        return {"case": case.__dict__, "out": str(out)}

    def peer_spec(self, case: Case, data_dir: Path) -> dict[str, Any]:
        """What the peer needs to draw the same map: projection, window, ranks, theme."""
        if case.code == "world":
            return world_spec(self.index, case, data_dir)
        return location_spec(self.index, case, data_dir)


# -- the peer's recipe, from our layout --------------------------------------------------------


def proj_string(params: dict[str, Any]) -> str:
    """A PROJ string for one of our projections (same formulas, on a sphere of RADIUS m)."""
    name = params["name"]
    common = f"+lat_0={params['lat0']} +lon_0={params['lon0']} +R={RADIUS} +units=m +no_defs"
    if name == "albers":
        return f"+proj=aea +lat_1={params['lat1']} +lat_2={params['lat2']} {common}"
    if name == "transverse_mercator":
        return f"+proj=tmerc +k=1 {common}"
    if name == "lambert_azimuthal":
        return f"+proj=laea {common}"
    raise ValueError(f"no PROJ string for {name!r}")


def _extent(fit: Any, box: tuple[float, float, float, float]) -> list[float]:
    """Projected metres (x0, x1, y0, y1) shown by the pixel ``box`` under ``fit``."""
    x0, y1 = fit.from_px(box[0], box[1])
    x1, y0 = fit.from_px(box[2], box[3])
    return [float(v) * RADIUS for v in (x0, x1, y0, y1)]


def _lonlat_box(window: Any, lon0: float) -> list[float]:
    lo, hi = lon0 + window.min_rel, lon0 + window.max_rel
    if lo < -180.0 or hi > 180.0 or hi - lo >= 359.0:
        lo, hi = -180.0, 180.0
    return [lo, window.min_lat, hi, window.max_lat]


def _rank_limit(scale: float) -> int:
    """The largest Natural Earth scale rank ours draws at this map scale (draw._water)."""
    ppd = scale * math.pi / 180.0
    return 6 if ppd < 8 else 7 if ppd < 15 else 8 if ppd < 30 else 10 if ppd < 70 else 12


def _theme(name: str) -> dict[str, Any]:
    """The theme's colours, strokes and effects for the peer (either theme layout: effects on
    the theme itself, or in ``effects``/``labels`` as the MapTheme contract has them)."""
    from ogplatform.maps.render import get_theme

    th = get_theme(name)
    fx = getattr(th, "effects", th)
    style = getattr(th, "labels", None)
    engraved = getattr(fx, "coast_style", "engraved" if th.id == "vintage" else "glow")
    return {
        "palette": dict(th.palette),
        "strokes": dict(th.strokes),
        "coastal_glow": fx.coastal_glow,
        "vintage_lines": engraved == "engraved",
        "graticule": fx.graticule,
        "paper_grain": fx.paper_grain,
        "double_neatline": fx.double_neatline,
        "subdivision_dash": [float(v) for v in fx.subdivision_dash.split()],
        "halo_width": getattr(style, "halo_width", 2.2),
        "subdivision_size": getattr(style, "subdivision_size", 10.0),
    }


def _files(data_dir: Path) -> dict[str, str]:
    return {
        stem: str(data_dir / (stem if "." in stem else f"{stem}.geojson")) for stem in PEER_FILES
    }


def location_spec(index: Any, case: Case, data_dir: Path) -> dict[str, Any]:
    import numpy as np

    from ogplatform.maps.render import render_svg
    from ogplatform.maps.render.projection import Albers

    location = index.get(case.code)
    layout = render_svg(
        index,
        location,
        width=case.width,
        height=case.height,
        theme=case.theme,
        dpi=case.dpi,
        show_features=True,
    ).layout
    w, h = case.width, case.height
    frames = [
        {
            "name": "main",
            "axes": [0.0, 0.0, 1.0, 1.0],
            "proj": proj_string(layout.projection),
            "extent": _extent(layout.fit, (0.0, 0.0, w, h)),
            "lonlat_box": _lonlat_box(layout.window, float(layout.projection["lon0"])),
            "states": None,  # all but the insets'
            "graticule": True,
        }
    ]
    inset_states = []
    for ins in layout.insets:
        x0, y0, x1, y1 = ins.box
        names = [n for c in ins.codes if (loc := index.get(c)) is not None for n in [loc.name]]
        inset_states += names
        # The inset's window as ours computes it: the box's corners, back to lon/lat.
        p = ins.projection
        proj = Albers(float(p["lon0"]), float(p["lat0"]), float(p["lat1"]), float(p["lat2"]))
        xs, ys = ins.fit.from_px(np.array([x0, x1, x0, x1]), np.array([y0, y0, y1, y1]))
        rel, lat = proj.inverse(xs, ys)
        lon0 = float(p["lon0"])
        lo, hi = lon0 + float(rel.min()) - 3.0, lon0 + float(rel.max()) + 3.0
        box = [lo, float(lat.min()) - 2.0, hi, float(lat.max()) + 2.0]
        if lo < -180.0 or hi > 180.0:
            box[0], box[2] = -180.0, 180.0
        frames.append(
            {
                "name": ins.name,
                "axes": [x0 / w, 1.0 - y1 / h, (x1 - x0) / w, (y1 - y0) / h],
                "proj": proj_string(ins.projection),
                "extent": _extent(ins.fit, ins.box),
                "lonlat_box": box,
                "states": names,
                "graticule": False,
            }
        )
    scale = min(max(math.sqrt(w * h) / 1100.0, 0.85), 1.25)
    return {
        "case": case.key,
        "world": False,
        "width": w,
        "height": h,
        "dpi": case.dpi,
        "fmt": case.fmt,
        "iso_a2": (location.iso_code or case.code).upper(),
        "frames": frames,
        "inset_states": inset_states,
        "rank_limit": _rank_limit(layout.fit.scale),
        # as many cities as ours placed (ours drops those that collide; the peer does not test)
        "cities": sum(1 for b in layout.labels if b.kind in ("city", "capital")),
        "label_scale": scale,
        "theme": _theme(case.theme),
        "files": _files(data_dir),
    }


def world_spec(index: Any, case: Case, data_dir: Path) -> dict[str, Any]:
    """The world in Equal Earth: ours' fit, rank cut-offs (rivers 0-3, lakes 0-2) and number of
    country labels when ours has a world map; its 4 % margins otherwise."""
    w, h = case.width, case.height
    labels = None
    if _world_renderer() is not None:
        from ogplatform.maps.render import render_world_svg  # type: ignore[attr-defined]

        layout = _call(render_world_svg, index, width=w, height=h, theme=case.theme,
                       dpi=case.dpi, show_features=True).layout  # fmt: skip
        extent = _extent(layout.fit, (0.0, 0.0, w, h))
        labels = sum(1 for b in layout.labels if b.kind == "country")
    else:
        half_w, half_h = 2.70663 * RADIUS, 1.31737 * RADIUS  # Equal Earth on the unit sphere
        margin = max(12.0, 0.04 * min(w, h))
        scale = min((w - 2 * margin) / (2 * half_w), (h - 2 * margin) / (2 * half_h))
        extent = [-w / 2 / scale, w / 2 / scale, -h / 2 / scale, h / 2 / scale]
    return {
        "case": case.key,
        "world": True,
        "width": w,
        "height": h,
        "dpi": case.dpi,
        "fmt": case.fmt,
        "iso_a2": "",
        "frames": [
            {
                "name": "main",
                "axes": [0.0, 0.0, 1.0, 1.0],
                "proj": f"+proj=eqearth +lon_0=0 +R={RADIUS} +units=m +no_defs",
                "extent": extent,
                "lonlat_box": [-180.0, -90.0, 180.0, 90.0],
                "states": None,
                "graticule": True,
            }
        ],
        "inset_states": [],
        "rank_limit": 3,  # rivers; lakes one less
        "cities": 0,
        "country_labels": labels,
        "label_scale": min(max(math.sqrt(w * h) / 1100.0, 0.85), 1.25),
        "theme": _theme(case.theme),
        "files": _files(data_dir),
    }


# -- the peer: geopandas + matplotlib ----------------------------------------------------------


def peer_missing() -> str:
    """Why the peer cannot run here ("" when it can)."""
    for module in ("geopandas", "matplotlib", "pyogrio", "pyproj"):
        try:
            __import__(module)
        except ImportError as error:
            return f"{module} is not importable ({error}); pip install -e '.[bench]'"
    if not (SHARED / "qgis_world_map.gpkg.gz").exists():
        return f"the Natural Earth files are not in {SHARED}"
    return ""


def prepare_peer_files(data_dir: Path) -> None:
    """The gzipped source files, decompressed once (not timed: a user keeps them plain)."""
    import gzip
    import shutil

    data_dir.mkdir(parents=True, exist_ok=True)
    for stem in PEER_FILES:
        name = stem if "." in stem else f"{stem}.geojson"
        target = data_dir / name
        if target.exists():
            continue
        with gzip.open(SHARED / f"{name}.gz") as src, open(f"{target}.part", "wb") as dst:
            shutil.copyfileobj(src, dst)
        os.replace(f"{target}.part", target)


def peer_load(spec: dict[str, Any]) -> dict[str, Any]:
    """Read, filter, clip and reproject every layer the figure needs (the warm peer's untimed
    part; the cold peer times it)."""
    import warnings

    import geopandas as gpd
    import numpy as np
    import pandas as pd
    from shapely.geometry import LineString, Polygon

    # One regional Natural Earth file repeats a feature id; GDAL renumbers it and says so.
    warnings.filterwarnings("ignore", "Several features with id", RuntimeWarning)

    files = spec["files"]
    th = spec["theme"]
    frames = spec["frames"]
    box = [
        min(f["lonlat_box"][0] for f in frames),
        min(f["lonlat_box"][1] for f in frames),
        max(f["lonlat_box"][2] for f in frames),
        max(f["lonlat_box"][3] for f in frames),
    ]
    world = spec["world"]
    if world:
        countries = gpd.read_file(files["ne_50m_admin_0_countries"], columns=["NAME", "LABELRANK"])
        countries = countries[~countries.geometry.is_empty]
        rivers = gpd.read_file(
            files["ne_50m_rivers_lake_centerlines"], columns=["name", "scalerank"]
        )
        lakes = gpd.read_file(files["ne_50m_lakes"], columns=["name", "scalerank"])
        rivers = rivers[rivers.scalerank <= spec["rank_limit"]]
        lakes = lakes[lakes.scalerank <= spec["rank_limit"] - 1]
        states = countries.iloc[0:0]
        subject = None
        places = None
    else:
        gpkg = files["qgis_world_map.gpkg"]
        iso = spec["iso_a2"]
        countries = gpd.read_file(
            gpkg, layer="countries", bbox=tuple(box), columns=["iso_a2", "NAME"]
        )
        states = gpd.read_file(
            gpkg, layer="states_provinces", where=f"iso_a2 = '{iso}'", columns=["name"]
        )
        subject = countries[countries.iso_a2 == iso].geometry.union_all()
        water = []
        for group in (RIVER_FILES, LAKE_FILES):
            frames_ = [
                gpd.read_file(files[s], bbox=tuple(box), columns=["name", "scalerank"])
                for s in group
            ]
            layer = gpd.GeoDataFrame(pd.concat(frames_, ignore_index=True), crs=frames_[0].crs)
            layer = layer[layer.scalerank <= spec["rank_limit"]]
            hits = layer.sindex.query(subject, predicate="intersects")
            water.append(layer.iloc[np.unique(hits)])
        rivers, lakes = water
        places = gpd.read_file(
            files["ne_10m_populated_places"],
            bbox=tuple(box),
            columns=["NAME", "ISO_A2", "POP_MAX", "ADM0CAP"],
        )
        places = places[places["ISO_A2"] == iso]
    strokes = th["strokes"]
    rmax, rmin = strokes["river_max"], strokes["river_min"]
    rivers = rivers.assign(
        lw=[
            0.6 if world else round(rmax + (rmin - rmax) * min(max((r - 2) / 8.0, 0.0), 1.0), 2)
            for r in rivers.scalerank
        ]
    )

    out: dict[str, Any] = {"frames": []}
    for frame in frames:
        lo, la, hi, ha = frame["lonlat_box"]
        crs = frame["proj"]

        def cut(df: Any, box: tuple[float, ...] = (lo, la, hi, ha), crs: str = crs) -> Any:
            clipped = df.clip_by_rect(*box)
            keep = ~clipped.is_empty
            return df[keep].set_geometry(clipped[keep]).to_crs(crs)

        mine = {"axes": frame["axes"], "extent": frame["extent"], "name": frame["name"]}
        if world:
            mine["ctx"] = cut(countries)
            mine["subject"] = mine["ctx"].iloc[0:0]
            mine["outline"] = mine["ctx"].boundary.iloc[0:0]
        else:
            others = countries[countries.iso_a2 != spec["iso_a2"]]
            mine["ctx"] = cut(others)
            names = frame["states"] or []
            mine_states = (
                states[states.name.isin(names)]
                if names
                else states[~states.name.isin(spec["inset_states"])]
            )
            mine["subject"] = cut(mine_states)
            mine["outline"] = (
                gpd.GeoSeries([mine_states.geometry.union_all()], crs=states.crs)
                .clip_by_rect(lo, la, hi, ha)
                .to_crs(crs)
                .boundary
            )
        mine["state_lines"] = mine["subject"].boundary
        mine["land_lines"] = pd.concat([mine["ctx"].boundary, mine["outline"]])
        if world:  # the globe's outline: sea inside, paper outside
            edge = np.linspace(-90.0, 90.0, 91)
            ring = [(-180.0, y) for y in edge] + [(180.0, y) for y in edge[::-1]]
            mine["globe"] = gpd.GeoSeries([Polygon(ring)], crs="EPSG:4326").to_crs(crs)
        mine["lakes"] = cut(lakes)
        mine["rivers"] = cut(rivers)
        if frame["graticule"] and th["graticule"]:
            step = th["graticule"] if not world else 30.0
            lines = [
                LineString([(x, y) for y in np.linspace(max(la, -80), min(ha, 80), 60)])
                for x in np.arange(math.ceil(lo / step) * step, hi + 1e-9, step)
            ]
            lines += [
                LineString([(x, y) for x in np.linspace(lo, hi, 180)])
                for y in np.arange(math.ceil(la / step) * step, ha + 1e-9, step)
                if abs(y) < 89
            ]
            mine["graticule"] = gpd.GeoSeries(lines, crs="EPSG:4326").to_crs(crs)
        else:
            mine["graticule"] = None
        # Labels: (x, y, text, kind) in projected metres; the peer places them where they fall.
        labels: list[tuple[float, float, str, str]] = []
        ex0, ex1, ey0, ey1 = frame["extent"]

        def inside(x: float, y: float) -> bool:
            return ex0 <= x <= ex1 and ey0 <= y <= ey1  # noqa: B023

        if world:
            named = cut(countries[countries.LABELRANK <= 3])
            if spec["country_labels"] is not None:  # as many as ours placed, the largest
                named = named.loc[named.area.sort_values(ascending=False).index]
                named = named.head(spec["country_labels"])
            points = named.representative_point()
            labels += [
                (p.x, p.y, n.upper(), "country")
                for p, n in zip(points, named.NAME, strict=True)
                if isinstance(n, str) and inside(p.x, p.y)
            ]
        else:
            points = mine["subject"].representative_point()
            labels += [
                (p.x, p.y, n.upper(), "subdivision")
                for p, n in zip(points, mine["subject"].name, strict=True)
                if isinstance(n, str) and inside(p.x, p.y)
            ]
            if frame["name"] == "main":
                points = mine["ctx"].representative_point()
                labels += [
                    (p.x, p.y, n.upper(), "country")
                    for p, n in zip(points, mine["ctx"].NAME, strict=True)
                    if isinstance(n, str) and inside(p.x, p.y)
                ]
                assert places is not None
                towns = places.to_crs(crs)
                towns = towns[[inside(p.x, p.y) for p in towns.geometry]]
                towns = towns.sort_values(["ADM0CAP", "POP_MAX"], ascending=False)
                towns = towns.head(spec["cities"])
                mine["cities"] = (
                    towns.geometry.x.to_numpy(),
                    towns.geometry.y.to_numpy(),
                    list(towns.NAME),
                    list(towns.ADM0CAP == 1),
                )
        mine["labels"] = labels
        mine.setdefault("cities", None)
        out["frames"].append(mine)
    if th["paper_grain"]:
        out["grain"] = _grain(spec["width"], spec["height"])
    return out


def _grain(width: int, height: int) -> Any:
    """Paper grain and vignette as one RGBA image (the peer's stand-in for ours' SVG filter)."""
    import numpy as np

    rng = np.random.default_rng(7)
    noise = rng.random((height, width), dtype=np.float32)
    ys, xs = np.ogrid[-1 : 1 : complex(0, height), -1 : 1 : complex(0, width)]
    vignette = np.clip((np.sqrt(xs**2 + ys**2) / 1.06 - 0.6) / 0.4, 0.0, 1.0) * 0.22
    alpha = np.clip(noise * 0.35 * 0.9 - 0.3 * 0.35 + vignette, 0.0, 1.0)
    rgba = np.empty((height, width, 4), np.uint8)
    rgba[..., 0], rgba[..., 1], rgba[..., 2] = 0x6A, 0x52, 0x30
    rgba[..., 3] = (alpha * 255).astype(np.uint8)
    return rgba


def _paper(sea: str, halo: str) -> str:
    """Outside the globe: the sea colour pulled towards the paper colour (as ours does)."""
    a = [int(sea[i : i + 2], 16) for i in (1, 3, 5)]
    b = [int(halo[i : i + 2], 16) for i in (1, 3, 5)]
    t = 0.65 if sum(b) > sum(a) else 0.35
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(a, b, strict=True))


def peer_draw(data: dict[str, Any], spec: dict[str, Any]) -> bytes:
    """The figure: what the warm peer times (plot + savefig)."""
    from matplotlib import patheffects
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    th = spec["theme"]
    pal, sw = th["palette"], th["strokes"]
    w, h, dpi = spec["width"], spec["height"], spec["dpi"]
    s = spec["label_scale"]
    halo = [patheffects.withStroke(linewidth=th["halo_width"], foreground=pal["halo"])]
    dash = (0, th["subdivision_dash"]) if th["subdivision_dash"] else "solid"
    # matplotlib's object API, as its docs recommend for servers. Not pyplot: on a pyplot
    # figure every geopandas .plot() ends in canvas.draw_idle(), which on Agg draws the whole
    # figure again (about 20 full draws here instead of one).
    fig = Figure(figsize=(w / dpi, h / dpi), dpi=dpi, facecolor=pal["sea"])
    for frame in data["frames"]:
        main = frame["name"] == "main"
        ax = fig.add_axes(frame["axes"], facecolor=pal["sea"])
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_visible(not main)
            spine.set_edgecolor(pal["frame"])
            spine.set_linewidth(sw["frame"] * 0.8)
        x0, x1, y0, y1 = frame["extent"]
        z = iter(range(1, 1000))  # matplotlib draws polygons below lines unless told the order
        if "globe" in frame:
            paper = _paper(pal["sea"], pal["halo"])
            fig.set_facecolor(paper)
            ax.set_facecolor(paper)
            frame["globe"].plot(ax=ax, color=pal["sea"], edgecolor=pal["coast"],
                                linewidth=sw["frame"], zorder=next(z))  # fmt: skip
        if frame["graticule"] is not None:
            frame["graticule"].plot(
                ax=ax, color=pal["graticule"], linewidth=sw["graticule"], zorder=next(z)
            )
        n = th["coastal_glow"]
        lines = frame["land_lines"]
        for i in range(n, 0, -1):
            if th["vintage_lines"]:  # engraved water lining: concentric thin lines
                gap = 2.6 * sw["glow"]
                lines.plot(
                    ax=ax,
                    color=pal["glow"],
                    linewidth=2 * gap * i + sw["glow"],
                    alpha=0.55 * (1.0 - (i - 1) / n) + 0.12,
                    zorder=next(z),
                )
                lines.plot(
                    ax=ax, color=pal["sea"], linewidth=2 * gap * i - sw["glow"], zorder=next(z)
                )
            else:  # soft glow: widening, fading bands
                lines.plot(
                    ax=ax,
                    color=pal["glow"],
                    alpha=0.5 / n,
                    linewidth=sw["glow"] * 5 * i,
                    zorder=next(z),
                )
        if len(frame["ctx"]):
            frame["ctx"].plot(
                ax=ax,
                color=pal["land"],
                edgecolor=pal["border"],
                linewidth=sw["border"],
                zorder=next(z),
            )
        if len(frame["subject"]):
            frame["subject"].plot(ax=ax, color=pal["subject"], edgecolor="none", zorder=next(z))
        if len(frame["lakes"]):
            frame["lakes"].plot(ax=ax, color=pal["water"], edgecolor="none", zorder=next(z))
        for lw, group in frame["rivers"].groupby("lw"):
            group.plot(ax=ax, color=pal["river"], linewidth=lw, zorder=next(z))
        if len(frame["state_lines"]):
            frame["state_lines"].plot(
                ax=ax,
                color=pal["subdivision"],
                linewidth=sw["subdivision"],
                linestyle=dash,
                zorder=next(z),
            )
        if len(frame["outline"]):
            frame["outline"].plot(ax=ax, color=pal["coast"], linewidth=sw["coast"], zorder=next(z))
        sizes = {"subdivision": th["subdivision_size"] * s, "country": 12.5 * s}
        for x, y, text, kind in frame["labels"]:
            ax.text(
                x,
                y,
                text,
                fontsize=sizes[kind],
                ha="center",
                va="center",
                color=pal["label"],
                alpha=0.78 if kind == "subdivision" else 0.62,
                path_effects=halo,
                clip_on=True,
                zorder=900,
            )
        if frame["cities"] is not None:
            xs, ys, names, capitals = frame["cities"]
            ax.scatter(xs, ys, s=(3.2 * s) ** 2, color=pal["label"], zorder=901)
            for x, y, name, capital in zip(xs, ys, names, capitals, strict=True):
                ax.annotate(
                    name,
                    (x, y),
                    xytext=(4, 0),
                    textcoords="offset points",
                    fontsize=(11.5 if capital else 10.0) * s,
                    va="center",
                    fontweight="bold" if capital else "normal",
                    color=pal["label"],
                    path_effects=halo,
                    annotation_clip=True,
                    zorder=902,
                )
        ax.set_xlabel("")
        ax.set_ylabel("")
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
    if "grain" in data:
        fig.figimage(data["grain"], 0, 0, zorder=10)
    k = dpi / 72.0
    fw = sw["frame"]
    if th["double_neatline"]:
        for inset, lw in ((6.0 * k, fw * 2), (10.0 * k, fw * 0.6)):
            fig.add_artist(
                Rectangle(
                    (inset / w, inset / h),
                    1 - 2 * inset / w,
                    1 - 2 * inset / h,
                    transform=fig.transFigure,
                    fill=False,
                    edgecolor=pal["frame"],
                    linewidth=lw,
                    zorder=11,
                )
            )
    else:
        fig.add_artist(
            Rectangle(
                (0, 0),
                1,
                1,
                transform=fig.transFigure,
                fill=False,
                edgecolor=pal["frame"],
                linewidth=fw * 2,
                zorder=11,
            )
        )
    buf = io.BytesIO()
    fig.savefig(buf, format=spec["fmt"], dpi=dpi, facecolor=fig.get_facecolor())
    return buf.getvalue()


# -- cold runs: a fresh process per side -------------------------------------------------------


def _child_command(side: str, spec: dict[str, Any]) -> list[str]:
    code = f"from benchmarks.maps import _child; _child({side!r})"
    return [sys.executable, "-c", code, json.dumps(spec)]


def _byte_compile() -> None:
    """Write the bytecode of our sources (and this harness) before the cold runs, as ``pip
    install`` did for the peer's libraries: with PYTHONDONTWRITEBYTECODE set (as on these
    machines) an editable install would otherwise compile ~40 modules in every cold process
    (~70 ms), a cost no installed service pays."""
    import compileall

    for folder in (ROOT / "src" / "ogplatform", ROOT / "benchmarks"):
        compileall.compile_dir(folder, quiet=1)


def _child_env() -> dict[str, str]:
    path = os.environ.get("PYTHONPATH", "")
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), path) if p)}


def _run_child(command: list[str]) -> tuple[float, dict[str, float]]:
    """Wall time (ms) of the whole process, from before its start to after its exit, and the
    phases it reports on its own clock."""
    import subprocess

    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=_child_env())
    wall = (time.perf_counter() - started) * 1000
    if done.returncode != 0:
        raise RuntimeError(f"cold run failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    return wall, json.loads(done.stdout.strip().splitlines()[-1])


def _child(side: str) -> None:
    """A cold run: import, load, first render, write the file; prints its phases (ms)."""
    started = time.perf_counter()
    spec = json.loads(sys.argv[1])
    laps: dict[str, float] = {}

    def lap(name: str, since: list[float] = [started]) -> None:  # noqa: B006
        now = time.perf_counter()
        laps[name] = (now - since[0]) * 1000
        since[0] = now

    out = Path(spec["out"])
    if side == "ours":
        from ogplatform.maps.geodata import LocationIndex
        from ogplatform.maps.render import render_png  # noqa: F401  (the import being timed)

        case = Case(**spec["case"])
        lap("import")
        index = LocationIndex.load()
        lap("index")
        body = ours_render(index, case)
        lap("first render")
        (out / f"{case.key}-ours-cold.{case.fmt}").write_bytes(body)
    else:
        import geopandas  # noqa: F401
        import matplotlib.figure  # noqa: F401

        lap("import")
        data = peer_load(spec)
        lap("read+prepare")
        body = peer_draw(data, spec)
        lap("first render")
        (out / f"{spec['case']}-peer-cold.{spec['fmt']}").write_bytes(body)
    lap("write")
    print(json.dumps(laps))


# -- where ours spends its time ----------------------------------------------------------------


def profile(key: str = "us", *, cold: bool = False, top: int = 20) -> str:
    """cProfile of one render of ours (warm: the second render in this process; cold: a fresh
    process, import + index + first render), as text: the top functions by cumulative and by
    own time, each with its share of the total."""
    import subprocess

    if cold:
        done = subprocess.run(
            [sys.executable, "-c", f"from benchmarks.maps import _profile_child; "
             f"_profile_child({key!r}, {top})"],
            capture_output=True, text=True, cwd=ROOT, env=_child_env(),
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"profile run failed:\n{done.stderr[-3000:]}")
        return done.stdout
    import cProfile

    from ogplatform.maps.geodata import LocationIndex

    case = next(c for c in CASES if c.key == key)
    index = LocationIndex.load()
    ours_render(index, case)
    profiler = cProfile.Profile()
    profiler.enable()
    ours_render(index, case)
    profiler.disable()
    return _profile_text(profiler, f"{case.label}, warm (second render)", top)


def _profile_child(key: str, top: int) -> None:
    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()
    from ogplatform.maps.geodata import LocationIndex

    case = next(c for c in CASES if c.key == key)
    ours_render(LocationIndex.load(), case)
    profiler.disable()
    print(_profile_text(profiler, f"{case.label}, cold (import + index + first render)", top))


def _profile_text(profiler: Any, title: str, top: int) -> str:
    import pstats

    stats = pstats.Stats(profiler)
    entries = stats.stats  # type: ignore[attr-defined]
    total = max(getattr(stats, "total_tt", 0.0), 1e-9)
    rows = []
    for (path, line, func), (_cc, _nc, tt, ct, _callers) in entries.items():
        where = path
        for marker in ("site-packages/", "src/", "lib/python3"):
            if marker in where:
                where = where.split(marker, 1)[1]
                break
        rows.append((tt, ct, f"{where}:{line}({func})"))
    out = [f"  profile, {title}: {total * 1000:.0f} ms in total (cProfile)"]
    for name, key in (("cumulative", 1), ("own time", 0)):
        out.append(f"  by {name}:  share   own ms   cum ms  function")
        for row in sorted(rows, key=lambda r: -r[key])[:top]:
            out.append(f"  {row[key] / total:>17.1%} {row[0] * 1000:8.0f} {row[1] * 1000:8.0f}  "
                       f"{row[2]}")  # fmt: skip
    return "\n".join(out)


if __name__ == "__main__":
    import asyncio

    args = sys.argv[1:]
    if "--profile" in args:  # python -m benchmarks.maps --profile [us|de|...] [--cold]
        names = [a for a in args if not a.startswith("--")]
        print(profile(names[0] if names else "us", cold="--cold" in args))
    else:
        for comparison in asyncio.run(run(quick="--quick" in args)):
            print(comparison.report())
