"""The live parts of one ogplatform process: settings, plugins, database, storage, Redis.

Built once by :func:`ogplatform.app.create_app` and reachable from handlers as the ``runtime``
dependency. Connections open in :meth:`Runtime.start` and close in :meth:`Runtime.stop`, which
the app's lifespan calls; the CLI uses the same object for commands that need no HTTP.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog

from ogplatform.cache import RenderCache
from ogplatform.plugins import PluginError, PluginRegistry, StorageBackend
from ogplatform.ratelimit.middleware import RateLimiter
from ogplatform.settings import Settings, SettingsError

if TYPE_CHECKING:
    from ogplatform.db import Database

__all__ = ["CHECK_TIMEOUT", "Runtime", "connect_redis"]

log = structlog.get_logger("ogplatform.runtime")

CHECK_TIMEOUT = 3.0  # seconds one readiness check may take before it counts as failed


class Runtime:
    """Everything a request handler may need besides the request."""

    __slots__ = (
        "_sweep",
        "cache",
        "database",
        "limiter",
        "plugins",
        "redis",
        "settings",
        "storage",
    )

    def __init__(self, settings: Settings, plugins: PluginRegistry | None = None) -> None:
        self.settings = settings
        self.plugins = plugins or PluginRegistry.discover(settings.plugins)
        self.storage: StorageBackend = self._make_storage()
        self.database: Database | None = None
        self.redis: Any = None  # redis.asyncio.Redis when [redis] url is set
        self.limiter: RateLimiter | None = None  # None: [ratelimit] enabled = false
        self.cache: RenderCache = RenderCache([])  # the configured tiers arrive in start()
        self._sweep: asyncio.Task[None] | None = None  # the storage's start-up housekeeping

    def _make_storage(self) -> StorageBackend:
        name = self.settings.storage.backend
        try:
            factory = self.plugins.get("storage", name).plugin
        except KeyError as exc:
            raise PluginError(f"storage.backend: {exc.args[0]}") from None
        options, base_dir = self.settings.storage.options, Path(self.settings.base_dir)
        try:
            backend: StorageBackend = factory.create(options, base_dir=base_dir)
        except ValueError as exc:
            raise SettingsError(f"storage.options: {exc}") from None
        return backend

    async def start(self) -> None:
        """Open connections; apply migrations first when ``database.auto_migrate`` is on."""
        db = self.settings.database
        if db.url:
            from ogplatform.db import Database, upgrade

            if db.auto_migrate:
                await upgrade(db.url)
            self.database = Database.from_url(db.url, echo=db.echo)
        if self.settings.redis.url:
            self.redis = connect_redis(self.settings.redis.url)
        self.cache = RenderCache.from_settings(
            self.settings.cache, self.redis, self.settings.redis.key_prefix
        )
        if self.settings.ratelimit.enabled:
            self.limiter = RateLimiter.build(
                self.settings.ratelimit, self.redis, self.settings.redis.key_prefix
            )
        sweep = getattr(self.storage, "sweep_temporaries", None)
        if sweep is not None:  # leftovers of a killed writer, in the background
            self._sweep = asyncio.create_task(_swept(sweep), name="storage-sweep")

    async def stop(self) -> None:
        if self._sweep is not None:
            await self._sweep  # a thread cannot be cancelled: let it finish
            self._sweep = None
        await self.cache.close()
        self.cache = RenderCache([])
        if self.limiter is not None:
            await self.limiter.store.close()
            self.limiter = None
        if self.database is not None:
            await self.database.dispose()
            self.database = None
        if self.redis is not None:
            await self.redis.aclose()
            self.redis = None
        await self.storage.close()

    async def readiness(self) -> dict[str, str]:
        """Check each configured dependency; return ``{name: "ok" | "error: ..."}``."""
        checks: dict[str, Callable[[], Awaitable[Any]]] = {"storage": self.storage.check}
        if self.settings.database.url:
            checks["database"] = self._check_database
        if self.settings.redis.url:
            checks["redis"] = self._check_redis
        results = await asyncio.gather(*(_timed(check) for check in checks.values()))
        return dict(zip(checks, results, strict=True))

    async def _check_database(self) -> None:
        if self.database is None:
            raise RuntimeError("not connected")
        await self.database.check()

    async def _check_redis(self) -> None:
        if self.redis is None:
            raise RuntimeError("not connected")
        await self.redis.ping()


async def _swept(sweep: Callable[[], Awaitable[int]]) -> None:
    try:
        removed = await sweep()
    except Exception as exc:  # a sweep is housekeeping: it never stops the service
        log.warning("storage_sweep_failed", error=repr(exc))
        return
    if removed:
        log.info("storage_swept", temporary_files=removed)


async def _timed(check: Callable[[], Awaitable[Any]]) -> str:
    try:
        await asyncio.wait_for(check(), CHECK_TIMEOUT)
    except TimeoutError:
        return f"error: no answer within {CHECK_TIMEOUT:g}s"
    except Exception as exc:  # readiness reports failures, it never raises them
        log.warning("readiness_check_failed", error=repr(exc))
        return f"error: {type(exc).__name__}"
    return "ok"


def connect_redis(url: str) -> Any:
    try:
        import redis.asyncio as redis
    except ImportError:
        raise SettingsError(
            "redis.url is set but the redis client is not installed: "
            "pip install 'ogplatform[redis]'"
        ) from None
    return redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0)
