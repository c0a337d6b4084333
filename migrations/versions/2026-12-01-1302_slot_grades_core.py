"""grades core (slot: edit this file by hand; it is chained after the previous slot)

Revision ID: c13a0002grad
Revises: c13a0001seam
Create Date: 2026-12-01 13:02:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = "c13a0002grad"
down_revision: str | None = "c13a0001seam"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


DISPLAY = sa.Enum(
    "points", "percentage", "letter", "scale", name="display", native_enum=False, length=24
)


def upgrade() -> None:
    with op.batch_alter_table("grade_categories", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pass_percent", sa.Numeric(precision=6, scale=3)))
        batch_op.add_column(sa.Column("display", DISPLAY, nullable=True))
        batch_op.add_column(sa.Column("scale_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("locked_at", app.core.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_grade_categories_scale_id_grading_scales"),
            "grading_scales",
            ["scale_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("grade_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("display", DISPLAY, nullable=True))

    op.create_table(
        "course_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("points", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("max_points", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("percent", sa.Numeric(precision=6, scale=3), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("computed_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_course_results_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_course_results_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_results")),
        sa.UniqueConstraint(
            "course_id", "user_id", name=op.f("uq_course_results_course_id_user_id")
        ),
    )
    with op.batch_alter_table("course_results", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_course_results_course_id"), ["course_id"])
        batch_op.create_index(batch_op.f("ix_course_results_user_id"), ["user_id"])


def downgrade() -> None:
    op.drop_table("course_results")
    with op.batch_alter_table("grade_items", schema=None) as batch_op:
        batch_op.drop_column("display")
    with op.batch_alter_table("grade_categories", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_grade_categories_scale_id_grading_scales"), type_="foreignkey"
        )
        batch_op.drop_column("locked_at")
        batch_op.drop_column("scale_id")
        batch_op.drop_column("display")
        batch_op.drop_column("pass_percent")
