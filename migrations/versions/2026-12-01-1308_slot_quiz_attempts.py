"""add quizzes, quiz slots, overrides, attempts and attempt slots

Revision ID: c13a0008quiz
Revises: c13a0007ques
Create Date: 2026-12-01 13:08:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = "c13a0008quiz"
down_revision: str | None = "c13a0007ques"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "quizzes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("module_id", sa.Integer(), nullable=False),
        sa.Column("opens_at", app.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closes_at", app.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("time_limit_minutes", sa.Integer(), nullable=True),
        sa.Column("grace_minutes", sa.Integer(), nullable=False),
        sa.Column(
            "on_expiry",
            sa.Enum(
                "auto_submit", "grace", "abandon", name="expiryaction", native_enum=False, length=24
            ),
            nullable=False,
        ),
        sa.Column("max_attempts", sa.Integer(), nullable=True),
        sa.Column("delay_minutes", sa.Integer(), nullable=False),
        sa.Column(
            "grading_method",
            sa.Enum(
                "highest",
                "average",
                "first",
                "last",
                name="gradingmethod",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("questions_per_page", sa.Integer(), nullable=False),
        sa.Column(
            "navigation",
            sa.Enum("free", "sequential", name="navigation", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("shuffle_questions", sa.Boolean(), nullable=False),
        sa.Column("shuffle_answers", sa.Boolean(), nullable=False),
        sa.Column("max_grade", sa.Numeric(precision=10, scale=4), nullable=False),
        sa.Column("pass_grade", sa.Numeric(precision=10, scale=4), nullable=True),
        sa.Column("self_check", sa.Boolean(), nullable=False),
        sa.Column("review", sa.JSON(), nullable=False),
        sa.Column("feedback_bands", sa.JSON(), nullable=False),
        sa.Column("released_at", app.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_quizzes_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["module_id"],
            ["modules.id"],
            name=op.f("fk_quizzes_module_id_modules"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quizzes")),
        sa.UniqueConstraint("module_id", name=op.f("uq_quizzes_module_id")),
    )
    with op.batch_alter_table("quizzes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quizzes_course_id"), ["course_id"], unique=False)

    op.create_table(
        "quiz_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quiz_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "in_progress",
                "overdue",
                "finished",
                "abandoned",
                name="attemptstate",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("started_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deadline_at", app.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("grace_until", app.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", app.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("current_page", sa.Integer(), nullable=False),
        sa.Column("sum_marks", sa.Numeric(precision=10, scale=4), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["quiz_id"],
            ["quizzes.id"],
            name=op.f("fk_quiz_attempts_quiz_id_quizzes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_quiz_attempts_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_attempts")),
        sa.UniqueConstraint(
            "quiz_id", "user_id", "number", name=op.f("uq_quiz_attempts_quiz_id_user_id_number")
        ),
    )
    with op.batch_alter_table("quiz_attempts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quiz_attempts_quiz_id"), ["quiz_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_quiz_attempts_user_id"), ["user_id"], unique=False)

    op.create_table(
        "quiz_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quiz_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("opens_at", app.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closes_at", app.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("time_limit_minutes", sa.Integer(), nullable=True),
        sa.Column("max_attempts", sa.Integer(), nullable=True),
        sa.Column("created_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["course_groups.id"],
            name=op.f("fk_quiz_overrides_group_id_course_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["quiz_id"],
            ["quizzes.id"],
            name=op.f("fk_quiz_overrides_quiz_id_quizzes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_quiz_overrides_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_overrides")),
        sa.UniqueConstraint("quiz_id", "group_id", name=op.f("uq_quiz_overrides_quiz_id_group_id")),
        sa.UniqueConstraint("quiz_id", "user_id", name=op.f("uq_quiz_overrides_quiz_id_user_id")),
    )
    with op.batch_alter_table("quiz_overrides", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quiz_overrides_quiz_id"), ["quiz_id"], unique=False)

    op.create_table(
        "quiz_slots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quiz_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=True),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("include_subcategories", sa.Boolean(), nullable=False),
        sa.Column("mark", sa.Numeric(precision=10, scale=4), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["question_categories.id"],
            name=op.f("fk_quiz_slots_category_id_question_categories"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["questions.id"],
            name=op.f("fk_quiz_slots_question_id_questions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["quiz_id"],
            ["quizzes.id"],
            name=op.f("fk_quiz_slots_quiz_id_quizzes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_slots")),
    )
    with op.batch_alter_table("quiz_slots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quiz_slots_quiz_id"), ["quiz_id"], unique=False)

    op.create_table(
        "quiz_attempt_slots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("question_version_id", sa.Integer(), nullable=False),
        sa.Column("max_mark", sa.Numeric(precision=10, scale=4), nullable=False),
        sa.Column("prompt", sa.JSON(), nullable=False),
        sa.Column("response", sa.JSON(), nullable=False),
        sa.Column("fraction", sa.Numeric(precision=10, scale=4), nullable=True),
        sa.Column("mark", sa.Numeric(precision=10, scale=4), nullable=True),
        sa.Column("feedback_html", sa.Text(), nullable=False),
        sa.Column("manual_mark", sa.Numeric(precision=10, scale=4), nullable=True),
        sa.Column("manual_comment", sa.Text(), nullable=False),
        sa.Column("checked", sa.Boolean(), nullable=False),
        sa.Column("answered_at", app.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["quiz_attempts.id"],
            name=op.f("fk_quiz_attempt_slots_attempt_id_quiz_attempts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["question_version_id"],
            ["question_versions.id"],
            name=op.f("fk_quiz_attempt_slots_question_version_id_question_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_attempt_slots")),
        sa.UniqueConstraint(
            "attempt_id", "position", name=op.f("uq_quiz_attempt_slots_attempt_id_position")
        ),
    )
    with op.batch_alter_table("quiz_attempt_slots", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_quiz_attempt_slots_attempt_id"), ["attempt_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("quiz_attempt_slots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quiz_attempt_slots_attempt_id"))

    op.drop_table("quiz_attempt_slots")
    with op.batch_alter_table("quiz_slots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quiz_slots_quiz_id"))

    op.drop_table("quiz_slots")
    with op.batch_alter_table("quiz_overrides", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quiz_overrides_quiz_id"))

    op.drop_table("quiz_overrides")
    with op.batch_alter_table("quiz_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quiz_attempts_user_id"))
        batch_op.drop_index(batch_op.f("ix_quiz_attempts_quiz_id"))

    op.drop_table("quiz_attempts")
    with op.batch_alter_table("quizzes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quizzes_course_id"))

    op.drop_table("quizzes")
