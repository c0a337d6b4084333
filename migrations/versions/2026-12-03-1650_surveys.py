"""add surveys, sections, questions, invitations, responses and answers

Revision ID: c18d0001survey
Revises: c18c0001notif
Create Date: 2026-12-03 16:42:17.637877
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = "c18d0001survey"
down_revision: str | None = "c18c0001notif"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "surveys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("template_key", sa.String(length=64), nullable=True),
        sa.Column(
            "audience_kind",
            sa.Enum(
                "course",
                "programme",
                "cohort",
                "institution_staff",
                "public",
                name="audiencekind",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("course_id", sa.Integer(), nullable=True),
        sa.Column("programme_id", sa.Integer(), nullable=True),
        sa.Column("cohort_id", sa.Integer(), nullable=True),
        sa.Column("institution_id", sa.Integer(), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("draft", "open", "closed", name="surveystatus", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("opens_at", app.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closes_at", app.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("min_group_size", sa.Integer(), nullable=True),
        sa.Column("public_token_digest", sa.String(length=64), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("created_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("opened_at", app.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(audience_kind <> 'course' OR course_id IS NOT NULL)"
            " AND (audience_kind <> 'programme' OR programme_id IS NOT NULL)"
            " AND (audience_kind <> 'cohort' OR cohort_id IS NOT NULL)"
            " AND (audience_kind <> 'institution_staff' OR institution_id IS NOT NULL)",
            name=op.f("ck_surveys_audience_target"),
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohorts.id"],
            name=op.f("fk_surveys_cohort_id_cohorts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_surveys_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_surveys_institution_id_institutions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_surveys_owner_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_surveys_programme_id_programmes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surveys")),
        sa.UniqueConstraint("public_token_digest", name=op.f("uq_surveys_public_token_digest")),
    )
    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_surveys_cohort_id"), ["cohort_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_surveys_course_id"), ["course_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_surveys_institution_id"), ["institution_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_surveys_programme_id"), ["programme_id"], unique=False)

    op.create_table(
        "survey_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("responded", sa.Boolean(), nullable=False),
        sa.Column("reminded_at", app.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_survey_invitations_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_survey_invitations_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_invitations")),
        sa.UniqueConstraint(
            "survey_id", "user_id", name=op.f("uq_survey_invitations_survey_id_user_id")
        ),
    )
    with op.batch_alter_table("survey_invitations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_invitations_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "survey_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("institution_id", sa.Integer(), nullable=True),
        sa.Column("profession", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_survey_responses_institution_id_institutions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_survey_responses_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_survey_responses_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_responses")),
        sa.UniqueConstraint(
            "survey_id", "user_id", name=op.f("uq_survey_responses_survey_id_user_id")
        ),
    )
    with op.batch_alter_table("survey_responses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_responses_survey_id"), ["survey_id"], unique=False
        )

    op.create_table(
        "survey_sections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_survey_sections_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_sections")),
        sa.UniqueConstraint(
            "survey_id", "position", name=op.f("uq_survey_sections_survey_id_position")
        ),
    )
    op.create_table(
        "survey_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "likert",
                "single",
                "multiple",
                "rating",
                "number",
                "short_text",
                "long_text",
                name="questionkind",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("text", sa.String(length=1000), nullable=False),
        sa.Column("help_text", sa.String(length=1000), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("min_value", sa.Numeric(precision=12, scale=3), nullable=True),
        sa.Column("max_value", sa.Numeric(precision=12, scale=3), nullable=True),
        sa.Column("show_if_question_id", sa.Integer(), nullable=True),
        sa.Column("show_if_options", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["section_id"],
            ["survey_sections.id"],
            name=op.f("fk_survey_questions_section_id_survey_sections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["show_if_question_id"],
            ["survey_questions.id"],
            name=op.f("fk_survey_questions_show_if_question_id_survey_questions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_survey_questions_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_questions")),
        sa.UniqueConstraint(
            "section_id", "position", name=op.f("uq_survey_questions_section_id_position")
        ),
    )
    with op.batch_alter_table("survey_questions", schema=None) as batch_op:
        batch_op.create_index("ix_survey_questions_survey_id", ["survey_id"], unique=False)

    op.create_table(
        "survey_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Numeric(precision=12, scale=3), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["survey_questions.id"],
            name=op.f("fk_survey_answers_question_id_survey_questions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["survey_responses.id"],
            name=op.f("fk_survey_answers_response_id_survey_responses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_answers")),
    )
    with op.batch_alter_table("survey_answers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_survey_answers_question_number", ["question_id", "number"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_survey_answers_response_id"), ["response_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("survey_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_answers_response_id"))
        batch_op.drop_index("ix_survey_answers_question_number")

    op.drop_table("survey_answers")
    with op.batch_alter_table("survey_questions", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_questions_survey_id")

    op.drop_table("survey_questions")
    op.drop_table("survey_sections")
    with op.batch_alter_table("survey_responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_responses_survey_id"))

    op.drop_table("survey_responses")
    with op.batch_alter_table("survey_invitations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_invitations_user_id"))

    op.drop_table("survey_invitations")
    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_surveys_programme_id"))
        batch_op.drop_index(batch_op.f("ix_surveys_institution_id"))
        batch_op.drop_index(batch_op.f("ix_surveys_course_id"))
        batch_op.drop_index(batch_op.f("ix_surveys_cohort_id"))

    op.drop_table("surveys")
