"""Create the user data tables: saved templates and favourite backgrounds.

Revision ID: 0002
Revises: 0001
Create Date: 2025-01-02 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "user_templates",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("owner_hash", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=400), nullable=False),
        sa.Column("template_id", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_templates")),
    )
    op.create_index(
        op.f("ix_user_templates_owner_created"),
        "user_templates",
        ["owner_hash", "created_at"],
        unique=False,
    )
    op.create_table(
        "favorite_sets",
        sa.Column("owner_hash", sa.String(length=64), nullable=False),
        sa.Column("background_ids", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("owner_hash", name=op.f("pk_favorite_sets")),
    )


def downgrade() -> None:
    op.drop_table("favorite_sets")
    op.drop_index(op.f("ix_user_templates_owner_created"), table_name="user_templates")
    op.drop_table("user_templates")
