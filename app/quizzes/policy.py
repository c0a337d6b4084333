"""Who may read and edit a course's question bank, take its quizzes, set them and grade their
attempts. The only place these rules live; services ask them with the actor's roles in the
course, read by `membership.service.course_roles` (which hides a course out of a confined
actor's reach: NotFound)."""

from app.core.actors import Actor, Scope
from app.membership.models import CourseRole

GRADERS = frozenset({CourseRole.TEACHER, CourseRole.TUTOR})


def can_read_bank(actor: Actor, roles: frozenset[CourseRole]) -> bool:
    """The bank is for the course's teachers and managers; partner systems, tutors, observers
    and students never see it (its questions carry their answers)."""
    if actor.api_client_id is not None or not actor.has_scope(Scope.COURSES_READ):
        return False
    return actor.is_manager or CourseRole.TEACHER in roles


def can_manage_bank(actor: Actor, roles: frozenset[CourseRole]) -> bool:
    """Teachers of the course and managers within reach write questions and categories."""
    if actor.api_client_id is not None or not actor.has_scope(Scope.COURSES_WRITE):
        return False
    return actor.is_manager or CourseRole.TEACHER in roles


def can_take_quiz(actor: Actor, roles: frozenset[CourseRole]) -> bool:
    """A person enrolled as a student of the course attempts its quizzes."""
    return (
        actor.user_id is not None
        and actor.api_client_id is None
        and actor.has_scope(Scope.COURSES_WRITE)
        and CourseRole.STUDENT in roles
    )


def can_manage_quiz(actor: Actor, roles: frozenset[CourseRole]) -> bool:
    """Teachers of the course and managers set a quiz's questions, dates and overrides."""
    return can_manage_bank(actor, roles)


def can_grade_attempts(actor: Actor, roles: frozenset[CourseRole]) -> bool:
    """Teachers, tutors and managers read attempts and mark what is graded by hand."""
    if actor.api_client_id is not None or not actor.has_scope(Scope.GRADES_WRITE):
        return False
    return actor.is_manager or bool(roles & GRADERS)


def bank_refusal_hides(actor: Actor) -> bool:
    """Who may not read a course's bank is told it does not exist (404), except partner
    systems, which never use a bank whatever the course (403)."""
    return actor.api_client_id is None
