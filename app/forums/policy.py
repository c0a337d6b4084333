"""Who reads and writes in a forum. A course forum is read by whoever may open its module; a
programme forum (the welcome space) by the people of the programme's courses and the
programme's own learners. The course's teachers and tutors, and managers who reach it,
moderate: they lock, pin, delete any post and see every group. Partner systems take no part
in discussions: forums are between people."""

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, exists, func, or_, select, true
from sqlalchemy.orm import aliased

from app.core.actors import Actor
from app.forums.models import Forum, ForumKind, ForumPost, ForumThread
from app.membership.models import CourseRole

EDIT_WINDOW = timedelta(minutes=30)  # Moodle's default maxeditingtime
MODERATORS = frozenset({CourseRole.TEACHER, CourseRole.TUTOR})
WRITERS = MODERATORS | {CourseRole.STUDENT}


def is_person(actor: Actor) -> bool:
    """Only people write in forums."""
    return actor.user_id is not None and not actor.is_partner_client


def _reader(actor: Actor) -> bool:
    """People, and the platform itself (the seed loader, the command line)."""
    return actor.is_system or is_person(actor)


def can_read(actor: Actor, roles: frozenset[CourseRole], reached_as_manager: bool) -> bool:
    """Roles are those of the forum's course (or of the programme's courses); managers read
    the forums of what they reach."""
    return _reader(actor) and (bool(roles) or (actor.is_manager and reached_as_manager))


def moderates(actor: Actor, roles: frozenset[CourseRole]) -> bool:
    return _reader(actor) and (bool(roles & MODERATORS) or actor.is_manager)


def can_configure(actor: Actor, roles: frozenset[CourseRole], forum: Forum | None = None) -> bool:
    """A forum's kind, title, introduction and groups: its course's teachers and managers; a
    programme's forum, which all its courses share, its managers only."""
    if forum is not None and forum.programme_id is not None:
        return _reader(actor) and actor.is_manager
    return _reader(actor) and (CourseRole.TEACHER in roles or actor.is_manager)


def can_create_programme_forum(actor: Actor) -> bool:
    return _reader(actor) and actor.is_manager


def can_start_thread(actor: Actor, roles: frozenset[CourseRole], forum: Forum) -> bool:
    """Announcements and questions (as in Moodle's Q&A forum) are asked by the staff."""
    if not is_person(actor):
        return False
    if forum.kind in (ForumKind.ANNOUNCEMENTS, ForumKind.QANDA):
        return moderates(actor, roles)
    return moderates(actor, roles) or bool(roles & WRITERS)


def can_reply(
    actor: Actor, roles: frozenset[CourseRole], forum: Forum, thread: ForumThread
) -> bool:
    """Announcements take no replies; a locked thread takes its moderators' only."""
    if not is_person(actor) or forum.kind is ForumKind.ANNOUNCEMENTS:
        return False
    if thread.locked:
        return moderates(actor, roles)
    return moderates(actor, roles) or bool(roles & WRITERS)


def can_edit_post(actor: Actor, post: ForumPost, now: datetime) -> bool:
    """Its author, within the edit window; afterwards a post is read only."""
    return (
        is_person(actor)
        and post.deleted_at is None
        and post.author_id == actor.user_id
        and now - post.created_at <= EDIT_WINDOW
    )


def can_delete_post(
    actor: Actor, roles: frozenset[CourseRole], post: ForumPost, now: datetime
) -> bool:
    """Its author within the edit window, a moderator at any time."""
    if post.deleted_at is not None:
        return False
    return moderates(actor, roles) or can_edit_post(actor, post, now)


def can_report(actor: Actor, post: ForumPost) -> bool:
    return is_person(actor) and post.deleted_at is None and post.author_id != actor.user_id


def sees_every_group(actor: Actor, roles: frozenset[CourseRole]) -> bool:
    return moderates(actor, roles) or CourseRole.OBSERVER in roles


def sees_thread(
    actor: Actor, roles: frozenset[CourseRole], forum: Forum, thread: ForumThread,
    my_groups: frozenset[int],
) -> bool:  # fmt: skip
    """In a forum of separate groups, a learner sees their groups' threads and those for
    everyone; a thread of another group does not exist for them."""
    if not forum.separate_groups or thread.group_id is None or sees_every_group(actor, roles):
        return True
    return thread.group_id in my_groups


def sees_replies_of_others(
    actor: Actor, roles: frozenset[CourseRole], forum: Forum, has_replied: bool
) -> bool:
    """Questions and answers: a learner sees the others' answers once they have answered."""
    return forum.kind is not ForumKind.QANDA or has_replied or sees_every_group(actor, roles)


# --- The same rules as SQL, for lists (threads, unread counts, search) ---------------------


def visible_threads(
    actor: Actor, roles: frozenset[CourseRole], forum: Forum, my_groups: frozenset[int]
) -> ColumnElement[bool]:
    """`sees_thread` for a list of the forum's threads."""
    if not forum.separate_groups or sees_every_group(actor, roles):
        return true()
    return or_(ForumThread.group_id.is_(None), ForumThread.group_id.in_(my_groups))


def visible_posts(actor: Actor, roles: frozenset[CourseRole], forum: Forum) -> ColumnElement[bool]:
    """`sees_replies_of_others` for a list of posts (ForumPost): in questions and answers,
    a learner who has not answered in a thread sees its opening post and their own only."""
    if forum.kind is not ForumKind.QANDA or sees_every_group(actor, roles):
        return true()
    mine = aliased(ForumPost)
    first = aliased(ForumPost)
    opening = (
        select(func.min(first.id)).where(first.thread_id == ForumPost.thread_id).scalar_subquery()
    )
    return or_(
        ForumPost.id == opening,
        ForumPost.author_id == actor.user_id,
        exists().where(mine.thread_id == ForumPost.thread_id, mine.author_id == actor.user_id),
    )


# --- Who is told of a new post ------------------------------------------------------------


def can_follow(actor: Actor, forum: Forum) -> bool:
    """People follow a forum to be told of its posts; nobody leaves an announcements forum."""
    return is_person(actor) and forum.kind is not ForumKind.ANNOUNCEMENTS


def is_told_of_post(
    roles: frozenset[CourseRole], forum: Forum, thread: ForumThread, *,
    follows: bool, in_thread_group: bool, posted_in_thread: bool, opening: bool,
) -> bool:  # fmt: skip
    """Whoever holds a role in the forum's course is told of announcements; of other posts,
    the followers who may read them: a thread of another group, or in questions and answers
    another's answer before one has answered, is never told of."""
    if not roles:
        return False
    if forum.kind is ForumKind.ANNOUNCEMENTS:
        return True
    every_group = bool(roles & (MODERATORS | {CourseRole.OBSERVER}))
    of_a_group = forum.separate_groups and thread.group_id is not None
    if of_a_group and not every_group and not in_thread_group:
        return False
    if forum.kind is ForumKind.QANDA and not opening and not every_group:
        return follows and posted_in_thread
    return follows
