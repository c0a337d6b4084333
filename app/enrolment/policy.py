"""Who may enrol whom."""

from app.core.actors import Actor, Scope
from app.enrolment.models import CourseRole


def can_enrol_others(actor: Actor, roles: frozenset[CourseRole]) -> bool:
    if not actor.has_scope(Scope.ENROLMENTS_WRITE):
        return False
    return actor.is_manager or CourseRole.TEACHER in roles
