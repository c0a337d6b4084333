"""add jury members, allocations, marks, decisions and defence slots

Revision ID: c13a0006jury
Revises: c13a0005mark
Create Date: 2026-12-01 13:06:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = "c13a0006jury"
down_revision: str | None = "c13a0005mark"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "jury_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("is_chair", sa.Boolean(), nullable=False),
        sa.Column("external", sa.Boolean(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by_id"],
            ["users.id"],
            name=op.f("fk_jury_members_added_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignments.id"],
            name=op.f("fk_jury_members_assignment_id_assignments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_jury_members_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jury_members")),
        sa.UniqueConstraint(
            "assignment_id", "user_id", name=op.f("uq_jury_members_assignment_id_user_id")
        ),
    )
    with op.batch_alter_table("jury_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_jury_members_assignment_id"), ["assignment_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_jury_members_user_id"), ["user_id"], unique=False)

    op.create_table(
        "defences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=False),
        sa.Column("webinar_session_id", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_defences_submission_id_submissions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_defences_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["webinar_session_id"],
            ["webinar_sessions.id"],
            name=op.f("fk_defences_webinar_session_id_webinar_sessions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_defences")),
        sa.UniqueConstraint("submission_id", name=op.f("uq_defences_submission_id")),
    )
    op.create_table(
        "jury_allocations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["jury_members.id"],
            name=op.f("fk_jury_allocations_member_id_jury_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_jury_allocations_submission_id_submissions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jury_allocations")),
        sa.UniqueConstraint(
            "submission_id", "member_id", name=op.f("uq_jury_allocations_submission_id_member_id")
        ),
    )
    with op.batch_alter_table("jury_allocations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_jury_allocations_member_id"), ["member_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_jury_allocations_submission_id"), ["submission_id"], unique=False
        )

    op.create_table(
        "jury_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("points", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("scale_level_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("feedback_markdown", sa.Text(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("released_at", app.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_jury_decisions_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["scale_level_id"],
            ["grading_scale_levels.id"],
            name=op.f("fk_jury_decisions_scale_level_id_grading_scale_levels"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_jury_decisions_submission_id_submissions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jury_decisions")),
        sa.UniqueConstraint("submission_id", name=op.f("uq_jury_decisions_submission_id")),
    )
    op.create_table(
        "jury_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("points", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("scale_level_id", sa.Integer(), nullable=True),
        sa.Column("comment_markdown", sa.Text(), nullable=False),
        sa.Column("comment_html", sa.Text(), nullable=False),
        sa.Column("created_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["jury_members.id"],
            name=op.f("fk_jury_marks_member_id_jury_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["scale_level_id"],
            ["grading_scale_levels.id"],
            name=op.f("fk_jury_marks_scale_level_id_grading_scale_levels"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_jury_marks_submission_id_submissions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jury_marks")),
        sa.UniqueConstraint(
            "submission_id", "member_id", name=op.f("uq_jury_marks_submission_id_member_id")
        ),
    )
    with op.batch_alter_table("jury_marks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_jury_marks_member_id"), ["member_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_jury_marks_submission_id"), ["submission_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("jury_marks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jury_marks_submission_id"))
        batch_op.drop_index(batch_op.f("ix_jury_marks_member_id"))

    op.drop_table("jury_marks")
    op.drop_table("jury_decisions")
    with op.batch_alter_table("jury_allocations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jury_allocations_submission_id"))
        batch_op.drop_index(batch_op.f("ix_jury_allocations_member_id"))

    op.drop_table("jury_allocations")
    op.drop_table("defences")
    with op.batch_alter_table("jury_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jury_members_user_id"))
        batch_op.drop_index(batch_op.f("ix_jury_members_assignment_id"))

    op.drop_table("jury_members")
