"""The ``ogplatform worker`` process: the app's job handlers and a :class:`JobRunner` fed by the
Redis queue, without HTTP. Wiring only, like ``app.py``; the job machinery is ``jobs/``.
"""

from __future__ import annotations

import asyncio
import contextlib
import pkgutil
import signal
from collections.abc import Callable, Sequence

import msgspec
import structlog

from ogplatform.jobs import HandlerRegistry, JobQueue, JobRunner, job_queue_for
from ogplatform.runtime import Runtime
from ogplatform.settings import Settings, SettingsError

__all__ = ["load_registrar", "run_until_signalled", "run_worker"]

log = structlog.get_logger("ogplatform.worker")

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)

# What ``--handlers MODULE:FUNCTION`` names: it registers more job types, as map jobs do.
Registrar = Callable[[HandlerRegistry, Runtime], None]


def load_registrar(reference: str) -> Registrar:
    """Resolve ``package.module:function``; raise SettingsError naming what is wrong."""
    if ":" not in reference:
        raise SettingsError(f"--handlers {reference!r}: expected MODULE:FUNCTION")
    try:
        found = pkgutil.resolve_name(reference)
    except (ImportError, AttributeError, ValueError) as exc:
        raise SettingsError(f"--handlers {reference!r}: {exc}") from None
    if not callable(found):
        raise SettingsError(f"--handlers {reference!r} is not a function")
    registrar: Registrar = found
    return registrar


async def run_worker(
    settings: Settings,
    *,
    concurrency: int | None = None,
    grace: float = 30.0,
    registrars: Sequence[Registrar] = (),
) -> None:
    """Run jobs until SIGTERM or SIGINT: migrate (``database.auto_migrate``) or check the
    schema, register the app's handlers (and ``registrars``'), then claim jobs as wake-ups
    arrive and every ``poll_seconds`` besides."""
    from ogplatform.app import job_handlers_for, webhook_outbox_for  # shared, not copied
    from ogplatform.db import current_revision, head_revision

    if not settings.database.url:
        raise SettingsError("the worker needs a database (database.url is empty)")
    if concurrency is not None:
        settings = msgspec.structs.replace(
            settings, jobs=msgspec.structs.replace(settings.jobs, concurrency=concurrency)
        )
    queue: JobQueue = job_queue_for(settings)
    runtime = Runtime(settings)
    try:
        await runtime.start()
        if not settings.database.auto_migrate:
            current, head = await current_revision(settings.database.url), head_revision()
            if current != head:
                raise SettingsError(
                    f"the database is at revision {current}, this version needs {head}: "
                    "run `ogplatform db upgrade`"
                )
        assert runtime.database is not None  # database.url is set, start() connected it
        handlers = job_handlers_for(runtime)
        for register in registrars:
            register(handlers, runtime)
        outbox = webhook_outbox_for(runtime)  # job events recorded and sent from here too
        on_end = outbox.record if outbox else None
        runner = JobRunner(runtime.database, handlers, settings.jobs, queue, on_end=on_end)
        if settings.jobs.runner != "redis":
            log.warning(
                "worker_without_queue",
                detail='jobs.runner is not "redis": no wake-ups reach this worker, it polls '
                "the database every poll_seconds (and the app runs jobs itself)",
            )
        log.info(
            "worker_started",
            runner=runner.name,
            concurrency=settings.jobs.concurrency,
            queue=getattr(queue, "name", "in-process"),
            job_types=sorted(handlers.types()),
            lease_seconds=settings.jobs.lease_seconds,
            poll_seconds=settings.jobs.poll_seconds,
        )
        if outbox is not None:
            outbox.start()
        try:
            await run_until_signalled(runner, grace=grace)
        finally:
            if outbox is not None:
                await outbox.stop()  # unsent events stay due for the next sender
        log.info("worker_stopped", runner=runner.name)
    finally:
        await queue.close()
        await runtime.stop()


async def run_until_signalled(runner: JobRunner, *, grace: float) -> None:
    """Start ``runner`` and keep it going until SIGTERM or SIGINT. Then it takes no new job,
    and the ones in progress get ``grace`` seconds to finish before they are released; a
    second signal releases them at once."""
    loop = asyncio.get_running_loop()
    first, again = asyncio.Event(), asyncio.Event()

    def on_signal(number: int) -> None:
        log.info("worker_signal", signal=signal.Signals(number).name, hurry=first.is_set())
        (again if first.is_set() else first).set()

    for number in STOP_SIGNALS:
        loop.add_signal_handler(number, on_signal, number)
    try:
        runner.start()
        await first.wait()
        log.info("worker_stopping", runner=runner.name, grace=grace)
        stopping = asyncio.create_task(runner.stop(grace))
        hurry = asyncio.create_task(again.wait())
        await asyncio.wait({stopping, hurry}, return_when=asyncio.FIRST_COMPLETED)
        hurry.cancel()
        if not stopping.done():
            stopping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await stopping
        await runner.stop()  # a no-op after a graceful stop; releases what is left otherwise
    finally:
        for number in STOP_SIGNALS:
            loop.remove_signal_handler(number)
