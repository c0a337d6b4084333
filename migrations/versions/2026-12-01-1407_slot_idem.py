"""idempotency keys of API writes (slot, written by hand)

Revision ID: c14a0007idem
Revises: c14a0006docs
Create Date: 2026-12-01 14:07:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = "c14a0007idem"
down_revision: str | None = "c14a0006docs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
