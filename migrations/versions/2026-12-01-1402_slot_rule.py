"""programme rules: elective groups, compensation units, semesters (slot, written by hand)

Revision ID: c14a0002rule
Revises: c14a0001cred
Create Date: 2026-12-01 14:02:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = "c14a0002rule"
down_revision: str | None = "c14a0001cred"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('programme_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('semesters', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_programme_rules_programme_id_programmes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_rules')),
    sa.UniqueConstraint('programme_id', name=op.f('uq_programme_rules_programme_id'))
    )
    op.create_table('elective_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('semester', sa.Integer(), nullable=True),
    sa.Column('min_credits', sa.Numeric(precision=5, scale=1), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_elective_groups_programme_id_programmes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_elective_groups')),
    sa.UniqueConstraint('programme_id', 'code', name=op.f('uq_elective_groups_programme_id_code'))
    )
    with op.batch_alter_table('elective_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_elective_groups_programme_id'), ['programme_id'], unique=False)

    op.create_table('elective_group_courses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_elective_group_courses_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['group_id'], ['elective_groups.id'], name=op.f('fk_elective_group_courses_group_id_elective_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_elective_group_courses')),
    sa.UniqueConstraint('group_id', 'course_id', name=op.f('uq_elective_group_courses_group_id_course_id'))
    )
    with op.batch_alter_table('elective_group_courses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_elective_group_courses_course_id'), ['course_id'], unique=False)

    op.create_table('compensation_units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('semester', sa.Integer(), nullable=True),
    sa.Column('threshold_percent', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_compensation_units_programme_id_programmes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_compensation_units')),
    sa.UniqueConstraint('programme_id', 'code', name=op.f('uq_compensation_units_programme_id_code'))
    )
    with op.batch_alter_table('compensation_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_compensation_units_programme_id'), ['programme_id'], unique=False)

    op.create_table('compensation_unit_courses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_compensation_unit_courses_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['compensation_units.id'], name=op.f('fk_compensation_unit_courses_unit_id_compensation_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_compensation_unit_courses')),
    sa.UniqueConstraint('unit_id', 'course_id', name=op.f('uq_compensation_unit_courses_unit_id_course_id'))
    )
    with op.batch_alter_table('compensation_unit_courses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_compensation_unit_courses_course_id'), ['course_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('compensation_unit_courses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_compensation_unit_courses_course_id'))
    op.drop_table('compensation_unit_courses')
    with op.batch_alter_table('compensation_units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_compensation_units_programme_id'))
    op.drop_table('compensation_units')
    with op.batch_alter_table('elective_group_courses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_elective_group_courses_course_id'))
    op.drop_table('elective_group_courses')
    with op.batch_alter_table('elective_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_elective_groups_programme_id'))
    op.drop_table('elective_groups')
    op.drop_table('programme_rules')
