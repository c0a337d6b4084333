"""recognition of prior learning: applications, evidence, juries, decisions (slot, written by hand)

Revision ID: c14a0004rpl
Revises: c14a0003plan
Create Date: 2026-12-01 14:04:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = "c14a0004rpl"
down_revision: str | None = "c14a0003plan"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
