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
    op.create_table('learning_agreements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('learner_id', sa.Integer(), nullable=False),
    sa.Column('home_institution_id', sa.Integer(), nullable=False),
    sa.Column('host_institution_id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('period_from', sa.Date(), nullable=False),
    sa.Column('period_to', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'proposed', 'approved', 'cancelled', name='agreementstatus', native_enum=False, length=24), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('replaces_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=True),
    sa.Column('proposed_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('home_approved_by_id', sa.Integer(), nullable=True),
    sa.Column('home_approved_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('host_approved_by_id', sa.Integer(), nullable=True),
    sa.Column('host_approved_by_client_id', sa.Integer(), nullable=True),
    sa.Column('host_approved_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_by_id', sa.Integer(), nullable=True),
    sa.Column('cancelled_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['cancelled_by_id'], ['users.id'], name=op.f('fk_learning_agreements_cancelled_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_learning_agreements_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['home_approved_by_id'], ['users.id'], name=op.f('fk_learning_agreements_home_approved_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['home_institution_id'], ['institutions.id'], name=op.f('fk_learning_agreements_home_institution_id_institutions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['host_approved_by_client_id'], ['api_clients.id'], name=op.f('fk_learning_agreements_host_approved_by_client_id_api_clients'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['host_approved_by_id'], ['users.id'], name=op.f('fk_learning_agreements_host_approved_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['host_institution_id'], ['institutions.id'], name=op.f('fk_learning_agreements_host_institution_id_institutions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['learner_id'], ['users.id'], name=op.f('fk_learning_agreements_learner_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_learning_agreements_programme_id_programmes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['users.id'], name=op.f('fk_learning_agreements_proposed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['replaces_id'], ['learning_agreements.id'], name=op.f('fk_learning_agreements_replaces_id_learning_agreements'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_learning_agreements'))
    )
    with op.batch_alter_table('learning_agreements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_learning_agreements_home_institution_id'), ['home_institution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_learning_agreements_host_institution_id'), ['host_institution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_learning_agreements_learner_id'), ['learner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_learning_agreements_status'), ['status'], unique=False)

    op.create_table('learning_agreement_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('host_course_code', sa.String(length=64), nullable=False),
    sa.Column('host_course_title', sa.String(length=300), nullable=False),
    sa.Column('host_credits', sa.Numeric(precision=5, scale=1), nullable=False),
    sa.Column('host_scale_code', sa.String(length=32), nullable=True),
    sa.Column('isced_code', sa.String(length=4), nullable=True),
    sa.Column('eqf_level', sa.Integer(), nullable=True),
    sa.Column('home_course_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['learning_agreements.id'], name=op.f('fk_learning_agreement_lines_agreement_id_learning_agreements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['home_course_id'], ['courses.id'], name=op.f('fk_learning_agreement_lines_home_course_id_courses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_learning_agreement_lines')),
    sa.UniqueConstraint('agreement_id', 'host_course_code', name=op.f('uq_learning_agreement_lines_agreement_id_host_course_code'))
    )
    with op.batch_alter_table('learning_agreement_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_learning_agreement_lines_agreement_id'), ['agreement_id'], unique=False)

    op.create_table('transfer_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('learner_id', sa.Integer(), nullable=False),
    sa.Column('host_institution_id', sa.Integer(), nullable=False),
    sa.Column('host_course_code', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('credits', sa.Numeric(precision=5, scale=1), nullable=False),
    sa.Column('grade', sa.String(length=64), nullable=False),
    sa.Column('scale_code', sa.String(length=32), nullable=True),
    sa.Column('isced_code', sa.String(length=4), nullable=True),
    sa.Column('eqf_level', sa.Integer(), nullable=True),
    sa.Column('completed_on', sa.Date(), nullable=False),
    sa.Column('via', sa.String(length=8), nullable=False),
    sa.Column('received_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('received_by_id', sa.Integer(), nullable=True),
    sa.Column('received_by_client_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('pending', 'recognised', 'refused', name='transferstatus', native_enum=False, length=24), nullable=False),
    sa.Column('waiting_reason', sa.Enum('no_agreement', 'no_matching_line', 'not_convertible', 'no_grading_table', name='waitingreason', native_enum=False, length=24), nullable=True),
    sa.Column('agreement_id', sa.Integer(), nullable=True),
    sa.Column('line_id', sa.Integer(), nullable=True),
    sa.Column('converted_grade', sa.String(length=64), nullable=True),
    sa.Column('converted_scale_code', sa.String(length=32), nullable=True),
    sa.Column('overlapping', sa.String(length=300), nullable=True),
    sa.Column('band_from', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('band_to', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('midpoint', sa.Numeric(precision=6, scale=3), nullable=True),
    sa.Column('rule', sa.String(length=64), nullable=True),
    sa.Column('source_table_id', sa.Integer(), nullable=True),
    sa.Column('target_table_id', sa.Integer(), nullable=True),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['learning_agreements.id'], name=op.f('fk_transfer_results_agreement_id_learning_agreements'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_transfer_results_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['entry_id'], ['credit_entries.id'], name=op.f('fk_transfer_results_entry_id_credit_entries'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['host_institution_id'], ['institutions.id'], name=op.f('fk_transfer_results_host_institution_id_institutions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['learner_id'], ['users.id'], name=op.f('fk_transfer_results_learner_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['line_id'], ['learning_agreement_lines.id'], name=op.f('fk_transfer_results_line_id_learning_agreement_lines'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['received_by_client_id'], ['api_clients.id'], name=op.f('fk_transfer_results_received_by_client_id_api_clients'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['received_by_id'], ['users.id'], name=op.f('fk_transfer_results_received_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['source_table_id'], ['grading_tables.id'], name=op.f('fk_transfer_results_source_table_id_grading_tables'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['target_table_id'], ['grading_tables.id'], name=op.f('fk_transfer_results_target_table_id_grading_tables'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transfer_results')),
    sa.UniqueConstraint('learner_id', 'host_institution_id', 'host_course_code', 'completed_on', name=op.f('uq_transfer_results_learner_id_host_institution_id_host_course_code_completed_on'))
    )
    with op.batch_alter_table('transfer_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transfer_results_host_institution_id'), ['host_institution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_transfer_results_learner_id'), ['learner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_transfer_results_status'), ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('transfer_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transfer_results_status'))
        batch_op.drop_index(batch_op.f('ix_transfer_results_learner_id'))
        batch_op.drop_index(batch_op.f('ix_transfer_results_host_institution_id'))

    op.drop_table('transfer_results')
    with op.batch_alter_table('learning_agreement_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_learning_agreement_lines_agreement_id'))

    op.drop_table('learning_agreement_lines')
    with op.batch_alter_table('learning_agreements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_learning_agreements_status'))
        batch_op.drop_index(batch_op.f('ix_learning_agreements_learner_id'))
        batch_op.drop_index(batch_op.f('ix_learning_agreements_host_institution_id'))
        batch_op.drop_index(batch_op.f('ix_learning_agreements_home_institution_id'))

    op.drop_table('learning_agreements')
