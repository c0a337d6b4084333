"""Forums: a course's (a forum module) or a programme's (the welcome space every course of the
programme shares), their threads and posts, what each reader has read, and reported posts."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base, enum_values, utcnow
from app.courses.models import ContentFile


class ForumKind(StrEnum):
    GENERAL = "general"  # anyone taking part starts threads and replies
    QANDA = "qanda"  # a learner sees others' replies only once they have replied themselves
    ANNOUNCEMENTS = "announcements"  # the course's staff post; everyone reads


class Forum(Base):
    """A course forum stands for one module of kind `forum`; a programme forum belongs to the
    programme alone. With `separate_groups`, each thread is of one group of the course and a
    learner sees the threads of their own groups and those for everyone."""

    __tablename__ = "forums"
    __table_args__ = (
        CheckConstraint(
            "(course_id IS NULL) <> (programme_id IS NULL)", name="course_or_programme"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int | None] = mapped_column(
        ForeignKey("courses.id", ondelete="CASCADE"), index=True
    )
    module_id: Mapped[int | None] = mapped_column(
        ForeignKey("modules.id", ondelete="CASCADE"), unique=True
    )
    programme_id: Mapped[int | None] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[ForumKind] = mapped_column(
        Enum(ForumKind, native_enum=False, length=24, values_callable=enum_values),
        default=ForumKind.GENERAL,
    )
    title: Mapped[str] = mapped_column(String(300))
    intro_markdown: Mapped[str] = mapped_column(Text, default="")
    intro_html: Mapped[str] = mapped_column(Text, default="")
    separate_groups: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ForumThread(Base):
    """A discussion: its opening post is its first post. `last_post_at` orders the forum's
    list; a locked thread takes no more replies, a pinned one stays at the top."""

    __tablename__ = "forum_threads"
    __table_args__ = (Index("ix_forum_threads_forum_activity", "forum_id", "last_post_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("course_groups.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    pinned: Mapped[bool] = mapped_column(default=False)
    locked: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_post_at: Mapped[datetime] = mapped_column(default=utcnow)


class ForumPost(Base):
    """A post in a thread, its Markdown and the sanitised HTML made when it was saved. A
    deleted post stays as a tombstone (`deleted_at`, text emptied) so replies keep their
    place."""

    __tablename__ = "forum_posts"
    __table_args__ = (Index("ix_forum_posts_thread_id_id", "thread_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_threads.id", ondelete="CASCADE"))
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("forum_posts.id", ondelete="SET NULL"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    body_markdown: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class ForumRead(Base):
    """What a reader has read: every post up to `up_to_post_id` in the thread, or, for the row
    with no thread, in the whole forum ("mark all read")."""

    __tablename__ = "forum_reads"
    __table_args__ = (UniqueConstraint("user_id", "forum_id", "thread_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"), index=True)
    thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("forum_threads.id", ondelete="CASCADE"), index=True
    )
    up_to_post_id: Mapped[int] = mapped_column(default=0)


class ForumSubscription(Base):
    """A reader who follows a forum: told of each new discussion and reply they may read.
    Everyone follows an announcements forum; nobody can leave one."""

    __tablename__ = "forum_subscriptions"
    __table_args__ = (UniqueConstraint("forum_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PostReport(Base):
    """A reader's report of a post to the forum's moderators."""

    __tablename__ = "forum_post_reports"
    __table_args__ = (UniqueConstraint("post_id", "reporter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_posts.id", ondelete="CASCADE"))
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"), index=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class ForumPostFile(Base):
    """A file attached to a post, stored once by its content like every upload."""

    __tablename__ = "forum_post_files"
    __table_args__ = (UniqueConstraint("post_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_posts.id", ondelete="CASCADE"))
    content_file_id: Mapped[int] = mapped_column(ForeignKey("content_files.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    position: Mapped[int] = mapped_column(default=0)

    content: Mapped[ContentFile] = relationship(lazy="raise")
