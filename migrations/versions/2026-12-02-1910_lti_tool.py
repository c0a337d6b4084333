"""Agora as an LTI tool: partner platforms, login states, used nonces, identities and grade
links (written by hand)

Revision ID: c17b0001ltit
Revises: c17a0001ltip
Create Date: 2026-12-02 19:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = "c17b0001ltit"
down_revision: str | None = "c17a0001ltip"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = app.core.db.UTCDateTime(timezone=True)


def _platform_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["platform_id"],
        ["lti_platforms.id"],
        name=op.f(f"fk_{table}_platform_id_lti_platforms"),
        ondelete="CASCADE",
    )


def _user_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["user_id"], ["users.id"], name=op.f(f"fk_{table}_user_id_users"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "lti_platforms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("client_id", sa.String(length=255), nullable=False),
        sa.Column("deployment_ids", sa.JSON(), nullable=False),
        sa.Column("auth_login_url", sa.String(length=2000), nullable=False),
        sa.Column("auth_token_url", sa.String(length=2000), nullable=False),
        sa.Column("jwks_url", sa.String(length=2000), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_lti_platforms_institution_id_institutions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lti_platforms")),
        sa.UniqueConstraint("issuer", "client_id", name=op.f("uq_lti_platforms_issuer_client_id")),
    )
    with op.batch_alter_table("lti_platforms") as batch:
        batch.create_index(batch.f("ix_lti_platforms_institution_id"), ["institution_id"])
    op.create_table(
        "lti_login_states",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("target_link_uri", sa.String(length=2000), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("expires_at", UTC, nullable=False),
        sa.Column("used_at", UTC, nullable=True),
        _platform_fk("lti_login_states"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lti_login_states")),
        sa.UniqueConstraint("state", name=op.f("uq_lti_login_states_state")),
    )
    with op.batch_alter_table("lti_login_states") as batch:
        batch.create_index(batch.f("ix_lti_login_states_platform_id"), ["platform_id"])
        batch.create_index(batch.f("ix_lti_login_states_expires_at"), ["expires_at"])
    op.create_table(
        "lti_used_nonces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.String(length=255), nullable=False),
        sa.Column("used_at", UTC, nullable=False),
        sa.Column("expires_at", UTC, nullable=False),
        _platform_fk("lti_used_nonces"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lti_used_nonces")),
        sa.UniqueConstraint(
            "platform_id", "nonce", name=op.f("uq_lti_used_nonces_platform_id_nonce")
        ),
    )
    with op.batch_alter_table("lti_used_nonces") as batch:
        batch.create_index(batch.f("ix_lti_used_nonces_expires_at"), ["expires_at"])
    op.create_table(
        "lti_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        _platform_fk("lti_identities"),
        _user_fk("lti_identities"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lti_identities")),
        sa.UniqueConstraint(
            "platform_id", "subject", name=op.f("uq_lti_identities_platform_id_subject")
        ),
    )
    with op.batch_alter_table("lti_identities") as batch:
        batch.create_index(batch.f("ix_lti_identities_user_id"), ["user_id"])
    op.create_table(
        "lti_grade_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("module_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("resource_link_id", sa.String(length=255), nullable=False),
        sa.Column("resource_link_title", sa.String(length=300), nullable=False),
        sa.Column("lineitem_url", sa.String(length=2000), nullable=True),
        sa.Column("lineitems_url", sa.String(length=2000), nullable=True),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        _platform_fk("lti_grade_links"),
        _user_fk("lti_grade_links"),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_lti_grade_links_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["module_id"],
            ["modules.id"],
            name=op.f("fk_lti_grade_links_module_id_modules"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lti_grade_links")),
        sa.UniqueConstraint(
            "platform_id",
            "user_id",
            "resource_link_id",
            name=op.f("uq_lti_grade_links_platform_id_user_id_resource_link_id"),
        ),
    )
    with op.batch_alter_table("lti_grade_links") as batch:
        batch.create_index(batch.f("ix_lti_grade_links_user_id"), ["user_id"])
        batch.create_index(batch.f("ix_lti_grade_links_course_id"), ["course_id"])


def downgrade() -> None:
    op.drop_table("lti_grade_links")
    op.drop_table("lti_identities")
    op.drop_table("lti_used_nonces")
    op.drop_table("lti_login_states")
    with op.batch_alter_table("lti_platforms") as batch:
        batch.drop_index(batch.f("ix_lti_platforms_institution_id"))
    op.drop_table("lti_platforms")
