"""Posts: a thread read page by page (50 a page, oldest first), replies, edits within the
window, deletions that leave a tombstone, and reports to the moderators."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.actors import Actor
from app.core.db import utcnow
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.core.i18n import N_
from app.core.markdown import render_markdown
from app.core.pagination import encode_cursor, paginate
from app.forums import policy
from app.forums.models import ForumPost, ForumThread, PostReport
from app.forums.schemas import PostCreate, PostUpdate, ReportCreate
from app.forums.service import following
from app.forums.service.access import ForumAccess
from app.forums.service.attachments import drop_files, file_names
from app.forums.service.reading import mark_thread_read
from app.forums.service.threads import complete_forum_module, new_post, visible_thread

PAGE = 50


class NoSuchPost(NotFound):
    code = "no_such_post"
    title = N_("No such post.")


class AlreadyReported(Conflict):
    code = "post_already_reported"
    title = N_("You have already reported this post.")


@dataclass(frozen=True)
class PostRow:
    post: ForumPost
    author_name: str | None
    can_edit: bool
    can_delete: bool
    can_report: bool
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class ThreadView:
    access: ForumAccess
    thread: ForumThread
    posts: list[PostRow]
    next_cursor: str | None
    can_reply: bool
    replies_hidden: bool  # questions and answers: the reader has not answered yet


def _has_posted(session: Session, thread_id: int, user_id: int | None) -> bool:
    return bool(
        session.scalar(
            select(exists().where(ForumPost.thread_id == thread_id, ForumPost.author_id == user_id))
        )
    )


def read_thread(
    session: Session,
    actor: Actor,
    thread_id: int,
    cursor: str | None = None,
    limit: int = PAGE,
    *,
    mark_read: bool = True,
) -> ThreadView:
    """A page of the thread's posts as its reader may see them; what is shown is then read."""
    access, thread = visible_thread(session, actor, thread_id)
    stmt = select(ForumPost).where(
        ForumPost.thread_id == thread_id,
        policy.visible_posts(actor, access.roles, access.forum),
    )
    posts, next_cursor = paginate(session, stmt, ForumPost.id, cursor, limit)
    names = _names(session, {p.author_id for p in posts if p.author_id is not None})
    now = utcnow()
    files = file_names(session, [post.id for post in posts])
    rows = [
        PostRow(
            post,
            names.get(post.author_id) if post.author_id else None,
            policy.can_edit_post(actor, post, now),
            policy.can_delete_post(actor, access.roles, post, now),
            policy.can_report(actor, post),
            tuple(files.get(post.id, ())),
        )
        for post in posts
    ]
    replied = policy.sees_replies_of_others(
        actor, access.roles, access.forum, _has_posted(session, thread_id, actor.user_id)
    )
    if mark_read and posts and actor.user_id is not None:
        mark_thread_read(session, actor.user_id, access.forum.id, thread_id, posts[-1].id)
    can_reply = policy.can_reply(actor, access.roles, access.forum, thread)
    return ThreadView(access, thread, rows, next_cursor, can_reply, not replied)


