"""Finding a forum as its reader may see it, with the roles that decide what they may do: a
course forum through its module (a hidden or locked module hides its forum), a programme
forum through the programme's courses."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.core.actors import Actor
from app.core.errors import Forbidden, Invalid, NotFound
from app.core.i18n import N_
from app.core.markdown import render_markdown
from app.courses.models import (
    Course,
    Module,
    ModuleKind,
    Programme,
    ProgrammeCourse,
    Status,
    programme_institutions,
)
from app.courses.policy import can_manage_programme
from app.courses.service.content import read_module
from app.enrolment.models import Group, GroupMember, ProgrammeEnrolment
from app.forums import policy
from app.forums.models import Forum, ForumKind
from app.forums.schemas import ForumCreate, ForumUpdate
from app.membership.models import CourseRole, Enrolment
from app.membership.service import active_enrolment


class NoSuchForum(NotFound):
    code = "no_such_forum"
    title = N_("No such forum.")


@dataclass(frozen=True)
class ForumAccess:
    """A forum with its reader's roles: in its course, or across its programme's courses."""

    forum: Forum
    roles: frozenset[CourseRole]
    actor: Actor
    course_ids: tuple[int, ...]  # the course, or the programme's courses
    course: Course | None = None  # a course forum's course

    @property
    def moderates(self) -> bool:
        return policy.moderates(self.actor, self.roles)


def _created_for_module(session: Session, module: Module) -> Forum:
    """A forum module's forum, made with its defaults the first time anyone opens it; two
    first readers at once make one forum."""
    try:
        with session.begin_nested():
            forum = Forum(course_id=module.course_id, module_id=module.id, title=module.title)
            session.add(forum)
    except IntegrityError:
        found = session.scalar(select(Forum).where(Forum.module_id == module.id))
        assert found is not None
        return found
    return forum


def forum_of_module(session: Session, actor: Actor, module_id: int) -> ForumAccess:
    """The forum a forum module stands for, for whoever may open the module."""
    access = read_module(session, actor, module_id)
    if access.module.kind is not ModuleKind.FORUM:
        raise NoSuchForum()
    roles = access.course.roles
    if not policy.can_read(actor, roles, reached_as_manager=True):
        raise NoSuchForum()
    forum = session.scalar(select(Forum).where(Forum.module_id == module_id))
    forum = forum or _created_for_module(session, access.module)
    return ForumAccess(forum, roles, actor, (access.module.course_id,), access.course.course)


def get_forum(session: Session, actor: Actor, forum_id: int) -> ForumAccess:
    forum = session.get(Forum, forum_id)
    if forum is None:
        raise NoSuchForum()
    if forum.module_id is not None:
        return forum_of_module(session, actor, forum.module_id)
    assert forum.programme_id is not None
    return _programme_access(session, actor, forum)


def _programme_course_ids(session: Session, programme_id: int) -> tuple[int, ...]:
    rows = session.scalars(
        select(ProgrammeCourse.course_id).where(ProgrammeCourse.programme_id == programme_id)
    )
    return tuple(rows)


def programme_roles(session: Session, actor: Actor, programme_id: int) -> frozenset[CourseRole]:
    """The reader's roles across the programme's courses; a learner of the programme who has
    no course yet is one of its students."""
    if actor.user_id is None or not policy.is_person(actor):
        return frozenset()
    in_programme = Enrolment.course_id.in_(
        select(ProgrammeCourse.course_id).where(ProgrammeCourse.programme_id == programme_id)
    )
    roles = set(session.scalars(select(Enrolment.role).where(
        active_enrolment(actor.user_id, in_programme)
    ).distinct()))  # fmt: skip
    enrolled = session.scalar(
        select(ProgrammeEnrolment.id).where(
            ProgrammeEnrolment.programme_id == programme_id,
            ProgrammeEnrolment.user_id == actor.user_id,
        )
    )
    if enrolled is not None:
        roles.add(CourseRole.STUDENT)
    return frozenset(roles)


def awarding_ids(session: Session, programme_id: int) -> list[int]:
    return list(
        session.scalars(
            select(programme_institutions.c.institution_id).where(
                programme_institutions.c.programme_id == programme_id
            )
        )
    )


def _programme_access(session: Session, actor: Actor, forum: Forum) -> ForumAccess:
    assert forum.programme_id is not None
    roles = programme_roles(session, actor, forum.programme_id)
    reached = actor.is_manager and can_manage_programme(
        actor, awarding_ids(session, forum.programme_id)
    )
    if not policy.can_read(actor, roles, reached_as_manager=reached):
        raise NoSuchForum()
    return ForumAccess(forum, roles, actor, _programme_course_ids(session, forum.programme_id))


def programme_forums(session: Session, actor: Actor, programme_id: int) -> list[ForumAccess]:
    """The programme's forums its reader may read (none for others)."""
    found = session.scalars(
        select(Forum).where(Forum.programme_id == programme_id).order_by(Forum.id)
    ).all()
    if not found:
        return []
    try:
        first = _programme_access(session, actor, found[0])
    except NotFound:
        return []
    return [ForumAccess(f, first.roles, actor, first.course_ids) for f in found]


