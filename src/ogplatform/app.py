"""The Litestar application factory. Wiring only: behaviour lives in the modules it names."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from litestar import Litestar, get
from litestar.datastructures import State
from litestar.di import Provide
from litestar.types import ControllerRouterHandler

from ogplatform import __version__
from ogplatform.admin import admin_router
from ogplatform.cards.rendering import CardRenderer
from ogplatform.cards.routes import cards_router
from ogplatform.dependencies import provide_db_session
from ogplatform.errors import handle_exception
from ogplatform.health import healthz, readyz
from ogplatform.jobs import HandlerRegistry, JobRunner, job_queue_for
from ogplatform.jobs.webhooks import WebhookOutbox
from ogplatform.log import RequestContext, configure_logging
from ogplatform.maps.downloads import downloads_router
from ogplatform.maps.jobs_api import jobs_router
from ogplatform.maps.locations import locations_router
from ogplatform.maps.map_jobs import JOB_TYPE as MAP_JOB_TYPE
from ogplatform.maps.map_jobs import register_map_jobs
from ogplatform.maps.resource import maps_router
from ogplatform.maps.webhooks import map_event_view
from ogplatform.openapi import openapi_config, swagger_assets_router
from ogplatform.plugins import PluginError, PluginRegistry
from ogplatform.ratelimit.middleware import RateLimitMiddleware, check_route_policies
from ogplatform.runtime import Runtime
from ogplatform.settings import Settings, SettingsError, load_settings
from ogplatform.userdata import userdata_router

__all__ = ["create_app", "job_handlers_for", "webhook_outbox_for"]


@get("/", include_in_schema=False)
async def index() -> dict[str, str]:
    return {"name": "ogplatform", "version": __version__, "docs": "/schema", "health": "/healthz"}


def create_app(
    settings: Settings | None = None,
    *,
    plugins: PluginRegistry | None = None,
    route_handlers: Sequence[ControllerRouterHandler] = (),
) -> Litestar:
    """Build the app.

    Args:
        settings: Defaults to :func:`load_settings` (``$OGP_CONFIG`` or ``./litestar.toml``,
            then ``OGP_*`` variables). A bad configuration then ends the process with a
            one-line message instead of a traceback; given settings raise instead.
        plugins: A registry to use instead of discovering installed plugins (tests, embedding).
        route_handlers: Extra handlers to mount (embedding, tests).
    """
    if settings is not None:
        return _build(settings, plugins, route_handlers)
    try:
        return _build(load_settings(), plugins, route_handlers)
    except (PluginError, SettingsError) as exc:
        sys.exit(f"ogplatform: {exc}")


def job_handlers_for(runtime: Runtime) -> HandlerRegistry:
    """The job types this build runs, with their handlers: the app's in-process runner and
    ``ogplatform worker`` both take them from here."""
    handlers = HandlerRegistry()
    register_map_jobs(handlers, runtime)
    return handlers


def webhook_outbox_for(runtime: Runtime) -> WebhookOutbox | None:
    """Job events for projects' webhooks: ``record`` is the runner's ``on_end``, ``start()``
    runs the senders. None without a database (call after ``runtime.start()``) or with
    ``[webhooks] enabled = false``. The in-process runner and ``ogplatform worker`` use it."""
    if runtime.database is None or not runtime.settings.webhooks.enabled:
        return None
    views = {MAP_JOB_TYPE: map_event_view(runtime)}  # what GET .../jobs/maps/{id} shows
    return WebhookOutbox(runtime.database, runtime.settings.webhooks, views)


def _build(
    settings: Settings,
    plugins: PluginRegistry | None,
    route_handlers: Sequence[ControllerRouterHandler],
) -> Litestar:
    configure_logging(settings.logging)
    runtime = Runtime(settings, plugins)
    card_renderer = CardRenderer(settings.render, settings.plugins)
    job_handlers = job_handlers_for(runtime)
    job_queue = job_queue_for(settings)  # runner = "redis": wake-ups for `ogplatform worker`s

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        await runtime.start()
        runner = None
        outbox = webhook_outbox_for(runtime) if settings.jobs.runner == "inprocess" else None
        if settings.jobs.runner == "inprocess" and runtime.database is not None:
            on_end = outbox.record if outbox else None
            runner = JobRunner(
                runtime.database, job_handlers, settings.jobs, job_queue, on_end=on_end
            )
            runner.start()
        if outbox is not None:
            outbox.start()
        try:
            yield
        finally:
            if runner is not None:
                await runner.stop()
            job_handlers.close()  # the map render pool's processes
            if outbox is not None:
                await outbox.stop()
            await job_queue.close()
            card_renderer.close()
            await runtime.stop()

    app = Litestar(
        route_handlers=[
            index,
            healthz,
            readyz,
            admin_router,
            cards_router,
            userdata_router,
            locations_router,
            jobs_router,
            maps_router,
            downloads_router,
            swagger_assets_router(),
            *route_handlers,
        ],
        dependencies={
            "runtime": Provide(lambda: runtime, sync_to_thread=False),
            "db_session": Provide(provide_db_session),
            "card_renderer": Provide(lambda: card_renderer, sync_to_thread=False),
        },
        exception_handlers={Exception: handle_exception},
        middleware=[RateLimitMiddleware()],
        lifespan=[lifespan],
        openapi_config=openapi_config(),
        logging_config=None,  # ours (structlog, configured above); Litestar's would replace it
        debug=False,  # debug pages would leak internals; errors are rendered by handle_exception
        state=State({"runtime": runtime, "job_queue": job_queue, "job_handlers": job_handlers}),
    )
    check_route_policies(app, settings.ratelimit)
    # Outermost layer, so 404s and 405s (which never reach route middleware) are logged too.
    app.asgi_handler = RequestContext(app.asgi_handler)
    return app
