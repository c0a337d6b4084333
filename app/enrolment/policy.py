"""Who may enrol whom, see whom, and read what about learners."""

from app.core.actors import Actor, Scope
from app.enrolment.models import CourseRole

STAFF = frozenset({CourseRole.TEACHER, CourseRole.TUTOR, CourseRole.OBSERVER})


def can_enrol_others(actor: Actor, roles: frozenset[CourseRole]) -> bool:
    """Teachers of the course, managers, and partner systems with the scope."""
    if not actor.has_scope(Scope.ENROLMENTS_WRITE):
        return False
    return actor.is_manager or CourseRole.TEACHER in roles or actor.api_client_id is not None


def can_see_participants(actor: Actor, roles: frozenset[CourseRole]) -> bool:
    if not actor.has_scope(Scope.ENROLMENTS_READ):
        return False
    return actor.is_manager or bool(roles & STAFF) or actor.api_client_id is not None


def can_read_enrolment(actor: Actor, enrolled_user_id: int, roles: frozenset[CourseRole]) -> bool:
    """The person enrolled, the course's staff and managers; others get 404."""
    return actor.user_id == enrolled_user_id or can_see_participants(actor, roles)


def can_manage_cohorts(actor: Actor) -> bool:
    return actor.is_manager and actor.has_scope(Scope.ENROLMENTS_WRITE)


def can_manage_groups(actor: Actor, roles: frozenset[CourseRole]) -> bool:
    """Teachers and tutors organise project groups; managers too."""
    if not actor.has_scope(Scope.ENROLMENTS_WRITE):
        return False
    return actor.is_manager or bool(roles & {CourseRole.TEACHER, CourseRole.TUTOR})


def can_list_scholarships(actor: Actor) -> bool:
    return actor.is_manager and actor.has_scope(Scope.ENROLMENTS_READ)


def can_read_sensitive(actor: Actor) -> bool:
    """Nationality and refugee status: a manager holding the explicit permission, or a partner
    system holding the dedicated scope. Nobody else, ever."""
    if not actor.has_scope(Scope.SENSITIVE_READ):
        return False
    return actor.is_manager or actor.api_client_id is not None


def can_edit_profile(actor: Actor, user_id: int) -> bool:
    return actor.user_id == user_id or actor.is_manager


def can_enrol_in_programmes(actor: Actor) -> bool:
    if not actor.has_scope(Scope.ENROLMENTS_WRITE):
        return False
    return actor.is_manager or actor.api_client_id is not None
