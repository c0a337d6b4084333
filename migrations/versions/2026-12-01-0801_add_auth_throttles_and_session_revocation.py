"""add auth throttles and session revocation

Revision ID: b11a0002auth
Revises: b11a0001tena
Create Date: 2026-12-01 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = 'b11a0002auth'
down_revision: str | None = 'b11a0001tena'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Failed sign-ins become one kind of throttled attempt among four. The rows only count
    # for 15 minutes, so they are not carried over: the counts start afresh.
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_failures_ip_address'))
        batch_op.drop_index(batch_op.f('ix_login_failures_failed_at'))
        batch_op.drop_index(batch_op.f('ix_login_failures_email'))
    op.drop_table('login_failures')
    op.create_table('throttle_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('failed_sign_in', 'failed_client_secret', 'reset_request', 'failed_reset_confirm', name='throttledattempt', native_enum=False, length=24), nullable=False),
    sa.Column('account', sa.String(length=320), nullable=True),
    sa.Column('ip_address', sa.String(length=45), nullable=False),
    sa.Column('at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_throttle_events'))
    )
    with op.batch_alter_table('throttle_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_throttle_events_at'), ['at'], unique=False)
        batch_op.create_index('ix_throttle_events_kind_account_at', ['kind', 'account', 'at'], unique=False)
        batch_op.create_index('ix_throttle_events_kind_ip_address_at', ['kind', 'ip_address', 'at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('throttle_events', schema=None) as batch_op:
        batch_op.drop_index('ix_throttle_events_kind_ip_address_at')
        batch_op.drop_index('ix_throttle_events_kind_account_at')
        batch_op.drop_index(batch_op.f('ix_throttle_events_at'))
    op.drop_table('throttle_events')
    op.create_table('login_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('ip_address', sa.String(length=45), nullable=False),
    sa.Column('failed_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures'))
    )
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_failures_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_failures_failed_at'), ['failed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_failures_ip_address'), ['ip_address'], unique=False)
