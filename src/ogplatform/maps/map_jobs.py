"""Map jobs: the request's rules, its token cost, how a job looks on the wire, and the handler
that renders it (registered with :mod:`ogplatform.jobs` when the app is wired).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import multiprocessing
import os
import re
import signal
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.connection import wait
from typing import Any, ParamSpec, TypeVar

import msgspec
from sqlmodel.ext.asyncio.session import AsyncSession

from ogplatform.db.models import Job, Map, Project
from ogplatform.errors import ApiError
from ogplatform.jobs import HandlerRegistry, JobOutcome, PermanentJobError
from ogplatform.maps.geodata import Location, LocationIndex
from ogplatform.maps.locations import (
    WORLD_CODE,
    WORLD_ID,
    location_features,
    location_index,
    world_features,
)
from ogplatform.plugins import MapTheme, PluginRegistry
from ogplatform.runtime import Runtime

__all__ = [
    "JOB_TYPE",
    "WORLD",
    "WORLD_CODE",
    "WORLD_ID",
    "MapJobRequest",
    "Place",
    "RenderPool",
    "WorldLocation",
    "estimate_tokens",
    "find_place",
    "job_view",
    "parse_job_request",
    "register_map_jobs",
    "render_job_files",
]

_P = ParamSpec("_P")
_T = TypeVar("_T")

JOB_TYPE = "map"
WIDTH = (400, 4096, 1400)  # low, high, default
HEIGHT = (300, 2160, 900)
DPI_CHOICES = (72, 150, 300)
FORMATS = ("png", "svg", "pdf")
POSITIONS = ("left", "right", "top", "bottom", "center")
BOOL_OPTIONS = {
    "show_subdivision_labels": True,
    "show_country_labels": True,
    "show_city_labels": True,
    "show_features": False,
    "show_river_labels": False,
    "show_lake_labels": False,
}
POSITION_OPTIONS = ("river_label_position", "lake_label_position")
LIST_OPTIONS = ("highlight_subdivisions", "selected_features")
MAX_LIST = 500
MAX_CODE = 100
MAX_LABEL = 60
HIGHLIGHT_KEYS = ("code", "id", "color", "label")
_HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
MAX_TITLE = 200
FIELDS = ("location_id", "width", "height", "theme", "output_format", "dpi", "configuration")
THUMBNAIL_WIDTH = 400
OG_SIZE = (1200, 630)
# Token cost: one token per started 1400x900 (1.26 MP) of area, times the dpi and format factors.
AREA_UNIT = 1400 * 900
DPI_FACTOR = {72: 1, 150: 2, 300: 4}
FORMAT_FACTOR = {"png": 1, "svg": 1, "pdf": 2}
_MAP_IDS = uuid.UUID("5b0c7a1e-6d8f-4f4e-9a53-0c2f3c9e7d11")  # namespace: map id from job id
# The world: no location of the bundle, a pseudo-location of its own (the renderer's
# ``WORLD_CODE``; not imported from there, which would load the renderer with the API). Its id
# is derived like every location id: uuid5(geodata NAMESPACE, "world"); the locations API
# serves it too.


@dataclass(frozen=True, slots=True)
class WorldLocation:
    """The world map's location: ``{id, code: "world", name: "World", type: "world"}``."""

    id: str = WORLD_ID
    code: str = WORLD_CODE
    name: str = "World"
    type: str = "world"


WORLD = WorldLocation()
Place = Location | WorldLocation  # what a map job may show


def find_place(index: LocationIndex, id_or_code: str) -> Place | None:
    """The bundle's location with this id or code, :data:`WORLD` for ``world`` or its id
    (any case), else ``None``."""
    key = id_or_code.strip().lower()
    with contextlib.suppress(ValueError):
        key = str(uuid.UUID(key))
    if key in (WORLD_CODE, WORLD_ID):
        return WORLD
    return index.get(id_or_code)


def theme_names(plugins: PluginRegistry | None = None) -> tuple[str, ...]:
    """The themes a job may name: the five built-ins, then other installed themes by id.

    ``plugins`` is the app's registry (disabled themes left out); None: everything installed.
    """
    from ogplatform.maps.render.themes import theme_names as installed

    return installed(plugins)


