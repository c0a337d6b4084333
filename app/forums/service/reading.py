"""What a reader has not read yet, per thread and per forum, and marking things read: all in
a constant number of statements whatever the number of posts and readers."""

from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, case, delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from app.forums import policy
from app.forums.models import ForumPost, ForumRead, ForumThread
from app.forums.service.access import ForumAccess, my_groups


def _unread_of(access: ForumAccess, user_id: int) -> list[ColumnElement[bool]]:
    """The conditions of a post `user_id` has not read, as the reader may see it."""
    thread_mark = aliased(ForumRead)
    forum_mark = aliased(ForumRead)
    read_in_thread = select(func.max(thread_mark.up_to_post_id)).where(
        thread_mark.user_id == user_id, thread_mark.thread_id == ForumPost.thread_id
    )
    read_in_forum = select(func.max(forum_mark.up_to_post_id)).where(
        forum_mark.user_id == user_id,
        forum_mark.forum_id == ForumPost.forum_id,
        forum_mark.thread_id.is_(None),
    )
    return [
        ForumPost.id > func.coalesce(read_in_thread.scalar_subquery(), 0),
        ForumPost.id > func.coalesce(read_in_forum.scalar_subquery(), 0),
        ForumPost.deleted_at.is_(None),
        or_(ForumPost.author_id.is_(None), ForumPost.author_id != user_id),
        policy.visible_posts(access.actor, access.roles, access.forum),
    ]


def thread_counts(
    session: Session, access: ForumAccess, thread_ids: Sequence[int]
) -> dict[int, tuple[int, int]]:
    """For each thread: (replies, posts the reader has not read)."""
    if not thread_ids:
        return {}
    user_id = access.actor.user_id or 0
    unread = func.sum(case((and_(*_unread_of(access, user_id)), 1), else_=0))
    rows = session.execute(
        select(ForumPost.thread_id, func.count(), unread)
        .where(ForumPost.thread_id.in_(thread_ids))
        .group_by(ForumPost.thread_id)
    ).all()
    return {thread_id: (count - 1, int(new or 0)) for thread_id, count, new in rows}


def forum_unread(session: Session, access: ForumAccess) -> int:
    """Posts of the forum the reader has not read, in the threads they may see."""
    user_id = access.actor.user_id or 0
    groups = my_groups(session, access.actor, access.course_ids)
    found = session.scalar(
        select(func.count())
        .select_from(ForumPost)
        .join(ForumThread, ForumThread.id == ForumPost.thread_id)
        .where(
            ForumPost.forum_id == access.forum.id,
            policy.visible_threads(access.actor, access.roles, access.forum, groups),
            *_unread_of(access, user_id),
        )
    )
    return int(found or 0)


def mark_thread_read(
    session: Session, user_id: int, forum_id: int, thread_id: int, up_to: int
) -> None:
    """Everything up to post `up_to` of the thread is read (a mark never goes back)."""
    mark = session.scalar(
        select(ForumRead).where(ForumRead.user_id == user_id, ForumRead.thread_id == thread_id)
    )
    if mark is not None:
        mark.up_to_post_id = max(mark.up_to_post_id, up_to)
        return
    try:
        with session.begin_nested():
            session.add(ForumRead(user_id=user_id, forum_id=forum_id, thread_id=thread_id,
                                  up_to_post_id=up_to))  # fmt: skip
    except IntegrityError:  # the same reader's other tab marked it first
        pass


def mark_forum_read(session: Session, access: ForumAccess) -> None:
    """ "Mark all read": every post now in the forum is read by its reader."""
    assert access.actor.user_id is not None
    latest = session.scalar(
        select(func.max(ForumPost.id)).where(ForumPost.forum_id == access.forum.id)
    )
    session.execute(
        delete(ForumRead).where(
            ForumRead.user_id == access.actor.user_id,
            ForumRead.forum_id == access.forum.id,
        )
    )
    session.add(ForumRead(user_id=access.actor.user_id, forum_id=access.forum.id,
                          thread_id=None, up_to_post_id=latest or 0))  # fmt: skip
    session.flush()
