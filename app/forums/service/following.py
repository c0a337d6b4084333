"""Following a forum, and telling its readers of a new post: everyone of an announcements
forum, the followers of the others who may read the post (its group, the questions-and-answers
rule). Who is told is found in a fixed number of statements, whatever the forum's size."""

from collections import defaultdict

from sqlalchemy import Select, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.actors import Actor
from app.core.errors import Forbidden
from app.core.i18n import N_
from app.enrolment.models import GroupMember, ProgrammeEnrolment
from app.forums import policy
from app.forums.models import ForumKind, ForumPost, ForumSubscription, ForumThread
from app.forums.service.access import ForumAccess, get_forum
from app.membership.models import CourseRole, Enrolment, EnrolmentStatus
from app.notifications.models import NotificationKind
from app.notifications.service import Notice, notify

EXCERPT = 1000


def follows(session: Session, user_id: int | None, forum_id: int) -> bool:
    if user_id is None:
        return False
    return (
        session.scalar(
            select(ForumSubscription.id).where(
                ForumSubscription.forum_id == forum_id, ForumSubscription.user_id == user_id
            )
        )
        is not None
    )


def _follow(session: Session, user_id: int, forum_id: int) -> None:
    if follows(session, user_id, forum_id):
        return
    try:
        with session.begin_nested():
            session.add(ForumSubscription(forum_id=forum_id, user_id=user_id))
    except IntegrityError:
        pass  # followed meanwhile, by another request of theirs


def set_following(session: Session, actor: Actor, forum_id: int, *, follow: bool) -> ForumAccess:
    access = get_forum(session, actor, forum_id)
    if not policy.can_follow(actor, access.forum):
        raise Forbidden(N_("Everyone receives this forum's announcements."))
    assert actor.user_id is not None
    if follow:
        _follow(session, actor.user_id, forum_id)
    else:
        session.execute(delete(ForumSubscription).where(
            ForumSubscription.forum_id == forum_id, ForumSubscription.user_id == actor.user_id
        ))  # fmt: skip
    return access


def _roles_of_readers(session: Session, access: ForumAccess) -> dict[int, set[CourseRole]]:
    roles: dict[int, set[CourseRole]] = defaultdict(set)
    rows = session.execute(
        select(Enrolment.user_id, Enrolment.role).where(
            Enrolment.course_id.in_(access.course_ids), Enrolment.status == EnrolmentStatus.ACTIVE
        )
    )
    for user_id, role in rows:
        roles[user_id].add(role)
    if access.forum.programme_id is not None:
        learners = session.scalars(select(ProgrammeEnrolment.user_id).where(
            ProgrammeEnrolment.programme_id == access.forum.programme_id
        ))  # fmt: skip
        for user_id in learners:
            roles[user_id].add(CourseRole.STUDENT)
    return roles


def _user_ids(session: Session, statement: Select[int]) -> set[int]:
    return set(session.scalars(statement))


def readers_to_tell(
    session: Session, access: ForumAccess, thread: ForumThread, post: ForumPost, opening: bool
) -> list[int]:
    forum = access.forum
    roles = _roles_of_readers(session, access)
    followers = _user_ids(
        session, select(ForumSubscription.user_id).where(ForumSubscription.forum_id == forum.id)
    )
    group: set[int] = set()
    if forum.separate_groups and thread.group_id is not None:
        group = _user_ids(
            session, select(GroupMember.user_id).where(GroupMember.group_id == thread.group_id)
        )
    posted: set[int] = set()
    if forum.kind is ForumKind.QANDA and not opening:
        authors = select(ForumPost.author_id).where(
            ForumPost.thread_id == thread.id, ForumPost.deleted_at.is_(None)
        )
        posted = {user_id for user_id in session.scalars(authors) if user_id is not None}
    return [
        user_id for user_id, held in roles.items()
        if user_id != post.author_id and policy.is_told_of_post(
            frozenset(held), forum, thread, follows=user_id in followers,
            in_thread_group=user_id in group, posted_in_thread=user_id in posted, opening=opening,
        )
    ]  # fmt: skip


def tell_readers(
    session: Session, access: ForumAccess, thread: ForumThread, post: ForumPost, *,
    link: str, opening: bool,
) -> None:  # fmt: skip
    """Tell who may read it of a new post, and make its author a follower of the forum."""
    assert post.author_id is not None
    author = session.get_one(User, post.author_id)
    announcement = access.forum.kind is ForumKind.ANNOUNCEMENTS
    notice = Notice(
        kind=NotificationKind.ANNOUNCEMENT if announcement else NotificationKind.FORUM_POST,
        subject=N_("%(forum)s: %(title)s"),
        body=N_("%(author)s wrote:\n\n%(text)s"),
        link=link,
        values={"forum": access.forum.title, "title": thread.title, "author": author.display_name,
                "text": post.body_markdown[:EXCERPT]},
    )  # fmt: skip
    notify(session, readers_to_tell(session, access, thread, post, opening), notice)
    if not announcement:
        _follow(session, post.author_id, access.forum.id)