@dataclass(frozen=True, slots=True)
class MapJobRequest:
    """A checked ``POST .../jobs/maps`` body, with the location it names."""

    location: Place
    width: int
    height: int
    theme: str
    output_format: str
    dpi: int
    configuration: dict[str, Any]
    theme_plugin: MapTheme | None = None  # the theme `theme` names, from the app's registry

    def payload(self) -> dict[str, Any]:
        """What the job row keeps: everything the renderer and the responses need."""
        from ogplatform.maps.render.themes import get_theme

        theme = self.theme_plugin or get_theme(self.theme)
        loc = self.location
        return {
            "location": {"id": loc.id, "code": loc.code, "name": loc.name, "type": loc.type},
            "theme": {
                "name": theme.id,
                "version": theme.version,
                "display_name": theme.display_name,
            },
            "dimensions": {"width": self.width, "height": self.height, "dpi": self.dpi},
            "output_format": self.output_format,
            "configuration": self.configuration,
        }


def estimate_tokens(width: int, height: int, dpi: int, output_format: str) -> int:
    """``ceil(width*height / (1400*900)) * dpi factor (72:1, 150:2, 300:4) * format factor
    (png, svg: 1; pdf: 2)``. The seed's 1400x900 PNG at 72 dpi costs 1."""
    area = math.ceil(width * height / AREA_UNIT)
    return area * DPI_FACTOR[dpi] * FORMAT_FACTOR[output_format]


def parse_job_request(
    raw: bytes, index: LocationIndex, plugins: PluginRegistry | None = None
) -> MapJobRequest:
    """Check a request body; raise 400 ``Validation failed: ...`` naming every problem, or
    404 ``Location not found``. Themes come from ``plugins`` (default: all installed)."""
    from ogplatform.maps.render.themes import get_theme

    try:
        body = msgspec.json.decode(raw) if raw.strip() else None
    except msgspec.DecodeError:
        raise _invalid(["body must be valid JSON"]) from None
    if not isinstance(body, dict):
        raise _invalid(["body must be a JSON object"])
    problems = [f"unknown field {name}" for name in body if name not in FIELDS]
    location_id = body.get("location_id")
    if location_id is None:
        problems.append("location_id is required")
    elif not isinstance(location_id, str) or not location_id.strip() or len(location_id) > 100:
        problems.append("location_id must be a string (UUID)")
        location_id = None
    width = _integer(body, "width", WIDTH, problems)
    height = _integer(body, "height", HEIGHT, problems)
    theme = _choice(body, "theme", theme_names(plugins), "modern", problems)
    output_format = _choice(body, "output_format", FORMATS, "png", problems)
    dpi = body.get("dpi", 72)
    if type(dpi) is not int or dpi not in DPI_CHOICES:
        problems.append("dpi must be one of: 72, 150, 300")
    configuration = _configuration(body.get("configuration", {}), problems)
    if problems:
        raise _invalid(problems)
    location = find_place(index, str(location_id))
    if location is None:
        raise ApiError(404, "Location not found", code="LOCATION_NOT_FOUND")
    highlights = configuration["highlight_subdivisions"]
    if isinstance(location, WorldLocation):  # the world highlights countries
        unknown = unknown_countries(index, highlights)
        if unknown:
            raise _invalid([f"unknown country code(s): {', '.join(unknown)}"])
    elif unknown := unknown_subdivisions(index, location, highlights):
        raise _invalid([f"unknown subdivision code(s): {', '.join(unknown)}"])
    if unknown := unknown_features(index, location, configuration["selected_features"]):
        raise _invalid([f"unknown feature code(s): {', '.join(unknown)}"])
    return MapJobRequest(
        location=location,
        width=width,
        height=height,
        theme=theme,
        output_format=output_format,
        dpi=dpi,
        configuration=configuration,
        theme_plugin=get_theme(theme, plugins),
    )


def _integer(body: dict[str, Any], name: str, bounds: tuple[int, int, int], bad: list[str]) -> int:
    low, high, default = bounds
    value = body.get(name, default)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if type(value) is not int or not low <= value <= high:
        bad.append(f"{name} must be an integer between {low} and {high}")
        return default
    return value


def _choice(
    body: dict[str, Any], name: str, allowed: tuple[str, ...], default: str, bad: list[str]
) -> str:
    value = body.get(name, default)
    if value not in allowed:
        bad.append(f"{name} must be one of: {', '.join(allowed)}")
        return default
    return str(value)


