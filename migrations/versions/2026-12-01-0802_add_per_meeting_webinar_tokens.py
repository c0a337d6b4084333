"""add per-meeting webinar tokens

Revision ID: b11a0003webi
Revises: b11a0002auth
Create Date: 2026-12-01 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'b11a0003webi'
down_revision: str | None = 'b11a0002auth'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Each meeting gets its own events-address token (only its SHA-256 is kept), replacing
    # the one platform-wide token derived from the secret key.
    with op.batch_alter_table("webinar_sessions") as batch:
        batch.add_column(sa.Column("events_token_digest", sa.String(length=64), nullable=True))
        batch.create_unique_constraint(
            "uq_webinar_sessions_events_token_digest", ["events_token_digest"]
        )


def downgrade() -> None:
    with op.batch_alter_table("webinar_sessions") as batch:
        batch.drop_constraint("uq_webinar_sessions_events_token_digest", type_="unique")
        batch.drop_column("events_token_digest")
