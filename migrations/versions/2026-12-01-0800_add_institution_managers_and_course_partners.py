"""add institution managers and course partner institutions

Revision ID: b11a0001tena
Revises: da89f71f7ef2
Create Date: 2026-12-01 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = 'b11a0001tena'
down_revision: str | None = 'da89f71f7ef2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # 'institution_manager' does not fit the 16 characters of the first platform roles.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column(
            'platform_role',
            existing_type=sa.String(length=16),
            type_=sa.String(length=24),
            existing_nullable=False,
        )
    op.create_table('course_partners',
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_course_partners_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_course_partners_institution_id_institutions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('course_id', 'institution_id', name=op.f('pk_course_partners'))
    )
    with op.batch_alter_table('course_partners', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_partners_institution_id'), ['institution_id'], unique=False)
    with op.batch_alter_table('cohorts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('institution_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_cohorts_institution_id'), ['institution_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_cohorts_institution_id_institutions'), 'institutions', ['institution_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('cohorts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_cohorts_institution_id_institutions'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_cohorts_institution_id'))
        batch_op.drop_column('institution_id')
    with op.batch_alter_table('course_partners', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_partners_institution_id'))
    op.drop_table('course_partners')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column(
            'platform_role',
            existing_type=sa.String(length=24),
            type_=sa.String(length=16),
            existing_nullable=False,
        )
