"""reporting projects, their programmes, targets and readers

Revision ID: c19b0001report
Revises: c18d0001survey
Create Date: 2026-12-06 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = "c19b0001report"
down_revision: str | None = "c18d0001survey"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=24)


def upgrade() -> None:
    op.create_table(
        "reporting_projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("funder", sa.String(length=200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("created_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "reporting_programmes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["programme_id"], ["programmes.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["project_id"], ["reporting_projects.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("project_id", "programme_id"),
    )
    op.create_index(
        "ix_reporting_programmes_project_id", "reporting_programmes", ["project_id"]
    )
    op.create_table(
        "report_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column(
            "indicator",
            _enum(
                "indicator", "enrolled", "completed", "professionals_trained", "refugee_share",
                "credits_awarded", "contact_hours", "scholarships",
            ),
            nullable=False,
        ),  # fmt: skip
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("institution_id", sa.Integer(), nullable=True),
        sa.Column("counts_from", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("value", sa.Numeric(precision=10, scale=1), nullable=False),
        sa.ForeignKeyConstraint(["institution_id"], ["institutions.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["programme_id"], ["programmes.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["project_id"], ["reporting_projects.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_report_targets_project_id", "report_targets", ["project_id"])
    op.create_table(
        "report_readers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", _enum("readerrole", "programme_manager", "funder"), nullable=False),
        sa.Column("monthly", sa.Boolean(), nullable=False),
        sa.Column("created_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["reporting_projects.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("project_id", "user_id"),
    )
    op.create_index("ix_report_readers_project_id", "report_readers", ["project_id"])
    op.create_index("ix_report_readers_user_id", "report_readers", ["user_id"])
    op.create_table(
        "report_mailings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("queued_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["reporting_projects.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("project_id", "month"),
    )


def downgrade() -> None:
    op.drop_table("report_mailings")
    op.drop_index("ix_report_readers_user_id", table_name="report_readers")
    op.drop_index("ix_report_readers_project_id", table_name="report_readers")
    op.drop_table("report_readers")
    op.drop_index("ix_report_targets_project_id", table_name="report_targets")
    op.drop_table("report_targets")
    op.drop_index("ix_reporting_programmes_project_id", table_name="reporting_programmes")
    op.drop_table("reporting_programmes")
    op.drop_table("reporting_projects")
