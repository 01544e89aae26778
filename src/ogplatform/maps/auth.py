"""Who may call the map API: ``Authorization: Bearer <key>``, resolved to a :class:`Principal`.

Two kinds of caller: the operator's ``[auth] admin_token`` (every project) and a project's API
key (``sma_...``, see :mod:`ogplatform.maps.projects`), which reaches only its own project.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any, Literal

from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from ogplatform.auth import bearer_token
from ogplatform.errors import ApiError
from ogplatform.runtime import Runtime

__all__ = [
    "Principal",
    "authenticate",
    "optional_principal",
    "principal_of",
    "require_api_key",
    "verify_project_key",
]

_STATE_KEY = "principal"  # where the guard leaves the caller in the request state


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller: the operator (admin token) or, later, a project's API key."""

    kind: Literal["admin", "project_key"]
    subject: str  # "admin", or the API key's id
    project_id: str | None = None  # the key's project; None for the operator (every project)


ADMIN = Principal(kind="admin", subject="admin")


async def verify_project_key(runtime: Runtime, token: str) -> Principal | None:
    """The principal of a live project API key (``sma_...``), or None if ``token`` is not one."""
    from ogplatform.maps.projects import KEY_PREFIX, find_key

    if runtime.database is None or not token.startswith(KEY_PREFIX):
        return None
    async with runtime.database.session() as session:
        key = await find_key(session, token)
    if key is None:
        return None
    return Principal(kind="project_key", subject=key.id, project_id=key.project_id)


def _project_keys_enabled(runtime: Runtime) -> bool:
    """Whether any project API key could be valid: keys live in the database."""
    return runtime.database is not None


async def optional_principal(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    """The caller if the request carries a valid key, None if it carries none.

    For resources that anonymous callers may see too (public maps); a key that is presented
    but wrong is still a 401.
    """
    if bearer_token(connection) is None:
        return None
    return await authenticate(connection)


async def authenticate(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    """Resolve the Bearer token of a request to a principal, or raise a 401 ``ApiError``."""
    runtime: Runtime = connection.app.state.runtime
    admin_token = runtime.settings.auth.admin_token
    if not admin_token and not _project_keys_enabled(runtime):
        raise _unauthorized("API keys are not configured yet on this server")
    token = bearer_token(connection)
    if token is None:
        raise _unauthorized("Missing API key (Authorization: Bearer <key>)")
    if admin_token and hmac.compare_digest(token.encode(), admin_token.encode()):
        return ADMIN
    principal = await verify_project_key(runtime, token)
    if principal is None:
        raise _unauthorized("Invalid API key", error="invalid_token")
    return principal


async def require_api_key(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """Guard: let the request through only with a valid API key; remember who it was."""
    connection.state[_STATE_KEY] = await authenticate(connection)


def principal_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    """The principal :func:`require_api_key` authenticated for this request."""
    principal: Principal = connection.state[_STATE_KEY]
    return principal


def _unauthorized(message: str, error: str | None = None) -> ApiError:
    challenge = 'Bearer realm="ogplatform"' + (f', error="{error}"' if error else "")
    return ApiError(401, message, code="UNAUTHORIZED", headers={"WWW-Authenticate": challenge})
