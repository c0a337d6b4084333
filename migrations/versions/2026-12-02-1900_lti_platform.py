"""Agora as an LTI platform: registered tools, resource links, AGS line items and used client
assertions (written by hand)

Revision ID: c17a0001ltip
Revises: c16a0001rate
Create Date: 2026-12-02 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = "c17a0001ltip"
down_revision: str | None = "c16a0001rate"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = app.core.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "lti_tools",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("client_id", sa.String(length=255), nullable=False),
        sa.Column("deployment_id", sa.String(length=255), nullable=False),
        sa.Column("login_url", sa.String(length=2000), nullable=False),
        sa.Column("launch_url", sa.String(length=2000), nullable=False),
        sa.Column("redirect_uris", sa.JSON(), nullable=False),
        sa.Column("jwks_url", sa.String(length=2000), nullable=True),
        sa.Column("public_key", sa.Text(), nullable=True),
        sa.Column("deep_linking_url", sa.String(length=2000), nullable=True),
        sa.Column("custom", sa.JSON(), nullable=False),
        sa.Column("share_name", sa.Boolean(), nullable=False),
        sa.Column("share_email", sa.Boolean(), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_lti_tools_institution_id_institutions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lti_tools")),
        sa.UniqueConstraint("client_id", name=op.f("uq_lti_tools_client_id")),
    )
    with op.batch_alter_table("lti_tools") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lti_tools_institution_id"), ["institution_id"], unique=False
        )

    op.create_table(
        "lti_used_assertions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tool_id", sa.Integer(), nullable=False),
        sa.Column("jti", sa.String(length=255), nullable=False),
        sa.Column("used_at", UTC, nullable=False),
        sa.Column("expires_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["tool_id"],
            ["lti_tools.id"],
            name=op.f("fk_lti_used_assertions_tool_id_lti_tools"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lti_used_assertions")),
        sa.UniqueConstraint("tool_id", "jti", name=op.f("uq_lti_used_assertions_tool_id_jti")),
    )
    with op.batch_alter_table("lti_used_assertions") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lti_used_assertions_expires_at"), ["expires_at"], unique=False
        )

    op.create_table(
        "lti_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("module_id", sa.Integer(), nullable=False),
        sa.Column("tool_id", sa.Integer(), nullable=False),
        sa.Column("resource_link_id", sa.String(length=64), nullable=False),
        sa.Column("custom", sa.JSON(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["module_id"],
            ["modules.id"],
            name=op.f("fk_lti_links_module_id_modules"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tool_id"],
            ["lti_tools.id"],
            name=op.f("fk_lti_links_tool_id_lti_tools"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lti_links")),
        sa.UniqueConstraint("module_id", name=op.f("uq_lti_links_module_id")),
        sa.UniqueConstraint("resource_link_id", name=op.f("uq_lti_links_resource_link_id")),
    )
    with op.batch_alter_table("lti_links") as batch_op:
        batch_op.create_index(batch_op.f("ix_lti_links_tool_id"), ["tool_id"], unique=False)

    op.create_table(
        "lti_line_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tool_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=True),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("score_maximum", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("resource_id", sa.String(length=255), nullable=False),
        sa.Column("tag", sa.String(length=255), nullable=False),
        sa.Column("start_at", UTC, nullable=True),
        sa.Column("end_at", UTC, nullable=True),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_lti_line_items_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["link_id"],
            ["lti_links.id"],
            name=op.f("fk_lti_line_items_link_id_lti_links"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tool_id"],
            ["lti_tools.id"],
            name=op.f("fk_lti_line_items_tool_id_lti_tools"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lti_line_items")),
    )
    with op.batch_alter_table("lti_line_items") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lti_line_items_course_id"), ["course_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_lti_line_items_link_id"), ["link_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_lti_line_items_tool_id"), ["tool_id"], unique=False)

    op.create_table(
        "lti_score_times",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("line_item_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("scored_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["line_item_id"],
            ["lti_line_items.id"],
            name=op.f("fk_lti_score_times_line_item_id_lti_line_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_lti_score_times_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lti_score_times")),
        sa.UniqueConstraint(
            "line_item_id", "user_id", name=op.f("uq_lti_score_times_line_item_id_user_id")
        ),
    )
    with op.batch_alter_table("lti_score_times") as batch_op:
        batch_op.create_index(batch_op.f("ix_lti_score_times_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("lti_score_times") as batch_op:
        batch_op.drop_index(batch_op.f("ix_lti_score_times_user_id"))

    op.drop_table("lti_score_times")
    with op.batch_alter_table("lti_line_items") as batch_op:
        batch_op.drop_index(batch_op.f("ix_lti_line_items_tool_id"))
        batch_op.drop_index(batch_op.f("ix_lti_line_items_link_id"))
        batch_op.drop_index(batch_op.f("ix_lti_line_items_course_id"))

    op.drop_table("lti_line_items")
    with op.batch_alter_table("lti_links") as batch_op:
        batch_op.drop_index(batch_op.f("ix_lti_links_tool_id"))

    op.drop_table("lti_links")
    with op.batch_alter_table("lti_used_assertions") as batch_op:
        batch_op.drop_index(batch_op.f("ix_lti_used_assertions_expires_at"))

    op.drop_table("lti_used_assertions")
    with op.batch_alter_table("lti_tools") as batch_op:
        batch_op.drop_index(batch_op.f("ix_lti_tools_institution_id"))

    op.drop_table("lti_tools")
