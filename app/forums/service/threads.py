"""Threads: listed newest activity first (pinned ones on top), started, read page by page,
locked and pinned by moderators."""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, and_, false, func, or_, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.actors import Actor
from app.core.db import utcnow
from app.core.errors import Forbidden, Invalid, NotFound
from app.core.i18n import N_
from app.core.inputs import MAX_INT
from app.core.markdown import render_markdown
from app.core.pagination import MAX_PAGE_SIZE
from app.courses.models import CompletionRule, Module
from app.courses.service.completion import record_outcome
from app.forums import policy
from app.forums.models import ForumPost, ForumThread
from app.forums.schemas import ThreadCreate, ThreadUpdate
from app.forums.service import following
from app.forums.service.access import ForumAccess, check_group, get_forum, my_groups
from app.forums.service.reading import thread_counts

PAGE = 50


class NoSuchThread(NotFound):
    code = "no_such_thread"
    title = N_("No such discussion.")


@dataclass(frozen=True)
class ThreadRow:
    thread: ForumThread
    author_name: str | None
    replies: int
    unread: int


@dataclass(frozen=True)
class ThreadList:
    access: ForumAccess
    rows: list[ThreadRow]
    next_cursor: str | None
    can_start: bool
    can_configure: bool


def _cursor_of(thread: ForumThread) -> str:
    raw = json.dumps([thread.pinned, thread.last_post_at.isoformat(), thread.id])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _after(cursor: str) -> ColumnElement[bool]:
    """Threads after the cursor's, in the list's order (pinned, latest activity, newest)."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        pinned, moment, last_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        at = datetime.fromisoformat(moment)
        if not isinstance(pinned, bool) or not isinstance(last_id, int) or at.tzinfo is None:
            raise ValueError(cursor)
        if not 0 <= last_id <= MAX_INT:  # past any id (SQLite cannot even bind it)
            raise ValueError(cursor)
        at = at.astimezone(UTC)  # a date past the calendar's end in UTC overflows here
    except (ValueError, TypeError, OverflowError, binascii.Error, UnicodeDecodeError) as exc:
        raise Invalid(N_("The cursor is not one Agora gave out."), field="cursor") from exc
    same_pin = ForumThread.pinned == pinned
    later_pin = ForumThread.pinned.is_(False) if pinned else false()
    return or_(
        later_pin,
        and_(same_pin, ForumThread.last_post_at < at),
        and_(same_pin, ForumThread.last_post_at == at, ForumThread.id < last_id),
    )


def list_threads(
    session: Session, actor: Actor, forum_id: int, cursor: str | None = None, limit: int = PAGE
) -> ThreadList:
    """A page of the forum's threads its reader may see, with replies and unread counts."""
    access = get_forum(session, actor, forum_id)
    groups = my_groups(session, actor, access.course_ids)
    stmt = (
        select(ForumThread, User.display_name)
        .outerjoin(User, User.id == ForumThread.author_id)
        .where(
            ForumThread.forum_id == forum_id,
            policy.visible_threads(actor, access.roles, access.forum, groups),
        )
        .order_by(ForumThread.pinned.desc(), ForumThread.last_post_at.desc(), ForumThread.id.desc())
        .limit(max(1, min(limit, MAX_PAGE_SIZE)) + 1)
    )
    if cursor:
        stmt = stmt.where(_after(cursor))
    found = session.execute(stmt).all()
    size = max(1, min(limit, MAX_PAGE_SIZE))
    page, more = found[:size], len(found) > size
    counts = thread_counts(session, access, [thread.id for thread, _ in page])
    rows = [ThreadRow(thread, name, *counts.get(thread.id, (0, 0))) for thread, name in page]
    next_cursor = _cursor_of(page[-1][0]) if more and page else None
    can_start = policy.can_start_thread(actor, access.roles, access.forum)
    can_configure = policy.can_configure(actor, access.roles, access.forum)
    return ThreadList(access, rows, next_cursor, can_start, can_configure)


def complete_forum_module(session: Session, access: ForumAccess, user_id: int) -> None:
    """A forum module whose rule is "posted" is complete with the learner's first post."""
    if access.forum.module_id is None:
        return
    module = session.get(Module, access.forum.module_id)
    if module is not None and module.completion_rule is CompletionRule.POSTED:
        record_outcome(session, user_id, module, CompletionRule.POSTED)


def new_post(
    access: ForumAccess, thread: ForumThread, author_id: int, body: str, parent_id: int | None
) -> ForumPost:
    now = utcnow()
    thread.last_post_at = now
    return ForumPost(
        thread_id=thread.id, forum_id=access.forum.id, parent_id=parent_id, author_id=author_id,
        body_markdown=body, body_html=render_markdown(body), created_at=now,
    )  # fmt: skip


def start_thread(session: Session, actor: Actor, forum_id: int, data: ThreadCreate) -> ForumThread:
    """A new discussion with its opening post; in announcements and questions, staff only."""
    access = get_forum(session, actor, forum_id)
    if not policy.can_start_thread(actor, access.roles, access.forum):
        raise Forbidden(N_("You cannot start a discussion in this forum."))
    assert actor.user_id is not None
    group_id = check_group(session, access, data.group_id)
    thread = ForumThread(forum_id=forum_id, group_id=group_id, author_id=actor.user_id,
                         title=data.title.strip(), created_at=utcnow())  # fmt: skip
    session.add(thread)
    session.flush()
    post = new_post(access, thread, actor.user_id, data.body_markdown, None)
    session.add(post)
    session.flush()
    complete_forum_module(session, access, actor.user_id)
    link = f"/forums/threads/{thread.id}#post-{post.id}"
    following.tell_readers(session, access, thread, post, link=link, opening=True)
    return thread


def opening_post_id(session: Session, thread_id: int) -> int:
    found = session.scalar(select(func.min(ForumPost.id)).where(ForumPost.thread_id == thread_id))
    assert found is not None
    return found


def visible_thread(
    session: Session, actor: Actor, thread_id: int
) -> tuple[ForumAccess, ForumThread]:
    """A thread its reader may see: in a forum they read, of their group if it is one's."""
    thread = session.get(ForumThread, thread_id)
    if thread is None:
        raise NoSuchThread()
    try:
        access = get_forum(session, actor, thread.forum_id)
    except NotFound as hidden:
        raise NoSuchThread() from hidden
    groups = my_groups(session, actor, access.course_ids) if thread.group_id else frozenset()
    if not policy.sees_thread(actor, access.roles, access.forum, thread, groups):
        raise NoSuchThread()
    return access, thread


def moderate_thread(
    session: Session, actor: Actor, thread_id: int, data: ThreadUpdate
) -> ForumThread:
    """Lock (no more replies but the moderators') or pin (kept on top) a thread."""
    access, thread = visible_thread(session, actor, thread_id)
    if not access.moderates:
        raise Forbidden(N_("Only the forum's moderators lock and pin discussions."))
    if data.pinned is not None:
        thread.pinned = data.pinned
    if data.locked is not None:
        thread.locked = data.locked
    session.flush()
    return thread
