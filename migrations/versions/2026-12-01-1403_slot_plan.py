"""learning plans, advisors and double-degree agreements (slot, written by hand)

Revision ID: c14a0003plan
Revises: c14a0002rule
Create Date: 2026-12-01 14:03:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = "c14a0003plan"
down_revision: str | None = "c14a0002rule"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(column: str, target: str, table: str, ondelete: str | None) -> sa.ForeignKeyConstraint:
    referred = target.split(".")[0]
    return sa.ForeignKeyConstraint(
        [column], [target], name=op.f(f"fk_{table}_{column}_{referred}"), ondelete=ondelete
    )


def _pk(table: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}"))


def _when(name: str) -> sa.Column:
    return sa.Column(name, app.core.db.UTCDateTime(timezone=True), nullable=False)


def _plans() -> None:
    op.create_table(
        "learning_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        _when("created_at"),
        _when("updated_at"),
        _fk("user_id", "users.id", "learning_plans", "CASCADE"),
        _fk("programme_id", "programmes.id", "learning_plans", "CASCADE"),
        _pk("learning_plans"),
        sa.UniqueConstraint(
            "user_id", "programme_id", name=op.f("uq_learning_plans_user_id_programme_id")
        ),
    )
    with op.batch_alter_table("learning_plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_learning_plans_user_id"), ["user_id"], unique=False)
    op.create_table(
        "learning_plan_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("semester", sa.Integer(), nullable=False),
        _fk("plan_id", "learning_plans.id", "learning_plan_items", "CASCADE"),
        _fk("course_id", "courses.id", "learning_plan_items", "CASCADE"),
        _pk("learning_plan_items"),
        sa.UniqueConstraint(
            "plan_id", "course_id", name=op.f("uq_learning_plan_items_plan_id_course_id")
        ),
    )
    op.create_table(
        "learning_plan_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=True),
        sa.Column("course_code", sa.String(length=32), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "moved",
                "chosen",
                "dropped",
                name="planchangekind",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("from_semester", sa.Integer(), nullable=True),
        sa.Column("to_semester", sa.Integer(), nullable=True),
        sa.Column("by_user_id", sa.Integer(), nullable=True),
        _when("created_at"),
        _fk("plan_id", "learning_plans.id", "learning_plan_changes", "CASCADE"),
        _fk("course_id", "courses.id", "learning_plan_changes", "SET NULL"),
        _fk("by_user_id", "users.id", "learning_plan_changes", "SET NULL"),
        _pk("learning_plan_changes"),
    )
    with op.batch_alter_table("learning_plan_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_learning_plan_changes_plan_id"), ["plan_id"], unique=False
        )
    op.create_table(
        "learner_advisors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("advisor_id", sa.Integer(), nullable=False),
        sa.Column("named_by_id", sa.Integer(), nullable=True),
        _when("created_at"),
        _fk("user_id", "users.id", "learner_advisors", "CASCADE"),
        _fk("programme_id", "programmes.id", "learner_advisors", "CASCADE"),
        _fk("advisor_id", "users.id", "learner_advisors", "CASCADE"),
        _fk("named_by_id", "users.id", "learner_advisors", "SET NULL"),
        _pk("learner_advisors"),
        sa.UniqueConstraint(
            "user_id",
            "programme_id",
            "advisor_id",
            name=op.f("uq_learner_advisors_user_id_programme_id_advisor_id"),
        ),
    )
    with op.batch_alter_table("learner_advisors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_learner_advisors_user_id"), ["user_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_learner_advisors_advisor_id"), ["advisor_id"], unique=False
        )


def _degrees() -> None:
    op.create_table(
        "double_degrees",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        _when("created_at"),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        _fk("created_by_id", "users.id", "double_degrees", "SET NULL"),
        _pk("double_degrees"),
        sa.UniqueConstraint("code", name=op.f("uq_double_degrees_code")),
    )
    op.create_table(
        "double_degree_parties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("degree_title", sa.String(length=300), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        _fk("agreement_id", "double_degrees.id", "double_degree_parties", "CASCADE"),
        _fk("institution_id", "institutions.id", "double_degree_parties", "CASCADE"),
        _fk("programme_id", "programmes.id", "double_degree_parties", "CASCADE"),
        _pk("double_degree_parties"),
        sa.UniqueConstraint(
            "agreement_id",
            "institution_id",
            name=op.f("uq_double_degree_parties_agreement_id_institution_id"),
        ),
    )
    with op.batch_alter_table("double_degree_parties", schema=None) as batch_op:
        for column in ("agreement_id", "institution_id", "programme_id"):
            batch_op.create_index(
                batch_op.f(f"ix_double_degree_parties_{column}"), [column], unique=False
            )
    op.create_table(
        "double_degree_courses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("credits", sa.Numeric(precision=5, scale=1), nullable=False),
        _fk("agreement_id", "double_degrees.id", "double_degree_courses", "CASCADE"),
        _fk("course_id", "courses.id", "double_degree_courses", "CASCADE"),
        _pk("double_degree_courses"),
        sa.UniqueConstraint(
            "agreement_id",
            "course_id",
            name=op.f("uq_double_degree_courses_agreement_id_course_id"),
        ),
    )
    with op.batch_alter_table("double_degree_courses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_double_degree_courses_agreement_id"), ["agreement_id"], unique=False
        )


def upgrade() -> None:
    _plans()
    _degrees()


def downgrade() -> None:
    with op.batch_alter_table("double_degree_courses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_double_degree_courses_agreement_id"))
    op.drop_table("double_degree_courses")
    with op.batch_alter_table("double_degree_parties", schema=None) as batch_op:
        for column in ("programme_id", "institution_id", "agreement_id"):
            batch_op.drop_index(batch_op.f(f"ix_double_degree_parties_{column}"))
    op.drop_table("double_degree_parties")
    op.drop_table("double_degrees")
    with op.batch_alter_table("learner_advisors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_learner_advisors_advisor_id"))
        batch_op.drop_index(batch_op.f("ix_learner_advisors_user_id"))
    op.drop_table("learner_advisors")
    with op.batch_alter_table("learning_plan_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_learning_plan_changes_plan_id"))
    op.drop_table("learning_plan_changes")
    op.drop_table("learning_plan_items")
    with op.batch_alter_table("learning_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_learning_plans_user_id"))
    op.drop_table("learning_plans")
