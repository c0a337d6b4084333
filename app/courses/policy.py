"""Who may see and change programmes, courses and their content. The only place these rules
live; services ask them with the actor's roles in the course."""

from typing import Protocol

from sqlalchemy import Select, select

from app.core.actors import Actor, Scope
from app.courses.models import Course, Status
from app.enrolment.models import CourseRole

STAFF_ROLES = frozenset({CourseRole.TEACHER, CourseRole.TUTOR, CourseRole.OBSERVER})


def can_manage_programmes(actor: Actor) -> bool:
    return actor.is_manager and actor.has_scope(Scope.COURSES_WRITE)


def can_create_course(actor: Actor) -> bool:
    return actor.is_manager and actor.has_scope(Scope.COURSES_WRITE)


def can_edit_course(actor: Actor, roles: frozenset[CourseRole]) -> bool:
    """Teachers of the course and managers edit; tutors and observers do not."""
    if not actor.has_scope(Scope.COURSES_WRITE):
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


def can_view_module(
    actor: Actor, course: Course, module: Publishable, roles: frozenset[CourseRole]
) -> bool:
    if sees_drafts(actor, roles):
        return True
    if course.status is not Status.PUBLISHED or module.status is not Status.PUBLISHED:
        return False
    return CourseRole.STUDENT in roles or course.is_open or module.is_open


def tracks_completion(actor: Actor, roles: frozenset[CourseRole]) -> bool:
    """Only students of the course have progress."""
    return actor.user_id is not None and CourseRole.STUDENT in roles


def catalogue_filter(stmt: Select[Course]) -> Select[Course]:
    """The public catalogue lists published courses only."""
    return stmt.where(Course.status == Status.PUBLISHED)


def visible_courses() -> Select[Course]:
    return catalogue_filter(select(Course))
