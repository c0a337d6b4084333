"""add assignment extensions and group overrides

Revision ID: c13a0004subm
Revises: c13a0002grad
Create Date: 2026-12-01 13:04:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = "c13a0004subm"
down_revision: str | None = "c13a0002grad"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    dt = app.core.db.UTCDateTime(timezone=True)
    op.create_table(
        "assignment_extensions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("due_at", dt, nullable=False),
        sa.Column("cutoff_at", dt, nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("granted_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", dt, nullable=False),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignments.id"],
            name=op.f("fk_assignment_extensions_assignment_id_assignments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_assignment_extensions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["granted_by_id"],
            ["users.id"],
            name=op.f("fk_assignment_extensions_granted_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_extensions")),
        sa.UniqueConstraint(
            "assignment_id", "user_id", name=op.f("uq_assignment_extensions_assignment_id_user_id")
        ),
    )
    with op.batch_alter_table("assignment_extensions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assignment_extensions_user_id"), ["user_id"], unique=False
        )
    op.create_table(
        "assignment_group_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("opens_at", dt, nullable=True),
        sa.Column("due_at", dt, nullable=True),
        sa.Column("cutoff_at", dt, nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", dt, nullable=False),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignments.id"],
            name=op.f("fk_assignment_group_overrides_assignment_id_assignments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["course_groups.id"],
            name=op.f("fk_assignment_group_overrides_group_id_course_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_assignment_group_overrides_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_group_overrides")),
        sa.UniqueConstraint(
            "assignment_id",
            "group_id",
            name=op.f("uq_assignment_group_overrides_assignment_id_group_id"),
        ),
    )
    with op.batch_alter_table("assignment_group_overrides", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assignment_group_overrides_group_id"), ["group_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("assignment_group_overrides", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignment_group_overrides_group_id"))
    op.drop_table("assignment_group_overrides")
    with op.batch_alter_table("assignment_extensions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignment_extensions_user_id"))
    op.drop_table("assignment_extensions")
