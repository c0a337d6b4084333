"""A course's forums as one reader finds them: its forum modules they may open and the forums
of the programmes it belongs to (the welcome space), each with its unread count; and search
across them."""

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.actors import Actor
from app.core.errors import DomainError, Forbidden, Invalid
from app.core.i18n import N_
from app.courses.models import Module, ModuleKind, Programme, ProgrammeCourse
from app.courses.policy import can_manage_programme
from app.courses.service.courses import get_course
from app.forums import policy
from app.forums.models import ForumPost, ForumThread
from app.forums.service.access import (
    ForumAccess,
    awarding_ids,
    forum_of_module,
    my_groups,
    programme_forums,
)
from app.forums.service.reading import forum_unread

SEARCH_LIMIT = 50
_MARKUP = re.compile(r"[*_`#>\[\]()!|~]+")


@dataclass(frozen=True)
class ForumEntry:
    access: ForumAccess
    unread: int


def _readable(session: Session, actor: Actor, course_id: int) -> list[ForumAccess]:
    get_course(session, actor, course_id)  # an unseen course is not found
    module_ids = session.scalars(
        select(Module.id)
        .where(Module.course_id == course_id, Module.kind == ModuleKind.FORUM)
        .order_by(Module.section_id, Module.position)
    ).all()
    found = []
    for module_id in module_ids:
        try:
            found.append(forum_of_module(session, actor, module_id))
        except DomainError:  # hidden from this reader, or locked for now
            continue
    programme_ids = session.scalars(
        select(ProgrammeCourse.programme_id).where(ProgrammeCourse.course_id == course_id)
    ).all()
    for programme_id in programme_ids:
        found.extend(programme_forums(session, actor, programme_id))
    return found


def course_forums(session: Session, actor: Actor, course_id: int) -> list[ForumEntry]:
    """The forums a reader of the course may open, with what they have not read."""
    return [
        ForumEntry(access, forum_unread(session, access))
        for access in _readable(session, actor, course_id)
    ]


def programmes_to_open_forums(session: Session, actor: Actor, course_id: int) -> list[Programme]:
    """The programmes of the course in which the reader may open a forum (its managers)."""
    if not policy.can_create_programme_forum(actor):
        return []
    found = session.scalars(
        select(Programme)
        .join(ProgrammeCourse, ProgrammeCourse.programme_id == Programme.id)
        .where(ProgrammeCourse.course_id == course_id)
        .order_by(Programme.code)
    ).all()
    return [p for p in found if can_manage_programme(actor, awarding_ids(session, p.id))]


def programme_for_forum(session: Session, actor: Actor, course_id: int, chosen: str) -> int:
    """The programme a form names for a new forum: one of the course's the reader manages.
    Who may open no programme's forum is refused (403), whatever the form names."""
    if not policy.can_create_programme_forum(actor):
        raise Forbidden(N_("Only managers open a programme's forums."))
    for programme in programmes_to_open_forums(session, actor, course_id):
        if str(programme.id) == chosen:
            return programme.id
    raise Invalid(N_("Choose one of the course's programmes."), field="programme_id")


@dataclass(frozen=True)
class Hit:
    forum_id: int
    thread_id: int
    post_id: int
    thread_title: str
    author_name: str | None
    excerpt: str
    created_at: datetime


def _excerpt(markdown: str, words: str, width: int = 200) -> str:
    plain = " ".join(_MARKUP.sub(" ", markdown).split())
    at = plain.casefold().find(words.casefold())
    start = max(0, at - width // 3) if at >= 0 else 0
    cut = plain[start : start + width]
    return ("…" if start else "") + cut + ("…" if start + width < len(plain) else "")


def search(session: Session, actor: Actor, course_id: int, words: str) -> list[Hit]:
    """The latest 50 posts whose text or discussion title holds the words, in the course's
    forums as the reader may see them (their groups' threads, answers once they answered)."""
    words = " ".join(words.split())
    if len(words) < 2:
        raise Invalid(N_("Search for at least two characters."), field="q")
    hits: list[Hit] = []
    for access in _readable(session, actor, course_id):
        groups = my_groups(session, actor, access.course_ids)
        rows = session.execute(
            select(ForumPost, ForumThread.title, User.display_name)
            .join(ForumThread, ForumThread.id == ForumPost.thread_id)
            .outerjoin(User, User.id == ForumPost.author_id)
            .where(
                ForumPost.forum_id == access.forum.id,
                ForumPost.deleted_at.is_(None),
                or_(
                    ForumPost.body_markdown.icontains(words, autoescape=True),
                    ForumThread.title.icontains(words, autoescape=True),
                ),
                policy.visible_threads(actor, access.roles, access.forum, groups),
                policy.visible_posts(actor, access.roles, access.forum),
            )
            .order_by(ForumPost.id.desc())
            .limit(SEARCH_LIMIT)
        ).all()
        hits.extend(
            Hit(
                access.forum.id,
                post.thread_id,
                post.id,
                title,
                name,
                _excerpt(post.body_markdown, words),
                post.created_at,
            )
            for post, title, name in rows
        )
    hits.sort(key=lambda hit: hit.post_id, reverse=True)
    return hits[:SEARCH_LIMIT]
