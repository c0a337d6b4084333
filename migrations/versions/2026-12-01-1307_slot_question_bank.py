"""question bank: keep the Markdown of each version's general feedback (slot, written by hand)

Revision ID: c13a0007ques
Revises: c13a0006jury
Create Date: 2026-12-01 13:07:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c13a0007ques"
down_revision: str | None = "c13a0006jury"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("question_versions") as batch:
        batch.add_column(
            sa.Column("general_feedback_markdown", sa.Text(), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("question_versions") as batch:
        batch.drop_column("general_feedback_markdown")