def create_programme_forum(
    session: Session, actor: Actor, programme_id: int, data: ForumCreate
) -> ForumAccess:
    """A forum every course of the programme shares, such as the induction's welcome space:
    made by the managers of the programme."""
    programme = session.get(Programme, programme_id)
    manages = programme is not None and can_manage_programme(
        actor, awarding_ids(session, programme_id)
    )
    # A published programme is public (its page, the API's list): refused, not hidden.
    if programme is None or (programme.status is not Status.PUBLISHED and not manages):
        raise NotFound(N_("No such programme."))
    if not manages or not policy.can_create_programme_forum(actor):
        raise Forbidden(N_("Only managers open a programme's forums."))
    forum = Forum(programme_id=programme_id, title=data.title, kind=data.kind,
                  intro_markdown=data.intro_markdown,
                  intro_html=render_markdown(data.intro_markdown))  # fmt: skip
    session.add(forum)
    session.flush()
    return ForumAccess(forum, frozenset(), actor, _programme_course_ids(session, programme_id))


def configure(session: Session, actor: Actor, forum_id: int, data: ForumUpdate) -> ForumAccess:
    """A forum's kind, title, introduction and separate groups, set by its course's teachers
    (a programme's forum by its managers)."""
    access = get_forum(session, actor, forum_id)
    if not policy.can_configure(actor, access.roles, access.forum):
        raise Forbidden(N_("Only the course's teachers set up its forums."))
    forum = access.forum
    if data.title is not None:
        forum.title = data.title
    if data.kind is not None:
        forum.kind = data.kind
    if data.intro_markdown is not None:
        forum.intro_markdown = data.intro_markdown
        forum.intro_html = render_markdown(data.intro_markdown)
    if data.separate_groups is not None:
        if data.separate_groups and forum.course_id is None:
            raise Invalid(
                N_("Only a course's forum can have separate groups."), field="separate_groups"
            )
        forum.separate_groups = data.separate_groups
    session.flush()
    return access


def my_groups(session: Session, actor: Actor, course_ids: Sequence[int]) -> frozenset[int]:
    if actor.user_id is None or not course_ids:
        return frozenset()
    rows = session.scalars(
        select(GroupMember.group_id)
        .join(Group, Group.id == GroupMember.group_id)
        .where(GroupMember.user_id == actor.user_id, Group.course_id.in_(course_ids))
    )
    return frozenset(rows)


def groups_to_choose(session: Session, access: ForumAccess) -> list[Group]:
    """The groups a moderator may start a thread for in a forum of separate groups."""
    if not access.forum.separate_groups or not access.moderates:
        return []
    return list(session.scalars(
        select(Group).where(Group.course_id.in_(access.course_ids)).order_by(Group.name)
    ))  # fmt: skip


def check_group(session: Session, access: ForumAccess, group_id: int | None) -> int | None:
    """The group a new thread is for: in a forum of separate groups, a learner's own group
    (their first if they have several); staff choose one, or none for everyone."""
    if not access.forum.separate_groups:
        return None
    mine = my_groups(session, access.actor, access.course_ids)
    if policy.sees_every_group(access.actor, access.roles):
        if group_id is None:
            return None
        found = session.scalar(
            select(Group.id).where(Group.id == group_id, Group.course_id.in_(access.course_ids))
        )
        if found is None:
            raise Invalid(N_("No such group in this course."), field="group_id")
        return found
    if group_id is not None and group_id in mine:
        return group_id
    if not mine:
        raise Forbidden(N_("This forum is for the course's groups; you are in none yet."))
    return min(mine)


KIND_NAMES = {
    ForumKind.GENERAL: N_("General discussion"),
    ForumKind.QANDA: N_("Questions and answers"),
    ForumKind.ANNOUNCEMENTS: N_("Announcements"),
}
