"""credit transfer: learning agreements and results from host institutions (slot, written by hand)

Revision ID: c14a0005xfer
Revises: c14a0004rpl
Create Date: 2026-12-01 14:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = "c14a0005xfer"
down_revision: str | None = "c14a0004rpl"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
