"""How a map job looks in a webhook event: exactly what ``GET .../jobs/maps/{id}`` shows."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from ogplatform.db.models import Job
from ogplatform.jobs.webhooks import JobView
from ogplatform.maps.downloads import with_download_urls
from ogplatform.maps.map_jobs import job_view
from ogplatform.runtime import Runtime

__all__ = ["map_event_view"]


def map_event_view(runtime: Runtime) -> JobView:
    """The ``data.job`` of a map job's events: :func:`~ogplatform.maps.map_jobs.job_view` with
    the download URLs the status API gives (signed ones for private maps)."""

    async def view(session: AsyncSession, job: Job) -> dict[str, Any]:
        shown = job_view(job)
        await with_download_urls(session, runtime, [shown])
        return shown

    return view
