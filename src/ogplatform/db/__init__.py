"""The database: sqlmodel tables, the async engine and sessions, and Alembic migrations.

Typical start-up::

    await upgrade(settings.database.url)
    db = Database.from_url(settings.database.url, echo=settings.database.echo)
    async with db.session() as session:
        ...
"""

from sqlmodel import SQLModel

from ogplatform.db.engine import Database
from ogplatform.db.migrate import current_revision, downgrade, head_revision, revision, upgrade
from ogplatform.db.models import (
    ApiKey,
    FavoriteSet,
    Job,
    Map,
    Project,
    UserTemplate,
    UTCDateTime,
)

__all__ = [
    "ApiKey",
    "Database",
    "FavoriteSet",
    "Job",
    "Map",
    "Project",
    "UTCDateTime",
    "UserTemplate",
    "current_revision",
    "downgrade",
    "head_revision",
    "metadata",
    "revision",
    "upgrade",
]

metadata = SQLModel.metadata
