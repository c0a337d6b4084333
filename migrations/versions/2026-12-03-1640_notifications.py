"""add notifications, preferences, unsubscribe keys and forum subscriptions

Revision ID: c18c0001notif
Revises: c18b0001msgs
Create Date: 2026-12-03 16:42:12.739406
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = "c18c0001notif"
down_revision: str | None = "c18b0001msgs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notification_preferences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "forum_post",
                "announcement",
                "private_message",
                "grade_released",
                "submission_received",
                "webinar_changed",
                "enrolment_changed",
                "survey_open",
                name="notificationkind",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "delivery",
            sa.Enum("immediately", "digest", "off", name="delivery", native_enum=False, length=24),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notification_preferences_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_preferences")),
        sa.UniqueConstraint(
            "user_id", "kind", name=op.f("uq_notification_preferences_user_id_kind")
        ),
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "forum_post",
                "announcement",
                "private_message",
                "grade_released",
                "submission_received",
                "webinar_changed",
                "enrolment_changed",
                "survey_open",
                name="notificationkind",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=False),
        sa.Column("created_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("read_at", app.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "mail_state",
            sa.Enum(
                "none", "queued", "awaiting_digest", name="mailstate", native_enum=False, length=24
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notifications_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index("ix_notifications_digest", ["mail_state", "user_id"], unique=False)
        batch_op.create_index("ix_notifications_user_id_id", ["user_id", "id"], unique=False)
        batch_op.create_index("ix_notifications_user_unread", ["user_id", "read_at"], unique=False)

    op.create_table(
        "unsubscribe_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "forum_post",
                "announcement",
                "private_message",
                "grade_released",
                "submission_received",
                "webinar_changed",
                "enrolment_changed",
                "survey_open",
                name="notificationkind",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("created_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_unsubscribe_keys_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unsubscribe_keys")),
        sa.UniqueConstraint("token", name=op.f("uq_unsubscribe_keys_token")),
        sa.UniqueConstraint("user_id", "kind", name=op.f("uq_unsubscribe_keys_user_id_kind")),
    )
    op.create_table(
        "forum_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("forum_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["forum_id"],
            ["forums.id"],
            name=op.f("fk_forum_subscriptions_forum_id_forums"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_forum_subscriptions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_subscriptions")),
        sa.UniqueConstraint(
            "forum_id", "user_id", name=op.f("uq_forum_subscriptions_forum_id_user_id")
        ),
    )
    with op.batch_alter_table("forum_subscriptions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_forum_subscriptions_user_id"), ["user_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("forum_subscriptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_forum_subscriptions_user_id"))

    op.drop_table("forum_subscriptions")
    op.drop_table("unsubscribe_keys")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_user_unread")
        batch_op.drop_index("ix_notifications_user_id_id")
        batch_op.drop_index("ix_notifications_digest")

    op.drop_table("notifications")
    op.drop_table("notification_preferences")
