"""Guards: the operator's admin token (``[auth] admin_token``) for endpoints such as cache purge."""

from __future__ import annotations

import hmac
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from ogplatform.errors import ApiError
from ogplatform.runtime import Runtime

__all__ = ["bearer_token", "require_admin"]


def bearer_token(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, if there is one."""
    scheme, _, token = connection.headers.get("authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def require_admin(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Allow the request only with the configured admin token (compared in constant time)."""
    runtime: Runtime = connection.app.state.runtime
    expected = runtime.settings.auth.admin_token
    if not expected:
        raise ApiError(
            403, "operator endpoints are disabled: set auth.admin_token", code="ADMIN_DISABLED"
        )
    token = bearer_token(connection)
    if token is None:
        raise ApiError(
            401,
            "missing admin token (Authorization: Bearer ...)",
            headers={"WWW-Authenticate": 'Bearer realm="ogplatform-admin"'},
        )
    if not hmac.compare_digest(token.encode(), expected.encode()):
        raise ApiError(403, "admin token is not valid", code="FORBIDDEN")
