"""hidden sections and modules

Revision ID: c12a0002hide
Revises: c12a0001hist
Create Date: 2026-12-01 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'c12a0002hide'
down_revision: str | None = 'c12a0001hist'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('sections', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('hidden', sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table('modules', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('hidden', sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table('modules', schema=None) as batch_op:
        batch_op.drop_column('hidden')
    with op.batch_alter_table('sections', schema=None) as batch_op:
        batch_op.drop_column('hidden')
