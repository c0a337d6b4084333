"""intake invitations and reports

Revision ID: c12a0003intk
Revises: c12a0002hide
Create Date: 2026-12-01 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = 'c12a0003intk'
down_revision: str | None = 'c12a0002hide'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("password_reset_tokens") as batch:
        batch.add_column(
            sa.Column(
                "purpose",
                sa.Enum("reset", "invitation", name="tokenpurpose", native_enum=False, length=16),
                server_default="reset",
                nullable=False,
            )
        )
    op.create_table(
        "intake_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("actor_client_id", sa.Integer(), nullable=True),
        sa.Column("course_id", sa.Integer(), nullable=True),
        sa.Column("cohort_id", sa.Integer(), nullable=True),
        sa.Column("institution_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=True),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["actor_client_id"], ["api_clients.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["actor_user_id"], ["users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohorts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["course_id"], ["courses.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["institution_id"], ["institutions.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_intake_runs_course_id", "intake_runs", ["course_id"])
    op.create_index("ix_intake_runs_cohort_id", "intake_runs", ["cohort_id"])
    op.create_table(
        "intake_rows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("reason_code", sa.String(length=64), nullable=True),
        sa.Column("reason_field", sa.String(length=64), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("invited_at", app.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["intake_runs.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_intake_rows_run_id", "intake_rows", ["run_id"])


def downgrade() -> None:
    op.drop_index("ix_intake_rows_run_id", table_name="intake_rows")
    op.drop_table("intake_rows")
    op.drop_index("ix_intake_runs_cohort_id", table_name="intake_runs")
    op.drop_index("ix_intake_runs_course_id", table_name="intake_runs")
    op.drop_table("intake_runs")
    with op.batch_alter_table("password_reset_tokens") as batch:
        batch.drop_column("purpose")
