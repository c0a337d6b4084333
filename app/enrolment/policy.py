"""Who may enrol whom, see whom, and read what about learners.

Course-scoped rules take the actor's roles from `membership.service.course_roles`, which has
already hidden the course from partner clients and institution managers outside its reach;
rules about people and cohorts check that reach here."""

from app.core.actors import Actor, Scope
from app.membership.models import CourseRole, EnrolmentStatus
from app.membership.policy import reaches_any, reaches_institution, reaches_person

STAFF = frozenset({CourseRole.TEACHER, CourseRole.TUTOR, CourseRole.OBSERVER})


def can_enrol_others(actor: Actor, roles: frozenset[CourseRole]) -> bool:
    """Teachers of the course, managers, and partner systems with the scope."""
    if not actor.has_scope(Scope.ENROLMENTS_WRITE):
        return False
    return actor.is_manager or CourseRole.TEACHER in roles or actor.is_partner_client


def can_enrol_person(actor: Actor, person_institution_id: int | None) -> bool:
    """Partner systems and institution managers enrol their own institution's people only
    (others are answered as unknown people)."""
    return reaches_person(actor, person_institution_id)


def can_see_participants(actor: Actor, roles: frozenset[CourseRole]) -> bool:
    if not actor.has_scope(Scope.ENROLMENTS_READ):
        return False
    return actor.is_manager or bool(roles & STAFF) or actor.is_partner_client


def can_change_status(
    actor: Actor, enrolled_user_id: int, status: EnrolmentStatus, roles: frozenset[CourseRole]
) -> bool:
    """Students may withdraw themselves; any other change of status is for those who enrol
    others (teachers of the course, managers, partner systems)."""
    if actor.user_id == enrolled_user_id and status is EnrolmentStatus.WITHDRAWN:
        return True
    return can_enrol_others(actor, roles)


def can_read_enrolment(actor: Actor, enrolled_user_id: int, roles: frozenset[CourseRole]) -> bool:
    """The person enrolled, the course's staff and managers; others get 404."""
    return actor.user_id == enrolled_user_id or can_see_participants(actor, roles)


def can_see_groups(actor: Actor, roles: frozenset[CourseRole]) -> bool:
    """Staff and members of the course, and managers reaching it."""
    return bool(roles) or actor.is_manager


def can_manage_cohorts(actor: Actor) -> bool:
    return actor.is_manager and actor.has_scope(Scope.ENROLMENTS_WRITE)


def can_see_cohort(actor: Actor, cohort_institution_id: int | None) -> bool:
    """Institution managers run their institution's intakes; coordinators every intake."""
    return can_manage_cohorts(actor) and reaches_institution(actor, cohort_institution_id)


def can_manage_groups(actor: Actor, roles: frozenset[CourseRole]) -> bool:
    """Teachers and tutors organise project groups; managers too."""
    if not actor.has_scope(Scope.ENROLMENTS_WRITE):
        return False
    return actor.is_manager or bool(roles & {CourseRole.TEACHER, CourseRole.TUTOR})


def can_list_scholarships(actor: Actor) -> bool:
    """Managers report to funders; institution managers on the courses they reach only."""
    return actor.is_manager and actor.has_scope(Scope.ENROLMENTS_READ)


def can_read_sensitive(actor: Actor, person_institution_id: int | None) -> bool:
    """Nationality and refugee status: a manager holding the explicit permission, or a partner
    system holding the dedicated scope, for people within their reach. Nobody else, ever."""
    if not actor.has_scope(Scope.SENSITIVE_READ):
        return False
    reaching = reaches_person(actor, person_institution_id)
    return (actor.is_manager or actor.is_partner_client) and reaching


def can_write_sensitive(actor: Actor, user_id: int, person_institution_id: int | None) -> bool:
    """Learners state their own nationality and refugee status; otherwise only those who may
    read them write them."""
    return actor.user_id == user_id or can_read_sensitive(actor, person_institution_id)


def can_edit_profile(actor: Actor, user_id: int, person_institution_id: int | None) -> bool:
    if actor.user_id == user_id:
        return True
    return actor.is_manager and reaches_person(actor, person_institution_id)


def can_enrol_in_programmes(actor: Actor) -> bool:
    if not actor.has_scope(Scope.ENROLMENTS_WRITE):
        return False
    return actor.is_manager or actor.is_partner_client


def can_enrol_in_programme(actor: Actor, awarding_institution_ids: list[int]) -> bool:
    """Partner systems and institution managers enrol in the programmes their institution
    awards."""
    return can_enrol_in_programmes(actor) and reaches_any(actor, awarding_institution_ids)


def can_self_enrol(actor: Actor) -> bool:
    """People enrol themselves (where the course allows it); partner systems enrol others."""
    return actor.user_id is not None