def _configuration(value: Any, bad: list[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        bad.append("configuration must be an object")
        return {}
    known = (*BOOL_OPTIONS, *POSITION_OPTIONS, *LIST_OPTIONS)
    bad.extend(f"unknown configuration option {name}" for name in value if name not in known)
    out: dict[str, Any] = {}
    for name, default in BOOL_OPTIONS.items():
        option = value.get(name, default)
        if not isinstance(option, bool):
            bad.append(f"configuration.{name} must be a boolean")
        out[name] = option
    for name in POSITION_OPTIONS:
        option = value.get(name, "center")
        if option not in POSITIONS:
            bad.append(f"configuration.{name} must be one of: {', '.join(POSITIONS)}")
        out[name] = option
    features = value.get("selected_features", [])
    if (
        not isinstance(features, list)
        or len(features) > MAX_LIST
        or not all(isinstance(item, str) and 0 < len(item) <= MAX_CODE for item in features)
    ):
        bad.append(
            f"configuration.selected_features must be an array of at most {MAX_LIST} strings"
        )
    out["selected_features"] = features
    out["highlight_subdivisions"] = _highlights(value.get("highlight_subdivisions", []), bad)
    return out


def _highlights(value: Any, bad: list[str]) -> list[Any]:
    """Codes (or ids), or objects ``{"code"|"id", "color"?, "label"?}``; kept as given."""
    name = "configuration.highlight_subdivisions"
    if not isinstance(value, list) or len(value) > MAX_LIST:
        bad.append(f"{name} must be an array of at most {MAX_LIST} codes or objects")
        return []
    for i, item in enumerate(value):
        where = f"{name}[{i}]"
        if isinstance(item, str):
            if not 0 < len(item) <= MAX_CODE:
                bad.append(f"{where} must be a code of 1 to {MAX_CODE} characters")
            continue
        if not isinstance(item, dict):
            bad.append(f"{where} must be a code or an object with code or id")
            continue
        bad.extend(f"{where} has unknown key {key}" for key in item if key not in HIGHLIGHT_KEYS)
        key = item.get("code", item.get("id"))
        if not isinstance(key, str) or not 0 < len(key) <= MAX_CODE:
            bad.append(f"{where} needs a code or id (a string of 1 to {MAX_CODE} characters)")
        color = item.get("color")
        if color is not None and not (isinstance(color, str) and _HEX_COLOUR.fullmatch(color)):
            bad.append(f"{where}.color must be a hex colour (#rgb or #rrggbb)")
        label = item.get("label")
        if label is not None and not (isinstance(label, str) and len(label) <= MAX_LABEL):
            bad.append(f"{where}.label must be a string of at most {MAX_LABEL} characters")
    return value


def highlight_key(item: str | dict[str, Any]) -> str:
    """The code or id a (checked) highlight entry names."""
    return item if isinstance(item, str) else str(item.get("code", item.get("id")))


def unknown_subdivisions(
    index: LocationIndex, location: Location, highlights: list[Any]
) -> list[str]:
    """The highlighted codes that name no subdivision of ``location``'s country, as given
    (the renderer's rule: a subdivision code in any case, or a subdivision's id)."""
    country = location if location.type == "country" else index.get(location.country_id)
    if country is None:
        return [highlight_key(item) for item in highlights]
    subdivisions = set()
    for child in index.children(country):
        if child.type == "subdivision":
            subdivisions |= {child.code, child.id}
    unknown: list[str] = []
    for item in highlights:
        key = highlight_key(item)
        if key.strip().lower() in subdivisions or key in subdivisions:
            continue
        found = index.get(key)
        if found is not None and found.type == "subdivision" and found.country_id == country.id:
            continue
        if key not in unknown:
            unknown.append(key)
    return unknown


def unknown_features(index: LocationIndex, location: Place, codes: list[str]) -> list[str]:
    """The selected feature codes (any case) that name no river or lake of ``location`` —
    none of its features list (``GET /locations/{id}/features``; the world's: the great
    rivers and lakes) — as given, each once."""
    if not codes:
        return []
    if isinstance(location, WorldLocation):
        known = {f.code for f in world_features(index) if f.code}
    else:
        known = {f.code for f in location_features(index, location) if f.code}
    unknown: list[str] = []
    for code in codes:
        if code.strip().lower() not in known and code not in known and code not in unknown:
            unknown.append(code)
    return unknown


def unknown_countries(index: LocationIndex, highlights: list[Any]) -> list[str]:
    """The highlighted codes (any case) or ids that name no country, as given: the world
    map's rule."""
    unknown: list[str] = []
    for item in highlights:
        key = highlight_key(item)
        found = index.get(key)
        if (found is None or found.type != "country") and key not in unknown:
            unknown.append(key)
    return unknown


def _invalid(problems: list[str]) -> ApiError:
    return ApiError(400, f"Validation failed: {'; '.join(problems)}", code="VALIDATION_FAILED")


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def job_view(job: Job, *, detailed: bool = True) -> dict[str, Any]:
    """A job as the API shows it: the seed's fields; then, on status reads, the outcome."""
    payload = job.payload
    view: dict[str, Any] = {
        "id": job.id,
        "job_type": job.job_type,
        "project_id": job.project_id,
        "location": payload["location"],
        "theme": payload["theme"],
        "dimensions": payload["dimensions"],
        "output_format": payload["output_format"],
        "status": job.status,
        "estimated_token_cost": job.estimated_token_cost,
        "created_at": iso(job.created_at),
    }
    if not detailed:
        return view
    view["configuration"] = payload.get("configuration", {})
    view["started_at"] = iso(job.started_at)
    view["completed_at"] = iso(job.finished_at) if job.status == "completed" else None
    if job.status == "completed" and job.result is not None:
        view["actual_token_cost"] = job.actual_token_cost
        view["map_id"] = job.result.get("map_id")
        view["assets"] = job.result.get("assets", [])
    if job.status == "failed":
        view["failed_at"] = iso(job.finished_at)
        view["error"] = job.error
    elif job.status == "pending" and job.error:
        view["last_error"] = job.error  # an attempt failed; another one is scheduled
    return view


def map_id_for(job_id: str) -> str:
    """The map a job creates: derived from the job, so a retried render reuses its keys."""
    return str(uuid.uuid5(_MAP_IDS, job_id))


def asset_url(runtime: Runtime, key: str, fallback: str) -> str:
    direct = runtime.storage.url(key)
    if direct:
        return direct
    return runtime.settings.server.public_url.rstrip("/") + fallback


# -- the handler ------------------------------------------------------------------------------


MAP_FILES = {  # output_format: content type and the map asset's extension
    "png": ("image/png", "png"),
    "svg": ("image/svg+xml", "svg"),
    "pdf": ("application/pdf", "pdf"),
}


def render_options(theme: str, configuration: dict[str, Any]) -> dict[str, Any]:
    """The renderer's keyword arguments for a job's theme and (checked) ``configuration``:
    every option of the seed the renderer knows, defaults where one is missing."""
    options: dict[str, Any] = {"theme": theme}
    for name, default in BOOL_OPTIONS.items():
        options[name] = bool(configuration.get(name, default))
    for name in POSITION_OPTIONS:
        options[name] = str(configuration.get(name, "center"))
    # Strings and highlight objects ({"code"|"id", "color"?, "label"?}) go through unchanged.
    options["highlight"] = tuple(configuration.get("highlight_subdivisions", ()))
    # River and lake codes (checked against the location's features at creation): drawn
    # even without show_features, on top and labelled first.
    options["selected_features"] = tuple(configuration.get("selected_features", ()))
    return options


# The world map's options: no subdivisions, cities or water labels on it.
_WORLD_OPTIONS = (
    "theme",
    "show_features",
    "highlight",
    "show_country_labels",
    "selected_features",
)


def world_options(options: dict[str, Any]) -> dict[str, Any]:
    """:func:`render_options` narrowed to what the world map takes (``render_world_svg``)."""
    return {name: options[name] for name in _WORLD_OPTIONS if name in options}


def render_map_file(
    index: LocationIndex,
    location: Place,
    output_format: str,
    *,
    width: int,
    height: int,
    dpi: int,
    options: dict[str, Any],
) -> bytes:
    """The map itself in ``output_format`` (png, svg or pdf): the job's map asset, the CLI's
    file."""
    from ogplatform.maps.render import (
        render_pdf,
        render_png,
        render_svg,
        render_world_png,
        render_world_svg,
        svg_to_pdf,
    )

    if isinstance(location, WorldLocation):
        world = world_options(options)
        if output_format == "png":
            return render_world_png(index, width=width, height=height, dpi=dpi, **world)[0]
        drawn = render_world_svg(index, width=width, height=height, dpi=dpi, **world)
        if output_format == "svg":
            return drawn.svg.encode()
        return svg_to_pdf(
            drawn.svg,
            width=width,
            height=height,
            dpi=dpi,
            font_files=drawn.font_files,
            title=location.name,
        )
    if output_format == "svg":
        svg = render_svg(index, location, width=width, height=height, dpi=dpi, **options)
        return svg.svg.encode()
    render = render_pdf if output_format == "pdf" else render_png
    return render(index, location, width=width, height=height, dpi=dpi, **options)[0]


def thumbnail_size(width: int, height: int) -> tuple[int, int]:
    """The thumbnail's pixels: 400 wide, proportional."""
    return THUMBNAIL_WIDTH, max(1, round(THUMBNAIL_WIDTH * height / width))


def render_job_files(payload: dict[str, Any]) -> tuple[bytes, bytes, bytes]:
    """A job's three images from its payload: the map (in its format), the thumbnail PNG and
    the OG card PNG. CPU-bound; top-level, plain data in and bytes out, so it runs in a
    :class:`RenderPool` process (or a thread). Raises :class:`PermanentJobError` for a map
    that cannot be drawn."""
    from ogplatform.maps.render import get_theme, render_png, render_world_png
    from ogplatform.maps.render.labels import fonts

    index = location_index()
    location = find_place(index, payload["location"]["id"])
    if location is None:
        raise PermanentJobError("Location not found")
    dims = payload["dimensions"]
    options = render_options(payload["theme"]["name"], payload.get("configuration", {}))
    thumb_w, thumb_h = thumbnail_size(dims["width"], dims["height"])
    try:
        body = render_map_file(
            index,
            location,
            payload["output_format"],
            width=dims["width"],
            height=dims["height"],
            dpi=dims["dpi"],
            options=options,
        )
        if isinstance(location, WorldLocation):
            world = world_options(options)
            thumbnail, _ = render_world_png(index, width=thumb_w, height=thumb_h, **world)
            og_image = _world_og_card(index, location, world)
        else:
            from ogplatform.maps.og_card import render_og_card

            thumbnail, _ = render_png(index, location, width=thumb_w, height=thumb_h, **options)
            theme = get_theme(options["theme"])
            og_image = render_og_card(index, location, fonts=fonts(), **{**options, "theme": theme})
    except NotImplementedError:
        raise PermanentJobError(f"{location.type} maps are not available yet") from None
    except ValueError as exc:  # a place without a shape; a highlight the checks let through
        raise PermanentJobError(f"cannot render this map: {exc}") from None
    return body, thumbnail, og_image


def _world_og_card(index: LocationIndex, world: WorldLocation, options: dict[str, Any]) -> bytes:
    """The world's OG card: as :func:`~ogplatform.maps.og_card.render_og_card` draws a
    country's (``Map · <theme>``), with the world map above the band."""
    import io

    from PIL import Image

    from ogplatform.maps.og_card import BAND, compose_og_card
    from ogplatform.maps.render import get_theme, render_world_png
    from ogplatform.maps.render.labels import fonts
    from ogplatform.render import render_raster

    theme = get_theme(options["theme"])
    width, height = OG_SIZE
    png, _ = render_world_png(
        index, width=width, height=height - BAND, dpi=72, **{**options, "theme": theme}
    )
    scene, backdrop = compose_og_card(
        Image.open(io.BytesIO(png)),
        title=world.name,
        subtitle=f"Map \N{MIDDLE DOT} {theme.display_name}",
        theme=theme,
        fonts=fonts(),
    )
    return render_raster(scene, "png", photo=backdrop)


# -- the render pool --------------------------------------------------------------------------


def _exit_with_parent() -> None:
    """A pool process's initializer: end this process as soon as its parent is gone.

    A pool process blocks reading its call queue, but holds that pipe's write end too, so a
    parent killed outright (SIGKILL, OOM) never shows it EOF: it would wait for ever. The
    parent's sentinel (a pipe only the parent writes to) does close. A thread waiting on it
    would need the GIL to act, and a render holds it for seconds at a time (a vintage
    2400x1500 map: 7 s), so a forked watchdog process waits instead: on the sentinel, it
    SIGKILLs this process at once; on EOF of a pipe only this process writes to (this process
    ended), it just exits. Without ``os.fork`` a thread does the watching."""
    parent = multiprocessing.parent_process()
    if parent is None:  # not a pool process
        return
    worker = os.getpid()
    if not hasattr(os, "fork"):

        def watch() -> None:
            wait([parent.sentinel])
            os._exit(0)

        threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()
        return
    alive_r, alive_w = os.pipe()  # alive_w stays open in this process until it ends
    if os.fork() == 0:  # the watchdog: no threads, no GIL shared with the render
        try:
            os.close(alive_w)
            if alive_r not in wait([parent.sentinel, alive_r]):  # the parent is gone
                os.kill(worker, signal.SIGKILL)
        finally:
            os._exit(0)
    os.close(alive_r)


class RenderPool(Executor):
    """A :class:`~concurrent.futures.ProcessPoolExecutor` of ``workers`` "spawn" processes,
    started on the first submit (so an app that renders nothing starts none), whose
    processes exit with their parent however it ends. :meth:`shutdown` stops them (renders
    still running too: nobody waits for them any more); a later submit starts new ones."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def submit(self, fn: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs) -> Future[_T]:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=self.workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_exit_with_parent,
                )
            return self._pool.submit(fn, *args, **kwargs)

    def processes(self) -> list[int]:
        """The pids of the pool's processes (none before the first submit)."""
        pool = self._pool
        return [] if pool is None else [p.pid for p in list(pool._processes.values()) if p.pid]

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is None:
            return
        busy = list(pool._processes.values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in busy:  # a render still running has no one waiting for it
            if process.is_alive():
                process.terminate()
        if wait:
            for process in busy:
                process.join(5.0)

    def close(self) -> None:
        self.shutdown(wait=True)


def register_map_jobs(
    registry: HandlerRegistry, runtime: Runtime, executor: Executor | None = None
) -> None:
    """Teach the job runner to render map jobs with this runtime's storage.

    Renders run in ``executor``; by default in a :class:`RenderPool` of ``[jobs]
    concurrency`` processes, closed with ``registry`` (parts of a render hold the GIL: in a
    thread, a vintage US job stalled the event loop of its process for 0.7-4 s at a time);
    with ``[jobs] render_processes = false`` in the loop's thread pool. What crosses is
    plain data: the job's payload in, three byte strings out."""
    if executor is None and runtime.settings.jobs.render_processes:
        executor = RenderPool(runtime.settings.jobs.concurrency)
        registry.on_close(executor.close)

    async def handle(job: Job) -> JobOutcome:
        payload = job.payload
        loop = asyncio.get_running_loop()
        body, thumbnail, og_image = await loop.run_in_executor(executor, render_job_files, payload)
        content_type, extension = MAP_FILES[payload["output_format"]]
        map_id = map_id_for(job.id)
        dims = payload["dimensions"]
        keys = {
            "map": f"maps/{job.project_id}/{job.id}/map.{extension}",
            "thumbnail": f"maps/thumbnails/{map_id}.png",
            "og_image": f"maps/og-images/{map_id}.png",
        }
        files = {
            "map": (body, content_type, dims["width"], dims["height"]),
            "thumbnail": (thumbnail, "image/png", *thumbnail_size(dims["width"], dims["height"])),
            "og_image": (og_image, "image/png", *OG_SIZE),
        }
        routes = {"map": "image", "thumbnail": "thumbnail", "og_image": "og-image"}
        assets = []
        for kind, (data, content_type, width, height) in files.items():
            stored = await runtime.storage.put(keys[kind], data, content_type)
            assets.append(
                {
                    "id": str(uuid.uuid5(_MAP_IDS, f"{job.id}/{kind}")),
                    "kind": kind,
                    "storage_path": keys[kind],
                    "url": asset_url(runtime, keys[kind], f"/maps/{map_id}/{routes[kind]}/"),
                    "content_type": content_type,
                    "bytes": stored.size,
                    "width": width,
                    "height": height,
                }
            )

        async def create_map(session: AsyncSession) -> None:
            project = await session.get(Project, job.project_id) if job.project_id else None
            session.add(
                Map(
                    id=map_id,
                    project_id=str(job.project_id),
                    job_id=job.id,
                    title=payload["location"]["name"][:MAX_TITLE],
                    visibility=project.default_visibility if project else "public",
                    location_id=payload["location"]["id"],
                    theme=payload["theme"]["name"],
                    width=dims["width"],
                    height=dims["height"],
                    output_format=payload["output_format"],
                    map_key=keys["map"],
                    thumbnail_key=keys["thumbnail"],
                    og_image_key=keys["og_image"],
                )
            )

        return JobOutcome(
            result={"map_id": map_id, "assets": assets},
            actual_token_cost=job.estimated_token_cost,
            finalize=create_map,
        )

    registry.register(JOB_TYPE, handle)
