"""The map jobs API (``/api/v1/projects/{project_id}/jobs/maps``): create, read and list jobs.

A key reaches only its own project (any other answers 404, as if it did not exist); the
operator's admin token reaches every project. See docs/jobs.md.
"""

from __future__ import annotations

from typing import Annotated, Any

import sqlalchemy as sa
from litestar import Request, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ogplatform.db.models import Job, Project
from ogplatform.errors import ApiError
from ogplatform.maps.auth import Principal, principal_of, require_api_key
from ogplatform.maps.downloads import with_download_urls
from ogplatform.maps.locations import location_index
from ogplatform.maps.map_jobs import (
    JOB_TYPE,
    estimate_tokens,
    job_view,
    parse_job_request,
)
from ogplatform.runtime import Runtime

__all__ = ["jobs_router", "project_for"]

_PRIVATE = {"Cache-Control": "private, no-store"}
MAX_BODY_BYTES = 64 * 1024
MAX_IDEMPOTENCY_KEY = 255
MAX_PAGE, DEFAULT_PAGE = 100, 20
STATUSES = ("pending", "processing", "completed", "failed")


async def project_for(session: AsyncSession, principal: Principal, project_id: str) -> Project:
    """The project the caller may use, or 404 ``Project not found`` (also for other keys')."""
    if principal.project_id is not None and principal.project_id != project_id:
        raise _no_project()
    project = await session.get(Project, project_id) if len(project_id) <= 36 else None
    if project is None:
        raise _no_project()
    return project


def _no_project() -> ApiError:
    return ApiError(404, "Project not found", code="PROJECT_NOT_FOUND")


@post(
    "/projects/{project_id:str}/jobs/maps",
    opt={"ratelimit": "map_jobs"},
    request_max_body_size=MAX_BODY_BYTES,
    status_code=201,
    summary="Create a map job",
)
async def create_map_job(
    request: Request[Any, Any, Any],
    project_id: FromPath[str],
    db_session: NamedDependency[AsyncSession],
    runtime: NamedDependency[Runtime],
) -> Response[dict[str, Any]]:
    principal = principal_of(request)
    project = await project_for(db_session, principal, project_id)
    idempotency_key = request.headers.get("idempotency-key")
    if idempotency_key is not None and not 0 < len(idempotency_key) <= MAX_IDEMPOTENCY_KEY:
        raise ApiError(
            400,
            f"Validation failed: Idempotency-Key must be 1..{MAX_IDEMPOTENCY_KEY} characters",
            code="VALIDATION_FAILED",
        )
    if idempotency_key and (
        earlier := await _by_idempotency_key(db_session, idempotency_key, project.id)
    ):
        return _created(earlier, replayed=True)
    spec = parse_job_request(await request.body(), location_index(), runtime.plugins)
    cost = estimate_tokens(spec.width, spec.height, spec.dpi, spec.output_format)
    job = Job(
        job_type=JOB_TYPE,
        project_id=project.id,
        api_key_id=principal.subject if principal.kind == "project_key" else None,
        idempotency_key=idempotency_key or None,
        payload=spec.payload(),
        estimated_token_cost=cost,
        max_attempts=runtime.settings.jobs.max_attempts,
    )
    await _reserve_tokens(db_session, project, cost)
    db_session.add(job)
    try:
        await db_session.commit()
    except IntegrityError:  # the same Idempotency-Key raced us: theirs wins, our tokens return
        await db_session.rollback()
        earlier = await _by_idempotency_key(db_session, str(idempotency_key), project_id)
        if earlier is None:
            raise
        return _created(earlier, replayed=True)
    queue = getattr(request.app.state, "job_queue", None)
    if queue is not None:
        await queue.notify(job.id)
    return _created(job, replayed=False)


async def _by_idempotency_key(session: AsyncSession, key: str, project_id: str) -> Job | None:
    query = select(Job).where(
        Job.project_id == project_id, Job.idempotency_key == key, Job.job_type == JOB_TYPE
    )
    return (await session.exec(query)).first()


