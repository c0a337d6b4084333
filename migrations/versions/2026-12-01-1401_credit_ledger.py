"""add the credit ledger, ECTS grading tables and courses' reference groups

Revision ID: c14a0001cred
Revises: c13a0008quiz
Create Date: 2026-12-01 14:01:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = 'c14a0001cred'
down_revision: str | None = 'c13a0008quiz'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('grading_tables',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_institution_id', sa.Integer(), nullable=True),
    sa.Column('isced_code', sa.String(length=4), nullable=False),
    sa.Column('eqf_level', sa.Integer(), nullable=False),
    sa.Column('scale_code', sa.String(length=32), nullable=False),
    sa.Column('source', sa.Enum('computed', 'imported', name='tablesource', native_enum=False, length=24), nullable=False),
    sa.Column('period_from', sa.Date(), nullable=False),
    sa.Column('period_to', sa.Date(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_grading_tables_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_institution_id'], ['institutions.id'], name=op.f('fk_grading_tables_owner_institution_id_institutions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grading_tables'))
    )
    with op.batch_alter_table('grading_tables', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grading_tables_owner_institution_id'), ['owner_institution_id'], unique=False)

    op.create_table('credit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=True),
    sa.Column('unit_code', sa.String(length=64), nullable=False),
    sa.Column('unit_title', sa.String(length=300), nullable=False),
    sa.Column('credits', sa.Numeric(precision=5, scale=1), nullable=False),
    sa.Column('grade', sa.String(length=64), nullable=True),
    sa.Column('grade_value', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('scale_code', sa.String(length=32), nullable=True),
    sa.Column('percent', sa.Numeric(precision=6, scale=3), nullable=True),
    sa.Column('isced_code', sa.String(length=4), nullable=True),
    sa.Column('eqf_level', sa.Integer(), nullable=True),
    sa.Column('grading_table_id', sa.Integer(), nullable=True),
    sa.Column('band_from', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('band_to', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('institution_id', sa.Integer(), nullable=True),
    sa.Column('term', sa.String(length=16), nullable=False),
    sa.Column('awarded_on', sa.Date(), nullable=False),
    sa.Column('source', sa.Enum('course_result', 'recognition', 'transfer', name='entrysource', native_enum=False, length=24), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('award', 'correction', 'revocation', name='entrykind', native_enum=False, length=24), nullable=False),
    sa.Column('supersedes_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('by_user_id', sa.Integer(), nullable=True),
    sa.Column('by_client_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['by_client_id'], ['api_clients.id'], name=op.f('fk_credit_entries_by_client_id_api_clients'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['by_user_id'], ['users.id'], name=op.f('fk_credit_entries_by_user_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_credit_entries_course_id_courses'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['grading_table_id'], ['grading_tables.id'], name=op.f('fk_credit_entries_grading_table_id_grading_tables'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_credit_entries_institution_id_institutions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['supersedes_id'], ['credit_entries.id'], name=op.f('fk_credit_entries_supersedes_id_credit_entries')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_credit_entries_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_entries')),
    sa.UniqueConstraint('supersedes_id', name=op.f('uq_credit_entries_supersedes_id'))
    )
    with op.batch_alter_table('credit_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_entries_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_entries_institution_id'), ['institution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_entries_user_id'), ['user_id'], unique=False)

    op.create_table('grading_table_rows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('table_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('grade', sa.String(length=64), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('percent', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('cumulative', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['table_id'], ['grading_tables.id'], name=op.f('fk_grading_table_rows_table_id_grading_tables'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grading_table_rows')),
    sa.UniqueConstraint('table_id', 'position', name=op.f('uq_grading_table_rows_table_id_position'))
    )
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('isced_code', sa.String(length=4), nullable=True))
        batch_op.add_column(sa.Column('eqf_level', sa.Integer(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.drop_column('eqf_level')
        batch_op.drop_column('isced_code')

    op.drop_table('grading_table_rows')
    with op.batch_alter_table('credit_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_entries_user_id'))
        batch_op.drop_index(batch_op.f('ix_credit_entries_institution_id'))
        batch_op.drop_index(batch_op.f('ix_credit_entries_course_id'))

    op.drop_table('credit_entries')
    with op.batch_alter_table('grading_tables', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grading_tables_owner_institution_id'))

    op.drop_table('grading_tables')
