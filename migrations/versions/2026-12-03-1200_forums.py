"""add forums, threads, posts, read marks, post reports and post files

Revision ID: c18a0001forum
Revises: c17b0001ltit
Create Date: 2026-12-03 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = "c18a0001forum"
down_revision: str | None = "c17b0001ltit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = app.core.db.UTCDateTime(timezone=True)


def _forum_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["forum_id"], ["forums.id"], name=op.f(f"fk_{table}_forum_id_forums"), ondelete="CASCADE"
    )


def _user_fk(table: str, column: str, ondelete: str = "SET NULL") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["users.id"], name=op.f(f"fk_{table}_{column}_users"), ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "forums",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=True),
        sa.Column("module_id", sa.Integer(), nullable=True),
        sa.Column("programme_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "general", "qanda", "announcements", name="forumkind", native_enum=False, length=24
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("intro_markdown", sa.Text(), nullable=False),
        sa.Column("intro_html", sa.Text(), nullable=False),
        sa.Column("separate_groups", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.CheckConstraint(
            "(course_id IS NULL) <> (programme_id IS NULL)",
            name=op.f("ck_forums_course_or_programme"),
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_forums_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["module_id"],
            ["modules.id"],
            name=op.f("fk_forums_module_id_modules"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_forums_programme_id_programmes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forums")),
        sa.UniqueConstraint("module_id", name=op.f("uq_forums_module_id")),
    )
    with op.batch_alter_table("forums") as batch:
        batch.create_index(batch.f("ix_forums_course_id"), ["course_id"])
        batch.create_index(batch.f("ix_forums_programme_id"), ["programme_id"])
    op.create_table(
        "forum_threads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("forum_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("last_post_at", UTC, nullable=False),
        _forum_fk("forum_threads"),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["course_groups.id"],
            name=op.f("fk_forum_threads_group_id_course_groups"),
            ondelete="CASCADE",
        ),
        _user_fk("forum_threads", "author_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_threads")),
    )
    with op.batch_alter_table("forum_threads") as batch:
        batch.create_index("ix_forum_threads_forum_activity", ["forum_id", "last_post_at"])
        batch.create_index(batch.f("ix_forum_threads_group_id"), ["group_id"])
        batch.create_index(batch.f("ix_forum_threads_author_id"), ["author_id"])
    op.create_table(
        "forum_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("forum_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body_markdown", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("edited_at", UTC, nullable=True),
        sa.Column("deleted_at", UTC, nullable=True),
        sa.Column("deleted_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["forum_threads.id"],
            name=op.f("fk_forum_posts_thread_id_forum_threads"),
            ondelete="CASCADE",
        ),
        _forum_fk("forum_posts"),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["forum_posts.id"],
            name=op.f("fk_forum_posts_parent_id_forum_posts"),
            ondelete="SET NULL",
        ),
        _user_fk("forum_posts", "author_id"),
        _user_fk("forum_posts", "deleted_by_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_posts")),
    )
    with op.batch_alter_table("forum_posts") as batch:
        batch.create_index("ix_forum_posts_thread_id_id", ["thread_id", "id"])
        batch.create_index(batch.f("ix_forum_posts_forum_id"), ["forum_id"])
        batch.create_index(batch.f("ix_forum_posts_author_id"), ["author_id"])
    op.create_table(
        "forum_reads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("forum_id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column("up_to_post_id", sa.Integer(), nullable=False),
        _user_fk("forum_reads", "user_id", ondelete="CASCADE"),
        _forum_fk("forum_reads"),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["forum_threads.id"],
            name=op.f("fk_forum_reads_thread_id_forum_threads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_reads")),
        sa.UniqueConstraint(
            "user_id",
            "forum_id",
            "thread_id",
            name=op.f("uq_forum_reads_user_id_forum_id_thread_id"),
        ),
    )
    with op.batch_alter_table("forum_reads") as batch:
        batch.create_index(batch.f("ix_forum_reads_forum_id"), ["forum_id"])
        batch.create_index(batch.f("ix_forum_reads_thread_id"), ["thread_id"])
    op.create_table(
        "forum_post_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("forum_id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("resolved_at", UTC, nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["forum_posts.id"],
            name=op.f("fk_forum_post_reports_post_id_forum_posts"),
            ondelete="CASCADE",
        ),
        _forum_fk("forum_post_reports"),
        _user_fk("forum_post_reports", "reporter_id"),
        _user_fk("forum_post_reports", "resolved_by_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_post_reports")),
        sa.UniqueConstraint(
            "post_id", "reporter_id", name=op.f("uq_forum_post_reports_post_id_reporter_id")
        ),
    )
    with op.batch_alter_table("forum_post_reports") as batch:
        batch.create_index(batch.f("ix_forum_post_reports_forum_id"), ["forum_id"])
    op.create_table(
        "forum_post_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("content_file_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["forum_posts.id"],
            name=op.f("fk_forum_post_files_post_id_forum_posts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["content_file_id"],
            ["content_files.id"],
            name=op.f("fk_forum_post_files_content_file_id_content_files"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_post_files")),
        sa.UniqueConstraint("post_id", "name", name=op.f("uq_forum_post_files_post_id_name")),
    )
    with op.batch_alter_table("forum_post_files") as batch:
        batch.create_index(batch.f("ix_forum_post_files_content_file_id"), ["content_file_id"])


def downgrade() -> None:
    with op.batch_alter_table("forum_post_files") as batch:
        batch.drop_index(batch.f("ix_forum_post_files_content_file_id"))
    op.drop_table("forum_post_files")
    with op.batch_alter_table("forum_post_reports") as batch:
        batch.drop_index(batch.f("ix_forum_post_reports_forum_id"))
    op.drop_table("forum_post_reports")
    with op.batch_alter_table("forum_reads") as batch:
        batch.drop_index(batch.f("ix_forum_reads_thread_id"))
        batch.drop_index(batch.f("ix_forum_reads_forum_id"))
    op.drop_table("forum_reads")
    with op.batch_alter_table("forum_posts") as batch:
        batch.drop_index(batch.f("ix_forum_posts_author_id"))
        batch.drop_index(batch.f("ix_forum_posts_forum_id"))
        batch.drop_index("ix_forum_posts_thread_id_id")
    op.drop_table("forum_posts")
    with op.batch_alter_table("forum_threads") as batch:
        batch.drop_index(batch.f("ix_forum_threads_author_id"))
        batch.drop_index(batch.f("ix_forum_threads_group_id"))
        batch.drop_index("ix_forum_threads_forum_activity")
    op.drop_table("forum_threads")
    with op.batch_alter_table("forums") as batch:
        batch.drop_index(batch.f("ix_forums_programme_id"))
        batch.drop_index(batch.f("ix_forums_course_id"))
    op.drop_table("forums")
