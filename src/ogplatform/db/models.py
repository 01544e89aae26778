"""The sqlmodel tables, and the column types they share.

Every change here needs a migration in ``migrations/versions`` (see ``docs/database.md``); a test
fails when the models and the migrations disagree.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

__all__ = [
    "NAMING_CONVENTION",
    "ApiKey",
    "FavoriteSet",
    "Job",
    "Map",
    "Project",
    "UTCDateTime",
    "UserTemplate",
    "WebhookDelivery",
    "new_id",
    "utcnow",
]

# Deterministic constraint names, the same on SQLite and PostgreSQL, so a later migration can
# name the constraint it drops. Set before any table is declared: names are given at declaration.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def new_id() -> str:
    """A fresh random UUID4 in its 36-character text form."""
    return str(uuid.uuid4())


class UTCDateTime(sa.TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware.

    PostgreSQL keeps the zone (``timestamptz``); SQLite stores text without one, so values are
    converted to UTC on the way in and marked UTC on the way out. Naive datetimes are refused:
    their zone would be a guess.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} given; use an aware one (UTC)")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
        return value.astimezone(UTC)  # type: ignore[no-any-return]


class Project(SQLModel, table=True):
    """A user's project: the owner of API keys, map jobs and maps."""

    __tablename__ = "projects"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    name: str = Field(max_length=120, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    # Tokens left for map jobs; None = unlimited (the self-hosting default).
    token_balance: int | None = Field(default=None, nullable=True)
    # Where job.completed / job.failed events go, and the HMAC secret that signs them.
    webhook_url: str | None = Field(default=None, max_length=2000, nullable=True)
    webhook_secret: str | None = Field(default=None, max_length=200, nullable=True)
    # Visibility of the maps its jobs create: public, unlisted or private.
    default_visibility: str = Field(
        default="public", max_length=16, sa_column_kwargs={"server_default": "public"}
    )


class UserTemplate(SQLModel, table=True):
    """A card design saved by one user (``/api/my-templates``).

    The owner is the SHA-256 of their ``userKey`` (a bearer secret that is never stored);
    ``payload`` holds the ``/api/og`` parameters as a JSON object of strings.
    """

    __tablename__ = "user_templates"
    __table_args__ = (
        # The listing: one user's templates, newest first.
        sa.Index("ix_user_templates_owner_created", "owner_hash", "created_at"),
    )

    id: str = Field(primary_key=True, max_length=32)
    owner_hash: str = Field(max_length=64)
    name: str = Field(max_length=400)
    template_id: str = Field(max_length=64)
    payload: dict[str, str] = Field(sa_type=sa.JSON, nullable=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class FavoriteSet(SQLModel, table=True):
    """One user's favourite background ids, in their order (``/api/favorites``).

    The whole ordered list lives in one row, so replacing it is a single-row write: a reader
    sees the old list or the new one, never a mix.
    """

    __tablename__ = "favorite_sets"

    owner_hash: str = Field(primary_key=True, max_length=64)
    background_ids: list[str] = Field(sa_type=sa.JSON, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class ApiKey(SQLModel, table=True):
    """A project's API key. Only its SHA-256 is kept; ``prefix`` shows which key it is."""

    __tablename__ = "api_keys"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    project_id: str = Field(
        foreign_key="projects.id", ondelete="CASCADE", max_length=36, index=True
    )
    prefix: str = Field(max_length=16)
    key_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


class Job(SQLModel, table=True):
    """One unit of background work (``job_type`` names its handler). The row is the truth.

    ``status``: pending -> processing -> completed | failed. A processing job belongs to
    ``lease_owner`` until ``lease_expires_at``; after that any runner may claim it again.
    """

    __tablename__ = "jobs"
    __table_args__ = (
        # A retried POST with the same Idempotency-Key finds the job it created.
        sa.UniqueConstraint("project_id", "idempotency_key"),
        # The listing: one project's jobs of a type, newest first.
        sa.Index("ix_jobs_project_type_created", "project_id", "job_type", "created_at"),
        # Claiming: pending jobs due now, and processing ones whose lease ran out.
        sa.Index("ix_jobs_status_available", "status", "available_at"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    job_type: str = Field(max_length=32)
    project_id: str | None = Field(
        default=None, foreign_key="projects.id", ondelete="CASCADE", max_length=36
    )
    api_key_id: str | None = Field(default=None, max_length=36)
    idempotency_key: str | None = Field(default=None, max_length=255)
    payload: dict[str, Any] = Field(sa_type=sa.JSON, nullable=False)
    result: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON, nullable=True)
    status: str = Field(default="pending", max_length=16)
    error: str | None = Field(default=None, max_length=2000)
    estimated_token_cost: int = Field(default=0)
    actual_token_cost: int | None = Field(default=None, nullable=True)
    attempts: int = Field(default=0)
    max_attempts: int = Field(default=3)
    available_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    lease_owner: str | None = Field(default=None, max_length=64)
    lease_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


class Map(SQLModel, table=True):
    """A rendered map, created by a completed map job; its images live in storage."""

    __tablename__ = "maps"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    project_id: str = Field(
        foreign_key="projects.id", ondelete="CASCADE", max_length=36, index=True
    )
    job_id: str = Field(max_length=36, unique=True)
    title: str = Field(max_length=200)
    visibility: str = Field(default="public", max_length=16)
    location_id: str = Field(max_length=36)
    theme: str = Field(max_length=64)
    width: int
    height: int
    output_format: str = Field(max_length=8)
    map_key: str = Field(max_length=500)
    thumbnail_key: str | None = Field(default=None, max_length=500)
    og_image_key: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class WebhookDelivery(SQLModel, table=True):
    """One webhook event for a project (the outbox): written in the transaction that ended the
    job, then POSTed by a delivery task until it is ``delivered`` or ``failed``.

    ``status``: pending -> delivered | failed. A pending row is due at ``next_attempt_at``; a
    delivery in progress pushes it out by a lease, so a sender that dies leaves it due again.
    ``id`` is the ``X-Webhook-Id`` header, the same on every attempt.
    """

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        # A job ends once: one event per job, however the transaction that ended it was retried.
        sa.UniqueConstraint("job_id", "event"),
        # Claiming: pending deliveries that are due.
        sa.Index("ix_webhook_deliveries_status_next", "status", "next_attempt_at"),
        # A project's deliveries, newest first.
        sa.Index("ix_webhook_deliveries_project_created", "project_id", "created_at"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    project_id: str = Field(foreign_key="projects.id", ondelete="CASCADE", max_length=36)
    job_id: str = Field(max_length=36)
    event: str = Field(max_length=64)
    # The request body, exactly: {"event", "created_at", "data": {"job": ...}}.
    payload: dict[str, Any] = Field(sa_type=sa.JSON, nullable=False)
    status: str = Field(default="pending", max_length=16)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    lease_owner: str | None = Field(default=None, max_length=64)
    last_status_code: int | None = Field(default=None, nullable=True)
    last_error: str | None = Field(default=None, max_length=2000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
