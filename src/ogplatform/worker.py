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

__all__ = ["StopSignals", "load_registrar", "run_worker", "stop_runner"]

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
    arrive and every ``poll_seconds`` besides. See :func:`stop_runner` for the way out."""
    if not settings.database.url:
        raise SettingsError("the worker needs a database (database.url is empty)")
    if concurrency is not None:
        settings = msgspec.structs.replace(
            settings, jobs=msgspec.structs.replace(settings.jobs, concurrency=concurrency)
        )
    queue: JobQueue = job_queue_for(settings)
    runtime = Runtime(settings)
    # Signals are ours from the start: a stop asked for during the migrations is clean too.
    with StopSignals() as signals:
        try:
            await runtime.start()
            await _work(runtime, queue, signals, grace, registrars)
        finally:
            await queue.close()
            await runtime.stop()


async def _work(
    runtime: Runtime,
    queue: JobQueue,
    signals: StopSignals,
    grace: float,
    registrars: Sequence[Registrar],
) -> None:
    from ogplatform.app import job_handlers_for, webhook_outbox_for  # shared, not copied
    from ogplatform.db import current_revision, head_revision

    settings = runtime.settings
    assert runtime.database is not None  # run_worker checked database.url
    assert settings.database.url
    if not settings.database.auto_migrate:
        current, head = await current_revision(settings.database.url), head_revision()
        if current != head:
            raise SettingsError(
                f"the database is at revision {current}, this version needs {head}: "
                "run `ogplatform db upgrade`"
            )
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
    if outbox is not None:
        outbox.start()
    try:
        if not signals.stop.is_set():  # not asked to stop while starting up
            runner.start()
        log.info(
            "worker_started",
            runner=runner.name,
            concurrency=settings.jobs.concurrency,
            queue=getattr(queue, "name", "in-process"),
            job_types=sorted(handlers.types()),
            lease_seconds=settings.jobs.lease_seconds,
            poll_seconds=settings.jobs.poll_seconds,
        )
        await signals.stop.wait()
        await stop_runner(runner, grace, signals.hurry)
    finally:
        await runner.stop()  # a no-op after a graceful stop; gives back jobs otherwise
        handlers.close()  # the map render pool's processes
        if outbox is not None:
            await outbox.stop()  # unsent events stay due for the next sender
    log.info("worker_stopped", runner=runner.name)


class StopSignals:
    """SIGTERM and SIGINT as events while in the ``with`` block: the first one asks for a
    stop, a second one for haste."""

    __slots__ = ("hurry", "stop")

    def __init__(self) -> None:
        self.stop, self.hurry = asyncio.Event(), asyncio.Event()

    def __enter__(self) -> StopSignals:
        loop = asyncio.get_running_loop()
        for number in STOP_SIGNALS:
            loop.add_signal_handler(number, self._received, number)
        return self

    def __exit__(self, *_: object) -> None:
        loop = asyncio.get_running_loop()
        for number in STOP_SIGNALS:
            loop.remove_signal_handler(number)

    def _received(self, number: int) -> None:
        log.info("worker_signal", signal=signal.Signals(number).name, hurry=self.stop.is_set())
        (self.hurry if self.stop.is_set() else self.stop).set()


async def stop_runner(runner: JobRunner, grace: float, hurry: asyncio.Event) -> None:
    """Stop ``runner``: it takes no new job, the ones in progress get ``grace`` seconds to
    finish, then they are released (pending again at once); ``hurry`` cuts the grace short.
    A worker killed outright leaves its jobs to whoever claims them after their lease."""
    log.info("worker_stopping", runner=runner.name, grace=grace)
    stopping = asyncio.create_task(runner.stop(grace))
    hurried = asyncio.create_task(hurry.wait())
    await asyncio.wait({stopping, hurried}, return_when=asyncio.FIRST_COMPLETED)
    hurried.cancel()
    if not stopping.done():
        stopping.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await stopping
    await runner.stop()  # releases whatever the cut-short grace left running
