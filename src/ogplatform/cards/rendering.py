"""Card renders off the event loop: a pool of processes (resvg holds the GIL, so threads would
not help), each with its own fonts, plugins and background cache loaded once.

The job that crosses the process boundary is small and plain: template id, background id,
the validated :class:`CardInput`, the format. The bytes come back.
"""

from __future__ import annotations

import asyncio
import base64
import multiprocessing
import os
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache

import msgspec
from PIL import Image

from ogplatform.cards.params import CardRequest, Format
from ogplatform.plugins import PluginRegistry
from ogplatform.plugins.templates import Photo
from ogplatform.render import FontLibrary, encode, render_raster, scene_svg
from ogplatform.settings import PluginSettings, RenderSettings

__all__ = ["CONTENT_TYPES", "CardRenderer", "RenderedCard", "init_worker", "render_card"]

CONTENT_TYPES: dict[Format, str] = {
    "png": "image/png",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
    "svg": "image/svg+xml",
}


@dataclass(frozen=True, slots=True)
class RenderedCard:
    body: bytes
    content_type: str


class _Worker:
    """Per-process state: the fonts, the plugins, and recently used backgrounds."""

    fonts: FontLibrary
    plugins: PluginRegistry


def init_worker(plugin_settings: bytes, font_dirs: tuple[str, ...]) -> None:
    _Worker.fonts = FontLibrary(list(font_dirs))
    _Worker.plugins = PluginRegistry.discover(
        msgspec.msgpack.decode(plugin_settings, type=PluginSettings)
    )


def render_card(request: CardRequest) -> bytes:
    """Compose and draw one card (runs inside a worker)."""
    template = _Worker.plugins.get("templates", request.template).plugin
    card = request.card
    photo = None
    if request.background_id is not None:
        background = _Worker.plugins.get("backgrounds", request.background_id)
        photo = _photo(request.background_id, background.version, card.width, card.height)
        card = msgspec.structs.replace(card, photo=Photo(
            background.id, background.plugin.dominant_color, background.plugin.tone))  # fmt: skip
    scene = template.compose(card, _Worker.fonts)
    if request.format == "svg":
        href = None
        if scene.backdrop is None and photo is not None:
            jpeg = encode(photo, "jpeg")
            href = "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii")
        return scene_svg(scene, photo_href=href).encode()
    return render_raster(scene, request.format, photo=photo if scene.backdrop is None else None)


@lru_cache(maxsize=24)
def _photo(background_id: str, version: str, width: int, height: int) -> Image.Image:
    """A background's pixels, kept for the next cards (the version keys out stale ones)."""
    image: Image.Image = _Worker.plugins.get("backgrounds", background_id).plugin.image(
        width, height
    )
    return image.convert("RGB")


class CardRenderer:
    """Runs renders in worker processes (or a thread), never on the event loop."""

    def __init__(self, settings: RenderSettings, plugins: PluginSettings) -> None:
        self.settings = settings
        self._plugins = msgspec.msgpack.encode(plugins)
        self._executor: Executor | None = None

    def _pool(self) -> Executor:
        if self._executor is None:
            args = (self._plugins, tuple(self.settings.font_dirs))
            workers = self.settings.workers
            if workers == 0:
                init_worker(*args)
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="render")
            else:
                count = (os.cpu_count() or 1) if workers < 0 else workers
                # spawn: workers start clean (no inherited event loop, sockets or locks).
                self._executor = ProcessPoolExecutor(
                    max_workers=count,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=init_worker,
                    initargs=args,
                )
        return self._executor

    async def render(self, request: CardRequest) -> RenderedCard:
        """Render; raise TimeoutError after ``timeout_seconds``."""
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._pool(), render_card, request)
        body = await asyncio.wait_for(future, self.settings.timeout_seconds)
        return RenderedCard(body, CONTENT_TYPES[request.format])

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
