"""HTTP for the user data API: ``/api/my-templates`` and ``/api/favorites``.

Handlers only translate: checks live in :mod:`~ogplatform.userdata.validate`, the database work
in :mod:`~ogplatform.userdata.service`. Every response is ``Cache-Control: private, no-store``
(the URLs carry the userKey); without a database every endpoint answers 501 ``DB_UNAVAILABLE``.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, Router, delete, get, patch, post
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency
from litestar.exceptions import ClientException, SerializationException, ValidationException
from litestar.params import FromQuery, JSONBody, QueryParameter
from sqlmodel.ext.asyncio.session import AsyncSession

from ogplatform.errors import ApiError, Surface, error_response, handle_exception
from ogplatform.runtime import Runtime
from ogplatform.userdata import service
from ogplatform.userdata.keys import owner_hash, validate_user_key
from ogplatform.userdata.schemas import (
    FavoritesBody,
    FavoritesResponse,
    RemovedFavoriteResponse,
    RenameTemplateBody,
    SavedTemplate,
    SaveTemplateBody,
    SuccessResponse,
    TemplateListResponse,
    TemplateResponse,
)
from ogplatform.userdata.validate import (
    check_favorite_ids,
    check_name,
    check_payload,
    default_name,
)

__all__ = ["userdata_router"]

UserKey = Annotated[
    str | None,
    QueryParameter(name="userKey", description="The user's secret key: 8..128 of A-Za-z0-9_-."),
]
RATE_LIMIT = {"ratelimit": "user_data"}
# The URLs carry the userKey: nothing may be kept by a shared cache, nor by the browser's.
CACHE_CONTROL = "private, no-store"
# A 16 KiB payload with room for JSON escapes, or 500 favourite ids; anything larger is a 413.
MAX_BODY_BYTES = 64 * 1024
MAX_PAGE = 100
DEFAULT_PAGE = 50


@get("/my-templates", opt=RATE_LIMIT, summary="List the user's saved templates, newest first")
async def list_my_templates(
    db_session: NamedDependency[AsyncSession],
    user_key: UserKey = None,
    limit: FromQuery[str] = str(DEFAULT_PAGE),
    offset: FromQuery[str] = "0",
) -> TemplateListResponse:
    owner = _owner(user_key)
    size, start = _bounded(limit, "limit", 1, MAX_PAGE), _bounded(offset, "offset", 0, 10**9)
    rows, total = await service.list_templates(db_session, owner, size, start)
    return TemplateListResponse(
        success=True,
        templates=[SavedTemplate.from_row(row) for row in rows],
        total=total,
        limit=size,
        offset=start,
    )


@post(
    "/my-templates",
    opt=RATE_LIMIT,
    request_max_body_size=MAX_BODY_BYTES,
    summary="Save a snapshot of the editor state (the /api/og parameters)",
)
async def save_my_template(
    db_session: NamedDependency[AsyncSession],
    runtime: NamedDependency[Runtime],
    data: JSONBody[SaveTemplateBody],
) -> TemplateResponse:
    owner = _owner(data.user_key)
    payload, card = check_payload(data.payload, data.template_id, runtime.plugins)
    name = check_name(data.name, default=default_name(card))
    row = await service.create_template(
        db_session, owner, name=name, template_id=card.template, payload=payload
    )
    return TemplateResponse(success=True, template=SavedTemplate.from_row(row))


@patch(
    "/my-templates",
    opt=RATE_LIMIT,
    request_max_body_size=MAX_BODY_BYTES,
    summary="Rename a saved template",
)
async def rename_my_template(
    db_session: NamedDependency[AsyncSession], data: JSONBody[RenameTemplateBody]
) -> TemplateResponse:
    owner = _owner(data.user_key)
    template_id = _required(data.id, "id")
    name = check_name(data.name)
    row = await service.rename_template(db_session, owner, template_id, name)
    return TemplateResponse(success=True, template=SavedTemplate.from_row(row))


@delete("/my-templates", opt=RATE_LIMIT, status_code=200, summary="Delete a saved template")
async def delete_my_template(
    db_session: NamedDependency[AsyncSession],
    user_key: UserKey = None,
    id: FromQuery[str | None] = None,
) -> SuccessResponse:
    owner = _owner(user_key)
    await service.delete_template(db_session, owner, _required(id, "id"))
    return SuccessResponse(success=True)


@get("/favorites", opt=RATE_LIMIT, summary="List the user's favourite background ids")
async def list_favorites(
    db_session: NamedDependency[AsyncSession],
    runtime: NamedDependency[Runtime],
    user_key: UserKey = None,
) -> FavoritesResponse:
    owner = _owner(user_key)
    stored = await service.favorite_ids(db_session, owner)
    # Ids of backgrounds no longer installed stay stored but are not offered, so a client that
    # posts back what it read is never refused for them.
    known = runtime.plugins.plugins("backgrounds")
    available = {record.id for record in known}
    return FavoritesResponse(success=True, ids=[i for i in stored if i in available])


@post(
    "/favorites",
    opt=RATE_LIMIT,
    status_code=200,
    request_max_body_size=MAX_BODY_BYTES,
    summary="Replace the user's favourite backgrounds with this ordered list",
)
async def replace_favorites(
    db_session: NamedDependency[AsyncSession],
    runtime: NamedDependency[Runtime],
    data: JSONBody[FavoritesBody],
) -> FavoritesResponse:
    owner = _owner(data.user_key)
    ids = check_favorite_ids(data.ids, runtime.plugins)
    return FavoritesResponse(
        success=True, ids=await service.replace_favorites(db_session, owner, ids)
    )


@delete(
    "/favorites",
    opt=RATE_LIMIT,
    status_code=200,
    summary="Remove one background from the favourites (succeeds if it was not there)",
)
async def remove_favorite(
    db_session: NamedDependency[AsyncSession],
    user_key: UserKey = None,
    id: FromQuery[str | None] = None,
) -> RemovedFavoriteResponse:
    owner = _owner(user_key)
    ids, removed = await service.remove_favorite(db_session, owner, _required(id, "id"))
    return RemovedFavoriteResponse(success=True, ids=ids, removed=removed)


def _owner(user_key: str | None) -> str:
    return owner_hash(validate_user_key(user_key))


def _required(value: str | None, name: str) -> str:
    if not value:
        raise ApiError(400, f"{name} is required", code="INVALID_PARAMETER")
    return value


def _bounded(value: str, name: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except ValueError:
        number = low - 1
    if not low <= number <= high:
        raise ApiError(
            400, f"{name} must be an integer from {low} to {high}", code=f"INVALID_{name.upper()}"
        )
    return number


def _client_error(request: Request[Any, Any, Any], exc: ClientException) -> Response[Any]:
    """Bodies that are not JSON, or not a JSON object, get codes of their own; other client
    errors are rendered as everywhere."""
    if isinstance(exc.__cause__, SerializationException):
        error = ApiError(400, f"request body is not valid JSON: {exc.detail}", code="INVALID_JSON")
        return error_response(error, Surface.CARDS)
    problems = exc.extra if isinstance(exc, ValidationException) else None
    if isinstance(problems, list) and any(
        isinstance(item, dict) and item.get("key") == "data" for item in problems
    ):
        error = ApiError(400, "request body must be a JSON object", code="INVALID_BODY")
        return error_response(error, Surface.CARDS)
    return handle_exception(request, exc)


userdata_router = Router(
    "/api",
    route_handlers=[
        list_my_templates,
        save_my_template,
        rename_my_template,
        delete_my_template,
        list_favorites,
        replace_favorites,
        remove_favorite,
    ],
    tags=["user data"],
    response_headers=[ResponseHeader(name="Cache-Control", value=CACHE_CONTROL)],
    exception_handlers={ClientException: _client_error},
)
