"""One error type for the whole service, rendered in the wire format of the API it happened in.

The three public surfaces keep the formats their clients already parse (DESIGN.md section 4):

- card API (``/api/...``): ``{"success": false, "error": {"code": ..., "message": ...}}``
- map jobs API (``/api/v1/...``): ``{"statusCode": 404, "message": "Location not found"}``
- everything else, the maps resource included: RFC 9457 ``application/problem+json``

Handlers raise :class:`ApiError`; Litestar's own exceptions (unknown route, wrong method, failed
validation) and unexpected ones are translated by :func:`handle_exception`.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import structlog
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException

__all__ = [
    "ApiError",
    "Surface",
    "error_response",
    "handle_exception",
    "surface_for_path",
]

log = structlog.get_logger("ogplatform.errors")

PROBLEM_JSON = "application/problem+json"

# Default machine-readable codes; handlers pass a more specific one when they have it.
DEFAULT_CODES: dict[int, str] = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    402: "PAYMENT_REQUIRED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "VALIDATION_ERROR",
    429: "RATE_LIMITED",
    500: "INTERNAL_ERROR",
    501: "NOT_IMPLEMENTED",
    503: "SERVICE_UNAVAILABLE",
}


class Surface(enum.Enum):
    """Which public API a path belongs to, and so which error format it speaks."""

    CARDS = "cards"
    JOBS = "jobs"
    PROBLEM = "problem"


def surface_for_path(path: str) -> Surface:
    if path == "/api/v1" or path.startswith("/api/v1/"):
        return Surface.JOBS
    if path == "/api" or path.startswith("/api/"):
        return Surface.CARDS
    return Surface.PROBLEM


class ApiError(Exception):
    """A failure a client should see: an HTTP status, a stable code and a readable message.

    Args:
        status: HTTP status code.
        message: Human-readable, safe to show (never internals).
        code: Machine-readable UPPER_SNAKE code; defaults from the status.
        extra: More fields for the body (e.g. ``required_tokens``), merged per surface.
        headers: Response headers (e.g. ``Retry-After``).
    """

    def __init__(
        self,
        status: int,
        message: str | None = None,
        *,
        code: str | None = None,
        extra: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.status = status
        self.message = message or _phrase(status)
        self.code = code or DEFAULT_CODES.get(status, f"HTTP_{status}")
        self.extra = dict(extra or {})
        self.headers = dict(headers or {})
        super().__init__(f"{status} {self.code}: {self.message}")


def error_response(error: ApiError, surface: Surface) -> Response[Any]:
    """Render an ApiError in one surface's format. Errors are never cached."""
    headers = {"Cache-Control": "no-store", **error.headers}
    body: dict[str, Any]
    media_type: str = MediaType.JSON
    if surface is Surface.CARDS:
        body = {"success": False, "error": {"code": error.code, "message": error.message}}
        body["error"].update(error.extra)
    elif surface is Surface.JOBS:
        body = {"statusCode": error.status, "message": error.message, **error.extra}
    else:
        body = {
            "type": "about:blank",
            "title": _phrase(error.status),
            "status": error.status,
            "detail": error.message,
            "code": error.code,
            **error.extra,
        }
        media_type = PROBLEM_JSON
    return Response(body, status_code=error.status, headers=headers, media_type=media_type)


def handle_exception(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Litestar exception handler for every exception, in every surface."""
    surface = surface_for_path(request.url.path)
    return error_response(to_api_error(exc, surface, request), surface)


def to_api_error(exc: Exception, surface: Surface, request: Request[Any, Any, Any]) -> ApiError:
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, ValidationException):
        return _validation_error(exc, surface)
    if isinstance(exc, HTTPException) and exc.status_code < 500:
        detail = exc.detail if exc.detail and exc.detail != _phrase(exc.status_code) else None
        return ApiError(exc.status_code, detail, headers=exc.headers or None)
    request_id = request.scope.get("state", {}).get("request_id", "-")
    log.error(
        "unhandled_exception",
        request_id=request_id,
        method=request.method,
        path=request.url.path,
        exc_info=exc,
    )
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    return ApiError(status, f"Internal server error (request id {request_id})")


def _validation_error(exc: ValidationException, surface: Surface) -> ApiError:
    """Litestar's validation failures: name the offending parameter, keep internals out."""
    problems: list[str] = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if isinstance(item, dict):
            key, text = item.get("key"), str(item.get("message", "is invalid"))
            problems.append(f"{key} {_lower_first(text)}" if key else text)
    detail = "; ".join(problems) or "request is invalid"
    if surface is Surface.JOBS:
        return ApiError(exc.status_code, f"Validation failed: {detail}", code="VALIDATION_FAILED")
    code = "INVALID_PARAMETER" if problems else "BAD_REQUEST"
    return ApiError(exc.status_code, detail, code=code)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
