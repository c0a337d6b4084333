"""question bank (slot: edit this file by hand; it is chained after the previous slot)

Revision ID: c13a0007ques
Revises: c13a0006jury
Create Date: 2026-12-01 13:07:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = "c13a0007ques"
down_revision: str | None = "c13a0006jury"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
