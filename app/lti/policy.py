"""Who registers LTI tools and platforms, who places a tool in a course. A registration belongs
to an institution: its managers and its partner clients with `lti:manage` handle it; one of no
institution (platform-wide) is the coordinators'. Nobody else knows a registration exists."""

from app.core.actors import Actor, Scope
from app.courses.policy import can_edit_course
from app.membership.models import CourseRole
from app.membership.policy import reaches_institution


def can_manage_lti(actor: Actor) -> bool:
    return actor.has_scope(Scope.LTI) and (actor.is_partner_client or actor.is_manager)


def can_manage_registration(actor: Actor, institution_id: int | None) -> bool:
    """Register, read, change or remove a tool or platform registration of this institution."""
    if not can_manage_lti(actor):
        return False
    if institution_id is None:
        return actor.is_coordinator
    return reaches_institution(actor, institution_id)


def can_place_tool(
    actor: Actor,
    roles: frozenset[CourseRole],
    tool_institution_id: int | None,
    course_institution_id: int | None,
) -> bool:
    """A course's editors place a platform-wide tool, or one of the course's own institution."""
    if not can_edit_course(actor, roles):
        return False
    return tool_institution_id is None or tool_institution_id == course_institution_id


def is_instructor(actor: Actor, roles: frozenset[CourseRole]) -> bool:
    """Launched as Instructor (LTI role) rather than Learner: whoever may edit the course."""
    return can_edit_course(actor, roles)
