"""marking (slot: edit this file by hand; it is chained after the previous slot)

Revision ID: c13a0005mark
Revises: c13a0004subm
Create Date: 2026-12-01 13:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = "c13a0005mark"
down_revision: str | None = "c13a0004subm"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "assignment_participants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignments.id"],
            name=op.f("fk_assignment_participants_assignment_id_assignments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_assignment_participants_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_participants")),
        sa.UniqueConstraint(
            "assignment_id", "number", name=op.f("uq_assignment_participants_assignment_id_number")
        ),
        sa.UniqueConstraint(
            "assignment_id",
            "user_id",
            name=op.f("uq_assignment_participants_assignment_id_user_id"),
        ),
    )
    with op.batch_alter_table("assignment_participants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assignment_participants_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "marking_rubrics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("lock_zero_points", sa.Boolean(), nullable=False),
        sa.Column("updated_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignments.id"],
            name=op.f("fk_marking_rubrics_assignment_id_assignments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marking_rubrics")),
        sa.UniqueConstraint("assignment_id", name=op.f("uq_marking_rubrics_assignment_id")),
    )
    op.create_table(
        "marking_criteria",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rubric_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=False),
        sa.Column("max_points", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.ForeignKeyConstraint(
            ["rubric_id"],
            ["marking_rubrics.id"],
            name=op.f("fk_marking_criteria_rubric_id_marking_rubrics"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marking_criteria")),
        sa.UniqueConstraint(
            "rubric_id", "position", name=op.f("uq_marking_criteria_rubric_id_position")
        ),
    )
    op.create_table(
        "marking_criterion_levels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("points", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("definition", sa.String(length=1000), nullable=False),
        sa.ForeignKeyConstraint(
            ["criterion_id"],
            ["marking_criteria.id"],
            name=op.f("fk_marking_criterion_levels_criterion_id_marking_criteria"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marking_criterion_levels")),
        sa.UniqueConstraint(
            "criterion_id",
            "position",
            name=op.f("uq_marking_criterion_levels_criterion_id_position"),
        ),
    )
    op.create_table(
        "marking_criterion_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("marking_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.Integer(), nullable=False),
        sa.Column("level_id", sa.Integer(), nullable=True),
        sa.Column("points", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["criterion_id"],
            ["marking_criteria.id"],
            name=op.f("fk_marking_criterion_marks_criterion_id_marking_criteria"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["level_id"],
            ["marking_criterion_levels.id"],
            name=op.f("fk_marking_criterion_marks_level_id_marking_criterion_levels"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["marking_id"],
            ["markings.id"],
            name=op.f("fk_marking_criterion_marks_marking_id_markings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marking_criterion_marks")),
        sa.UniqueConstraint(
            "marking_id",
            "criterion_id",
            name=op.f("uq_marking_criterion_marks_marking_id_criterion_id"),
        ),
    )
    with op.batch_alter_table("marking_criterion_marks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_marking_criterion_marks_criterion_id"), ["criterion_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("marking_criterion_marks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_marking_criterion_marks_criterion_id"))
    op.drop_table("marking_criterion_marks")
    op.drop_table("marking_criterion_levels")
    op.drop_table("marking_criteria")
    op.drop_table("marking_rubrics")
    with op.batch_alter_table("assignment_participants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignment_participants_user_id"))
    op.drop_table("assignment_participants")
