"""add private messages, blocks and message reports

Revision ID: c18b0001msgs
Revises: c18a0001forum
Create Date: 2026-12-03 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = "c18b0001msgs"
down_revision: str | None = "c18a0001forum"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("first_user_id", sa.Integer(), nullable=False),
        sa.Column("second_user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_message_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("first_read_up_to", sa.Integer(), nullable=False),
        sa.Column("second_read_up_to", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "first_user_id < second_user_id", name=op.f("ck_conversations_ordered_pair")
        ),
        sa.ForeignKeyConstraint(
            ["first_user_id"],
            ["users.id"],
            name=op.f("fk_conversations_first_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["second_user_id"],
            ["users.id"],
            name=op.f("fk_conversations_second_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversations")),
        sa.UniqueConstraint(
            "first_user_id",
            "second_user_id",
            name=op.f("uq_conversations_first_user_id_second_user_id"),
        ),
    )
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.create_index("ix_conversations_second_user_id", ["second_user_id"], unique=False)

    op.create_table(
        "message_blocks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("blocker_id", sa.Integer(), nullable=False),
        sa.Column("blocked_id", sa.Integer(), nullable=False),
        sa.Column("created_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["blocked_id"],
            ["users.id"],
            name=op.f("fk_message_blocks_blocked_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["blocker_id"],
            ["users.id"],
            name=op.f("fk_message_blocks_blocker_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_blocks")),
        sa.UniqueConstraint(
            "blocker_id", "blocked_id", name=op.f("uq_message_blocks_blocker_id_blocked_id")
        ),
    )
    with op.batch_alter_table("message_blocks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_message_blocks_blocked_id"), ["blocked_id"], unique=False
        )

    op.create_table(
        "private_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.Integer(), nullable=False),
        sa.Column("body_markdown", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("created_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_private_messages_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sender_id"],
            ["users.id"],
            name=op.f("fk_private_messages_sender_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_private_messages")),
    )
    with op.batch_alter_table("private_messages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_private_messages_conversation_id_id", ["conversation_id", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_private_messages_sender_id"), ["sender_id"], unique=False
        )

    op.create_table(
        "message_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("created_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", app.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["private_messages.id"],
            name=op.f("fk_message_reports_message_id_private_messages"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"],
            ["users.id"],
            name=op.f("fk_message_reports_reporter_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_reports")),
        sa.UniqueConstraint(
            "message_id", "reporter_id", name=op.f("uq_message_reports_message_id_reporter_id")
        ),
    )
    with op.batch_alter_table("message_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_message_reports_message_id"), ["message_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("message_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_message_reports_message_id"))

    op.drop_table("message_reports")
    with op.batch_alter_table("private_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_private_messages_sender_id"))
        batch_op.drop_index("ix_private_messages_conversation_id_id")

    op.drop_table("private_messages")
    with op.batch_alter_table("message_blocks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_message_blocks_blocked_id"))

    op.drop_table("message_blocks")
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_index("ix_conversations_second_user_id")

    op.drop_table("conversations")
