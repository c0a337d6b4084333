"""Who may see and change programmes, courses and their content. The only place these rules
live; services ask them with the actor's roles in the course, which
`membership.service.course_roles` reads only after hiding the course from partner clients and
institution managers it is out of reach of (their institution neither runs it nor partners it)."""

from collections.abc import Callable
from typing import Protocol

from sqlalchemy import ColumnElement, Select, select, true

from app.core.actors import Actor, Scope
from app.courses.models import Course, Programme, Status, programme_institutions
from app.membership.models import CourseRole
from app.membership.policy import reached_courses, reaches_any, reaches_institution

STAFF_ROLES = frozenset({CourseRole.TEACHER, CourseRole.TUTOR, CourseRole.OBSERVER})


def can_manage_programmes(actor: Actor) -> bool:
    return actor.is_manager and actor.has_scope(Scope.COURSES_WRITE)


def can_manage_programme(actor: Actor, awarding_institution_ids: list[int]) -> bool:
    """Institution managers manage the programmes their institution awards."""
    return can_manage_programmes(actor) and reaches_any(actor, awarding_institution_ids)


def listed_programmes(actor: Actor) -> ColumnElement[bool]:
    """Published programmes for all; drafts too for managers, an institution manager's being
    those their institution awards."""
    published = Programme.status == Status.PUBLISHED
    if not can_manage_programmes(actor):
        return published
    if not actor.is_confined:
        return true()
    awarded = select(programme_institutions.c.programme_id).where(
        programme_institutions.c.institution_id == actor.institution_id
    )
    return published | Programme.id.in_(awarded)


def can_create_course(actor: Actor) -> bool:
    return actor.is_manager and actor.has_scope(Scope.COURSES_WRITE)


def can_run_course_for(actor: Actor, institution_id: int | None) -> bool:
    """An institution manager's courses are their institution's."""
    return reaches_institution(actor, institution_id)


def can_manage_partners(actor: Actor, course: Course) -> bool:
    """Coordinators, and managers of the institution running the course (not of a partner),
    choose the course's partner institutions."""
    if not actor.is_manager or not actor.has_scope(Scope.COURSES_WRITE):
        return False
    return reaches_institution(actor, course.institution_id)


def can_edit_course(actor: Actor, roles: frozenset[CourseRole]) -> bool:
    """Teachers of the course and managers edit; tutors and observers do not."""
    if not actor.has_scope(Scope.COURSES_WRITE):
        return False
    return actor.is_manager or CourseRole.TEACHER in roles


def can_read_history(actor: Actor, roles: frozenset[CourseRole]) -> bool:
    """The history of a course's edits is for its teachers and managers, not for partner
    systems, tutors, observers or students."""
    if actor.api_client_id is not None or not actor.has_scope(Scope.COURSES_READ):
        return False
    return actor.is_manager or CourseRole.TEACHER in roles


def sees_drafts(actor: Actor, roles: frozenset[CourseRole]) -> bool:
    return actor.is_manager or bool(roles & STAFF_ROLES)


def can_view_course(actor: Actor, course: Course, roles: frozenset[CourseRole]) -> bool:
    """Staff of the course and managers see it always; students once it is published; anyone
    (without an account too) when it is a published open course."""
    if actor.api_client_id is not None:
        return actor.has_scope(Scope.COURSES_READ) and course.status is Status.PUBLISHED
    if sees_drafts(actor, roles):
        return True
    if course.status is not Status.PUBLISHED:
        return False
    return CourseRole.STUDENT in roles or course.is_open


class Publishable(Protocol):
    @property
    def status(self) -> Status: ...
    @property
    def is_open(self) -> bool: ...
    @property
    def hidden(self) -> bool: ...


def can_view_module(
    actor: Actor,
    course: Course,
    module: Publishable,
    roles: frozenset[CourseRole],
    *,
    in_hidden_section: bool = False,
    preview: bool = False,
) -> bool:
    """Staff see every module, drafts and hidden ones too. Others see the published modules
    that are not hidden (nor in a hidden section) of a published course: students of the
    course, and anyone when the course or the module is open. A staff member's preview as a
    student shows a draft course as it will read once published."""
    if in_hidden_section and not sees_drafts(actor, roles):
        return False
    return module_viewer(actor, course, roles, preview=preview)(module)


def module_viewer(
    actor: Actor, course: Course, roles: frozenset[CourseRole], *, preview: bool = False
) -> Callable[[Publishable], bool]:
    """`can_view_module` for one reader of a course, decided once for all its modules (an
    outline asks it for every module): the part that depends on the module is left."""
    if sees_drafts(actor, roles):
        return lambda _module: True
    if course.status is not Status.PUBLISHED and not preview:
        return lambda _module: False
    course_readable = CourseRole.STUDENT in roles or course.is_open
    return lambda module: (
        not module.hidden
        and module.status is Status.PUBLISHED
        and (course_readable or module.is_open)
    )


def can_preview_as_student(actor: Actor, roles: frozenset[CourseRole]) -> bool:
    """Whoever sees a course's drafts (its staff, managers) may see it as a student would."""
    return actor.api_client_id is None and sees_drafts(actor, roles)


def student_view() -> tuple[Actor, frozenset[CourseRole]]:
    """The reader a preview derives: a student of the course with no account behind it, so
    no progress of their own and nothing recorded."""
    return Actor(), frozenset({CourseRole.STUDENT})


def prerequisites_lock(roles: frozenset[CourseRole]) -> bool:
    """Prerequisites order the progress of the course's students; they never lock another
    reader (a visitor or anyone else reading open content). Availability windows lock
    everyone but staff."""
    return CourseRole.STUDENT in roles


def sees_landing(actor: Actor, course: Course, roles: frozenset[CourseRole]) -> bool:
    """A published course someone may not read (closed, and they hold no role in it) shows
    them its landing page (what it is and how to enrol) instead of nothing."""
    return (
        actor.api_client_id is None
        and course.status is Status.PUBLISHED
        and not roles
        and not can_view_course(actor, course, roles)
    )


def tracks_completion(actor: Actor, roles: frozenset[CourseRole]) -> bool:
    """Only students of the course have progress."""
    return actor.user_id is not None and CourseRole.STUDENT in roles


def catalogue_filter(stmt: Select[Course]) -> Select[Course]:
    """The public catalogue lists published courses only."""
    return stmt.where(Course.status == Status.PUBLISHED)


def visible_courses(actor: Actor) -> Select[Course]:
    """Published courses; for a partner client or an institution manager, those its
    institution runs or partners only."""
    return catalogue_filter(select(Course)).where(reached_courses(actor, Course.id))
