"""A project's webhook: its URL (http or https only), its signing secret, the signature, and
its latest deliveries."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ogplatform.db.models import Project, WebhookDelivery

__all__ = [
    "SECRET_PREFIX",
    "check_webhook_url",
    "clear_webhook",
    "recent_deliveries",
    "set_webhook",
    "sign",
]

SECRET_PREFIX = "whsec_"  # noqa: S105 - the prefix of generated secrets, not a secret
MAX_URL = 2000


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """The ``X-Webhook-Signature`` header: ``sha256=`` and the hex HMAC-SHA256, keyed with the
    project's secret, of ``{timestamp}.{body}``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def check_webhook_url(url: str) -> str:
    """``url`` if it can be a webhook: absolute http(s) with a host, no credentials; else
    ValueError saying why. Other schemes (file:, gopher:, ...) are never fetched."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        raise ValueError("the webhook URL must start with http:// or https://")
    if not parts.hostname:
        raise ValueError("the webhook URL has no host")
    if parts.username or parts.password:
        raise ValueError("the webhook URL must not contain credentials")
    if len(url) > MAX_URL:
        raise ValueError(f"the webhook URL is longer than {MAX_URL} characters")
    return url.strip()


async def set_webhook(
    session: AsyncSession, project_id: str, url: str, *, keep_secret: bool = False
) -> str:
    """Point the project's webhook at ``url`` (committed) and return its signing secret: a new
    one unless ``keep_secret`` and it has one. LookupError for an unknown project, ValueError
    for a URL :func:`check_webhook_url` refuses."""
    url = check_webhook_url(url)
    project = await session.get(Project, project_id)
    if project is None:
        raise LookupError(f"no project {project_id}")
    if not (keep_secret and project.webhook_secret):
        project.webhook_secret = SECRET_PREFIX + secrets.token_urlsafe(24)
    project.webhook_url = url
    secret = project.webhook_secret
    session.add(project)
    await session.commit()
    return secret


async def clear_webhook(session: AsyncSession, project_id: str) -> None:
    """Turn the project's webhook off (committed): no new events; pending ones are dropped as
    failed when their turn comes. LookupError for an unknown project."""
    project = await session.get(Project, project_id)
    if project is None:
        raise LookupError(f"no project {project_id}")
    project.webhook_url = None
    project.webhook_secret = None
    session.add(project)
    await session.commit()


async def recent_deliveries(
    session: AsyncSession, project_id: str, limit: int = 10
) -> list[WebhookDelivery]:
    """The project's latest deliveries, newest first."""
    rows = await session.exec(
        select(WebhookDelivery)
        .where(col(WebhookDelivery.project_id) == project_id)
        .order_by(col(WebhookDelivery.created_at).desc())
        .limit(limit)
    )
    return list(rows.all())
