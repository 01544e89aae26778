"""Logging: structlog everywhere, JSON in production and pretty in a terminal, one line a request.

:func:`configure_logging` routes the standard library's loggers (uvicorn, alembic, SQLAlchemy)
through the same renderer. :class:`RequestContext` wraps the whole ASGI app so that every request,
even one that matched no route, gets a request id and exactly one access line.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import time
from typing import Any

import msgspec
import structlog
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from ogplatform.settings import LoggingSettings

__all__ = ["REQUEST_ID_HEADER", "RequestContext", "configure_logging"]

REQUEST_ID_HEADER = "x-request-id"
# A client's request id is honoured only if it is short and harmless in logs and headers.
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")

access_log = structlog.get_logger("ogplatform.access")


def configure_logging(settings: LoggingSettings, *, stream: Any = None) -> None:
    """Configure structlog and the standard library's root logger. Safe to call again.

    Our own events go straight from structlog to the stream (the stdlib path costs about three
    times as much per line); other libraries' stdlib records get the same processors and
    renderer through a ProcessorFormatter.
    """
    stream = stream or sys.stderr
    use_json = settings.format == "json" or (settings.format == "auto" and not stream.isatty())
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.stdlib.add_logger_name,  # reads `.name`: a stdlib logger's or a _NamedWriter's
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    finish: list[Any] = (
        [structlog.processors.format_exc_info, structlog.processors.JSONRenderer(_json_dumps)]
        if use_json
        else [structlog.dev.ConsoleRenderer(colors=stream.isatty())]
    )
    level = logging.getLevelNamesMapping()[settings.level]
    structlog.configure(
        processors=[*shared, *finish],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=lambda name="ogplatform", *_: _NamedWriter(stream, name),
        cache_logger_on_first_use=False,  # tests and the CLI reconfigure
    )
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *finish],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.level)
    # httpx logs every outgoing URL at INFO (webhook URLs can carry secrets).
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # Alembic announces each of its internal plugins at INFO on every start-up.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    # uvicorn's own access log would duplicate ours; its error log stays.
    logging.getLogger("uvicorn.access").disabled = True
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True


def _json_dumps(event: Any, **_: Any) -> str:
    # msgspec is several times faster than json.dumps; odd values are logged by their repr.
    return msgspec.json.encode(event, enc_hook=repr).decode()


class _NamedWriter(structlog.WriteLogger):
    """structlog's plain writer, carrying the name given to ``structlog.get_logger(name)``."""

    def __init__(self, file: Any, name: str) -> None:
        super().__init__(file)
        self.name = name


class RequestContext:
    """ASGI wrapper: request id (``X-Request-ID`` honoured or made), timing, one access line."""

    __slots__ = ("app",)

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [h for h in message.get("headers", ()) if h[0] != b"x-request-id"]
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                access_log.info(
                    "request",
                    method=scope["method"],
                    # The path only: query strings can carry secrets (userKey) and are not logged.
                    path=scope["path"],
                    status=status,
                    duration_ms=round((time.perf_counter() - started) * 1000, 2),
                    client=(scope.get("client") or ("-",))[0],
                )


def _request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            if _SAFE_REQUEST_ID.fullmatch(candidate):
                return candidate
            break
    return os.urandom(16).hex()