def address_of(session: Session, post: ForumPost, query: str = "") -> str:
    """The address of the thread's page that shows the post (pages of 50, oldest first)."""
    before = (
        session.scalar(
            select(func.count()).where(
                ForumPost.thread_id == post.thread_id, ForumPost.id < post.id
            )
        )
        or 0
    )
    params = [query] if query else []
    start = (before // PAGE) * PAGE
    if start:
        after = session.scalar(
            select(ForumPost.id).where(ForumPost.thread_id == post.thread_id)
            .order_by(ForumPost.id).offset(start - 1).limit(1)
        )  # fmt: skip
        params.append(f"cursor={encode_cursor(after or 0)}")
    suffix = "?" + "&".join(params) if params else ""
    return f"/forums/threads/{post.thread_id}{suffix}#post-{post.id}"


def _names(session: Session, user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    rows = session.execute(select(User.id, User.display_name).where(User.id.in_(user_ids)))
    return {row.id: row.display_name for row in rows}


def reply(session: Session, actor: Actor, thread_id: int, data: PostCreate) -> ForumPost:
    """A reply in the thread, to its opening post or to the post named as `parent_id`."""
    access, thread = visible_thread(session, actor, thread_id)
    if not policy.can_reply(actor, access.roles, access.forum, thread):
        raise Forbidden(N_("You cannot reply in this discussion."))
    assert actor.user_id is not None
    if data.parent_id is not None:
        parent = session.get(ForumPost, data.parent_id)
        if parent is None or parent.thread_id != thread_id:
            raise Invalid(N_("No such post in this discussion."), field="parent_id")
    post = new_post(access, thread, actor.user_id, data.body_markdown, data.parent_id)
    session.add(post)
    session.flush()
    mark_thread_read(session, actor.user_id, access.forum.id, thread_id, post.id)
    complete_forum_module(session, access, actor.user_id)
    link = address_of(session, post)
    following.tell_readers(session, access, thread, post, link=link, opening=False)
    return post


def visible_post(session: Session, actor: Actor, post_id: int) -> tuple[ForumAccess, ForumPost]:
    post = session.get(ForumPost, post_id)
    if post is None:
        raise NoSuchPost()
    try:
        access, _ = visible_thread(session, actor, post.thread_id)
    except NotFound as hidden:
        raise NoSuchPost() from hidden
    shown = session.scalar(
        select(
            exists().where(
                ForumPost.id == post_id, policy.visible_posts(actor, access.roles, access.forum)
            )
        )
    )
    if not shown:
        raise NoSuchPost()
    return access, post


def editable_post(session: Session, actor: Actor, post_id: int) -> ForumPost:
    """A post its reader may still change (its author, within the edit window); the others
    who see it are refused, as is its form."""
    _, post = visible_post(session, actor, post_id)
    if not policy.can_edit_post(actor, post, utcnow()):
        raise Forbidden(N_("This post can no longer be edited."))
    return post


def edit_post(session: Session, actor: Actor, post_id: int, data: PostUpdate) -> ForumPost:
    """Its author changes a post within 30 minutes of writing it; then it is read only."""
    post = editable_post(session, actor, post_id)
    post.body_markdown = data.body_markdown
    post.body_html = render_markdown(data.body_markdown)
    post.edited_at = utcnow()
    session.flush()
    return post


def delete_post(session: Session, actor: Actor, post_id: int) -> ForumPost:
    """The author (within the edit window) or a moderator deletes a post: its text goes, a
    tombstone keeps its place so the replies to it still read in order."""
    access, post = visible_post(session, actor, post_id)
    if not policy.can_delete_post(actor, access.roles, post, utcnow()):
        raise Forbidden(N_("You cannot delete this post."))
    post.deleted_at = utcnow()
    post.deleted_by_id = actor.user_id
    post.body_markdown = ""
    post.body_html = ""
    drop_files(session, post)
    session.flush()
    return post


def reportable_post(session: Session, actor: Actor, post_id: int) -> tuple[ForumAccess, ForumPost]:
    """A post its reader may report (not their own, not deleted), as is its form."""
    access, post = visible_post(session, actor, post_id)
    if not policy.can_report(actor, post):
        raise Forbidden(N_("You cannot report this post."))
    return access, post


def report_post(session: Session, actor: Actor, post_id: int, data: ReportCreate) -> PostReport:
    """Tell the forum's moderators a post needs their eyes; once per reader and post."""
    access, post = reportable_post(session, actor, post_id)
    report = PostReport(
        post_id=post.id,
        forum_id=access.forum.id,
        reporter_id=actor.user_id,
        reason=data.reason.strip(),
    )
    try:
        with session.begin_nested():
            session.add(report)
    except IntegrityError as twice:
        raise AlreadyReported() from twice
    return report


@dataclass(frozen=True)
class ReportRow:
    report: PostReport
    post: ForumPost
    thread_title: str
    reporter_name: str | None


def open_reports(session: Session, access: ForumAccess) -> Sequence[ReportRow]:
    """The forum's reports not yet dealt with, oldest first, for its moderators."""
    if not access.moderates:
        raise Forbidden(N_("Only the forum's moderators read its reports."))
    rows = session.execute(
        select(PostReport, ForumPost, ForumThread.title, User.display_name)
        .join(ForumPost, ForumPost.id == PostReport.post_id)
        .join(ForumThread, ForumThread.id == ForumPost.thread_id)
        .outerjoin(User, User.id == PostReport.reporter_id)
        .where(PostReport.forum_id == access.forum.id, PostReport.resolved_at.is_(None))
        .order_by(PostReport.id)
        .limit(200)
    ).all()
    return [ReportRow(*row) for row in rows]


def resolve_report(session: Session, actor: Actor, report_id: int) -> PostReport:
    """A moderator has dealt with the report (deleted the post, or found nothing wrong)."""
    report = session.get(PostReport, report_id)
    if report is None:
        raise NotFound(N_("No such report."))
    access, _ = visible_post(session, actor, report.post_id)
    if not access.moderates:
        raise NotFound(N_("No such report."))
    report.resolved_at = utcnow()
    report.resolved_by_id = actor.user_id
    session.flush()
    return report