async def _reserve_tokens(session: AsyncSession, project: Project, cost: int) -> None:
    """Take ``cost`` from a limited balance, atomically; 402 when it does not cover it."""
    if project.token_balance is None:
        return
    project_id = project.id  # the rollback below expires the loaded object
    taken = await session.exec(
        sa.update(Project)
        .where(col(Project.id) == project_id, col(Project.token_balance) >= cost)
        .values(token_balance=col(Project.token_balance) - cost)
    )
    if taken.rowcount == 1:
        return
    await session.rollback()
    balance = (
        await session.exec(select(Project.token_balance).where(Project.id == project_id))
    ).first()
    raise ApiError(
        402,
        "Insufficient tokens",
        code="INSUFFICIENT_TOKENS",
        extra={"required_tokens": cost, "available_tokens": balance or 0},
    )


def _created(job: Job, *, replayed: bool) -> Response[dict[str, Any]]:
    headers = {**_PRIVATE, "Idempotent-Replayed": "true"} if replayed else _PRIVATE
    return Response(
        {"success": True, "job": job_view(job, detailed=False)}, status_code=201, headers=headers
    )


@get(
    "/projects/{project_id:str}/jobs/maps/{job_id:str}",
    opt={"ratelimit": "job_status"},
    summary="A map job's status, and its assets once completed",
)
async def get_map_job(
    request: Request[Any, Any, Any],
    project_id: FromPath[str],
    job_id: FromPath[str],
    db_session: NamedDependency[AsyncSession],
    runtime: NamedDependency[Runtime],
) -> Response[dict[str, Any]]:
    project = await project_for(db_session, principal_of(request), project_id)
    job = await db_session.get(Job, job_id) if len(job_id) <= 36 else None
    if job is None or job.project_id != project.id or job.job_type != JOB_TYPE:
        raise ApiError(404, "Job not found", code="JOB_NOT_FOUND")
    view = job_view(job)
    await with_download_urls(db_session, runtime, [view])  # signed for private maps
    return Response({"success": True, "job": view}, headers=_PRIVATE)


@get(
    "/projects/{project_id:str}/jobs/maps",
    opt={"ratelimit": "job_status"},
    summary="A project's map jobs, newest first",
)
async def list_map_jobs(
    request: Request[Any, Any, Any],
    project_id: FromPath[str],
    db_session: NamedDependency[AsyncSession],
    runtime: NamedDependency[Runtime],
    status: Annotated[str | None, QueryParameter(description=", ".join(STATUSES))] = None,
    limit: Annotated[str | None, QueryParameter(description=f"1..{MAX_PAGE}")] = None,
    offset: Annotated[str | None, QueryParameter(description=">= 0")] = None,
) -> Response[dict[str, Any]]:
    project = await project_for(db_session, principal_of(request), project_id)
    size = _bounded("limit", limit, DEFAULT_PAGE, 1, MAX_PAGE)
    start = _bounded("offset", offset, 0, 0, 10**9)
    if status is not None and status not in STATUSES:
        raise ApiError(
            400,
            f"Validation failed: status must be one of: {', '.join(STATUSES)}",
            code="VALIDATION_FAILED",
        )
    where = [col(Job.project_id) == project.id, col(Job.job_type) == JOB_TYPE]
    if status is not None:
        where.append(col(Job.status) == status)
    total = (await db_session.exec(select(func.count()).select_from(Job).where(*where))).one()
    rows = await db_session.exec(
        select(Job)
        .where(*where)
        .order_by(col(Job.created_at).desc(), col(Job.id))
        .limit(size)
        .offset(start)
    )
    views = [job_view(job) for job in rows.all()]
    await with_download_urls(db_session, runtime, views)
    body = {
        "success": True,
        "jobs": views,
        "total": total,
        "limit": size,
        "offset": start,
    }
    return Response(body, headers=_PRIVATE)


def _bounded(name: str, value: str | None, default: int, low: int, high: int) -> int:
    if value is None or value == "":
        return default
    if not value.isdigit() or not low <= int(value) <= high:
        raise ApiError(
            400,
            f"Validation failed: {name} must be an integer between {low} and {high}",
            code="VALIDATION_FAILED",
        )
    return int(value)


jobs_router = Router(
    "/api/v1",
    route_handlers=[create_map_job, get_map_job, list_map_jobs],
    guards=[require_api_key],
    tags=["map jobs"],
)
