"""learning plans, advisors and double-degree agreements (slot, written by hand)

Revision ID: c14a0003plan
Revises: c14a0002rule
Create Date: 2026-12-01 14:03:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = "c14a0003plan"
down_revision: str | None = "c14a0002rule"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
