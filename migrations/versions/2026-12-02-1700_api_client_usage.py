"""partner clients' own rate limits and their usage per minute (written by hand)

Revision ID: c16a0001rate
Revises: c16b0001hook
Create Date: 2026-12-02 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = "c16a0001rate"
down_revision: str | None = "c16b0001hook"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_clients") as batch:
        batch.add_column(sa.Column("rate_limit_per_minute", sa.Integer(), nullable=True))
    op.create_table(
        "api_client_usage",
        sa.Column("api_client_id", sa.Integer(), nullable=False),
        sa.Column("window_start", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["api_client_id"],
            ["api_clients.id"],
            name=op.f("fk_api_client_usage_api_client_id_api_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("api_client_id", "window_start", name=op.f("pk_api_client_usage")),
    )
    with op.batch_alter_table("api_client_usage") as batch:
        batch.create_index(batch.f("ix_api_client_usage_window_start"), ["window_start"])


def downgrade() -> None:
    with op.batch_alter_table("api_client_usage") as batch:
        batch.drop_index(batch.f("ix_api_client_usage_window_start"))
    op.drop_table("api_client_usage")
    with op.batch_alter_table("api_clients") as batch:
        batch.drop_column("rate_limit_per_minute")
