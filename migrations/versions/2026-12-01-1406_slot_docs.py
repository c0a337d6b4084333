"""issued documents (transcripts, certificates) and signing keys (slot, written by hand)

Revision ID: c14a0006docs
Revises: c14a0005xfer
Create Date: 2026-12-01 14:06:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = "c14a0006docs"
down_revision: str | None = "c14a0005xfer"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
