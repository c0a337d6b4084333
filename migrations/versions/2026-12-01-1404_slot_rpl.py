"""recognition of prior learning: applications, evidence, juries, decisions (slot, written by hand)

Revision ID: c14a0004rpl
Revises: c14a0003plan
Create Date: 2026-12-01 14:04:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = "c14a0004rpl"
down_revision: str | None = "c14a0003plan"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "recognition_applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "submitted",
                "under_review",
                "decided",
                "withdrawn",
                name="applicationstatus",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("experience_markdown", sa.Text(), nullable=False),
        sa.Column("experience_html", sa.Text(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", app.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", app.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_recognition_applications_institution_id_institutions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_recognition_applications_programme_id_programmes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_recognition_applications_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recognition_applications")),
    )
    with op.batch_alter_table("recognition_applications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recognition_applications_programme_id"), ["programme_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_recognition_applications_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "recognition_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["recognition_applications.id"],
            name=op.f("fk_recognition_requests_application_id_recognition_applications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_recognition_requests_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recognition_requests")),
        sa.UniqueConstraint(
            "application_id",
            "course_id",
            name=op.f("uq_recognition_requests_application_id_course_id"),
        ),
    )
    op.create_table(
        "recognition_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("content_file_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("created_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["recognition_applications.id"],
            name=op.f("fk_recognition_evidence_application_id_recognition_applications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["content_file_id"],
            ["content_files.id"],
            name=op.f("fk_recognition_evidence_content_file_id_content_files"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recognition_evidence")),
        sa.UniqueConstraint(
            "application_id", "name", name=op.f("uq_recognition_evidence_application_id_name")
        ),
    )
    with op.batch_alter_table("recognition_evidence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recognition_evidence_content_file_id"), ["content_file_id"], unique=False
        )

    op.create_table(
        "recognition_jury_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("is_chair", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["recognition_applications.id"],
            name=op.f("fk_recognition_jury_members_application_id_recognition_applications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_recognition_jury_members_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recognition_jury_members")),
        sa.UniqueConstraint(
            "application_id",
            "user_id",
            name=op.f("uq_recognition_jury_members_application_id_user_id"),
        ),
    )
    with op.batch_alter_table("recognition_jury_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recognition_jury_members_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "recognition_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("decided_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("jury_members", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["recognition_applications.id"],
            name=op.f("fk_recognition_decisions_application_id_recognition_applications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_recognition_decisions_recorded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recognition_decisions")),
        sa.UniqueConstraint("application_id", name=op.f("uq_recognition_decisions_application_id")),
    )
    op.create_table(
        "recognition_decision_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=True),
        sa.Column("course_code", sa.String(length=32), nullable=False),
        sa.Column("course_title", sa.String(length=300), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum("full", "partial", "refused", name="outcome", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("credits", sa.Numeric(precision=5, scale=1), nullable=False),
        sa.Column("remaining_outcomes", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("credit_entry_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_recognition_decision_items_course_id_courses"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["credit_entry_id"],
            ["credit_entries.id"],
            name=op.f("fk_recognition_decision_items_credit_entry_id_credit_entries"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["recognition_decisions.id"],
            name=op.f("fk_recognition_decision_items_decision_id_recognition_decisions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recognition_decision_items")),
        sa.UniqueConstraint(
            "decision_id",
            "course_id",
            name=op.f("uq_recognition_decision_items_decision_id_course_id"),
        ),
    )


def downgrade() -> None:
    op.drop_table("recognition_decision_items")
    op.drop_table("recognition_decisions")
    with op.batch_alter_table("recognition_jury_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recognition_jury_members_user_id"))

    op.drop_table("recognition_jury_members")
    with op.batch_alter_table("recognition_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recognition_evidence_content_file_id"))

    op.drop_table("recognition_evidence")
    op.drop_table("recognition_requests")
    with op.batch_alter_table("recognition_applications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recognition_applications_user_id"))
        batch_op.drop_index(batch_op.f("ix_recognition_applications_programme_id"))

    op.drop_table("recognition_applications")
