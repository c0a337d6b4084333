"""Who may set up a gradebook, grade, and read grades and scales. The only place these rules
live; services ask them with the actor's roles in the course (`membership.service.course_roles`,
which already tells a confined actor outside the course's reach that the course does not exist)."""

from typing import Any

from sqlalchemy import ColumnElement, SQLColumnExpression, or_, select

from app.core.actors import Actor, Scope
from app.enrolment.models import Group, GroupMember
from app.membership.models import CourseRole
from app.membership.policy import reached_user_ids, reaches_institution, reaches_person

GRADERS = frozenset({CourseRole.TEACHER, CourseRole.TUTOR})
READERS = frozenset({CourseRole.TEACHER, CourseRole.TUTOR, CourseRole.OBSERVER})


def _person_with(actor: Actor, scope: Scope) -> bool:
    """A signed-in person (or the platform itself) whose token carries the scope."""
    return actor.has_scope(scope) and actor.api_client_id is None and not actor.is_anonymous


def knows_gradebook(actor: Actor, roles: frozenset[CourseRole]) -> bool:
    """The course's participants, managers and partner systems know its gradebook exists;
    to anyone else it does not (404)."""
    return actor.is_manager or actor.is_partner_client or bool(roles)


def can_manage_gradebook(actor: Actor, roles: frozenset[CourseRole]) -> bool:
    """Teachers of the course and managers (within their reach) set up categories, items,
    pass marks, display and locks; a token needs `grades:write`."""
    if not _person_with(actor, Scope.GRADES_WRITE):
        return False
    return actor.is_manager or CourseRole.TEACHER in roles


def can_grade(actor: Actor, roles: frozenset[CourseRole]) -> bool:
    """Teachers, tutors and managers enter and override grades; a token needs `grades:write`."""
    if not _person_with(actor, Scope.GRADES_WRITE):
        return False
    return actor.is_manager or bool(roles & GRADERS)


def can_read_course_grades(actor: Actor, roles: frozenset[CourseRole]) -> bool:
    """Graders and observers of the course and managers read every learner's grades; partner
    clients with `grades:read` whose institution reaches the course read too, but see only
    released grades of their institution's learners (`reads_unreleased`, `reads_learner`)."""
    if not actor.has_scope(Scope.GRADES_READ) or actor.is_anonymous:
        return False
    if actor.is_partner_client:
        return True
    return actor.is_manager or bool(roles & READERS)


def reads_unreleased(actor: Actor, roles: frozenset[CourseRole]) -> bool:
    """Staff of the course and managers see grades before they are released; partner
    systems only what the learner sees."""
    if actor.is_partner_client:
        return False
    return actor.is_manager or bool(roles & READERS)


def reads_learner(actor: Actor, learner_institution_id: int | None) -> bool:
    """A confined actor (partner client, institution manager) reads only its institution's
    learners; the SQL form is `membership.policy.reached_user_ids`."""
    return reaches_person(actor, learner_institution_id)


def can_read_own_grades(actor: Actor) -> bool:
    """A signed-in person reads their own released, visible grades."""
    return actor.user_id is not None and actor.has_scope(Scope.GRADES_READ)


def can_read_scales(actor: Actor) -> bool:
    """Everybody signed in (and partner systems) reads the grading scales."""
    return not actor.is_anonymous


def scale_visible(actor: Actor, scale_institution_id: int | None) -> bool:
    """Shared scales (no institution) are everybody's; an institution's own scale is seen by
    its own confined actors and by everyone who is not confined."""
    return scale_institution_id is None or reaches_institution(actor, scale_institution_id)


def can_create_scales(actor: Actor) -> bool:
    """Managers create scales (an institution manager's belong to their institution)."""
    return _person_with(actor, Scope.GRADES_WRITE) and actor.is_manager


def learners_in_sight(
    actor: Actor, course_id: int, user_id: SQLColumnExpression[Any]
) -> ColumnElement[bool]:
    """Which learners' grades a grader sees, as SQL on a column of user ids: a teacher or tutor
    who belongs to one or more of the course's groups sees only the members of those groups;
    staff in no group and managers see everyone (a confined manager, only their institution's)."""
    if actor.is_manager or actor.user_id is None:
        return reached_user_ids(actor, user_id)
    own_groups = (
        select(GroupMember.group_id)
        .join(Group, Group.id == GroupMember.group_id)
        .where(Group.course_id == course_id, GroupMember.user_id == actor.user_id)
    )
    co_members = select(GroupMember.user_id).where(GroupMember.group_id.in_(own_groups))
    return or_(~own_groups.exists(), user_id.in_(co_members))


def can_see_grader_table(actor: Actor, roles: frozenset[CourseRole]) -> bool:
    """The grader table (every learner's grades, released or not) and its CSV: staff of the
    course and managers; partner systems read released grades elsewhere."""
    return can_read_course_grades(actor, roles) and reads_unreleased(actor, roles)


def can_import_worksheet(actor: Actor, roles: frozenset[CourseRole]) -> bool:
    """An offline marking worksheet is imported by those who grade."""
    return can_grade(actor, roles)


def can_unlock(actor: Actor) -> bool:
    """Only managers reopen a locked item or course (a correction after the jury)."""
    return _person_with(actor, Scope.GRADES_WRITE) and actor.is_manager


def reads_own_course_grades(actor: Actor, roles: frozenset[CourseRole]) -> bool:
    """A learner of the course reads their own grades in it (released and visible only)."""
    return can_read_own_grades(actor) and CourseRole.STUDENT in roles
