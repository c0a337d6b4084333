"""Who may configure an assignment, submit to it, read a submission and mark it. The only
place these rules live; services ask them with the actor's roles in the assignment's course
(`app.membership.service.course_roles`, which also tells a confined actor outside the course's
reach that the course does not exist). Partner systems have no part in assignments."""

from app.assignments.models import MarkingState
from app.core.actors import Actor, Scope
from app.membership.models import CourseRole

MARKERS = frozenset({CourseRole.TEACHER, CourseRole.TUTOR})
STAFF = frozenset({CourseRole.TEACHER, CourseRole.TUTOR, CourseRole.OBSERVER})


def _person(actor: Actor, scope: Scope) -> bool:
    return actor.user_id is not None and actor.api_client_id is None and actor.has_scope(scope)


def can_configure(actor: Actor, roles: frozenset[CourseRole]) -> bool:
    """The course's teachers and managers set an assignment's dates and rules, and grant
    extensions and group overrides; the platform itself does too (the seed loader)."""
    if actor.is_system:
        return True
    if not _person(actor, Scope.COURSES_WRITE):
        return False
    return actor.is_manager or CourseRole.TEACHER in roles


def can_read_settings(actor: Actor, roles: frozenset[CourseRole]) -> bool:
    """The course's staff (observers included) and managers read the settings, extensions and
    overrides; learners see their own dates on their submission page."""
    if actor.is_system:
        return True
    if not _person(actor, Scope.COURSES_READ):
        return False
    return actor.is_manager or bool(roles & STAFF)


def can_submit(actor: Actor, roles: frozenset[CourseRole]) -> bool:
    """The course's students hand in their own (or their group's) work."""
    return _person(actor, Scope.COURSES_WRITE) and CourseRole.STUDENT in roles


def can_mark(actor: Actor, roles: frozenset[CourseRole]) -> bool:
    """Teachers, tutors and managers within reach mark, reopen and read every submission."""
    if not _person(actor, Scope.GRADES_WRITE):
        return False
    return actor.is_manager or bool(roles & MARKERS)


def can_view_submission(actor: Actor, roles: frozenset[CourseRole], *, is_owner: bool) -> bool:
    """A submission and its files are its learner's (every member's, for a group's) and the
    markers'; to anyone else they do not exist."""
    if is_owner:
        return _person(actor, Scope.COURSES_READ)
    return can_mark(actor, roles)


def can_reopen(actor: Actor, roles: frozenset[CourseRole]) -> bool:
    """Those who mark reopen a submitted attempt for a new one (manual resubmission)."""
    return can_mark(actor, roles)


_S = MarkingState
MARKER_STEPS = frozenset({
    (_S.NOT_MARKED, _S.IN_MARKING), (_S.IN_MARKING, _S.READY_FOR_REVIEW),
    (_S.READY_FOR_REVIEW, _S.IN_MARKING),
})  # fmt: skip
RELEASER_STEPS = frozenset({
    (_S.IN_MARKING, _S.READY_FOR_RELEASE), (_S.READY_FOR_REVIEW, _S.READY_FOR_RELEASE),
    (_S.READY_FOR_RELEASE, _S.IN_MARKING), (_S.READY_FOR_RELEASE, _S.RELEASED),
})  # fmt: skip


def can_release(actor: Actor, roles: frozenset[CourseRole]) -> bool:
    """Teachers and managers send markings for release and release them to the learners
    (in the marking workflow, tutors take a marking only as far as "ready for review")."""
    if not _person(actor, Scope.GRADES_WRITE):
        return False
    return actor.is_manager or CourseRole.TEACHER in roles


def can_reveal_identities(actor: Actor, roles: frozenset[CourseRole]) -> bool:
    """Only teachers and managers lift anonymous marking (a logged, one-way step)."""
    return can_release(actor, roles)


def can_define_rubric(actor: Actor, roles: frozenset[CourseRole]) -> bool:
    """Rubrics and marking guides are part of the assignment's settings."""
    return can_configure(actor, roles)


def can_override_member(actor: Actor, roles: frozenset[CourseRole]) -> bool:
    """A member's grade set apart from the group's is a teacher's decision."""
    return can_release(actor, roles)


def can_move_marking(
    actor: Actor, roles: frozenset[CourseRole], current: MarkingState, target: MarkingState
) -> bool:
    """The marking workflow's steps: markers take a marking into marking and on to review (and
    back); teachers and managers also send it for release, back to marking, and release it."""
    step = (current, target)
    if step in MARKER_STEPS:
        return can_mark(actor, roles)
    return step in RELEASER_STEPS and can_release(actor, roles)


# --- jury (slice A3) -------------------------------------------------------------------------


def can_manage_jury(actor: Actor, roles: frozenset[CourseRole]) -> bool:
    """The course's teachers and managers choose the jury, its chair, who marks what, and the
    defence slots; the platform itself does too (the seed loader)."""
    return actor.is_system or can_configure(actor, roles)


def can_read_jury(actor: Actor, roles: frozenset[CourseRole], *, is_member: bool) -> bool:
    """The jury's page: those who mark in the course, managers, and the jury's own members
    (an external examiner reaches this assignment's jury and nothing else of the course)."""
    if is_member:
        return _person(actor, Scope.GRADES_READ)
    return actor.is_system or can_mark(actor, roles)


def can_enter_jury_mark(actor: Actor, *, allocated: bool) -> bool:
    """A member marks the submissions allocated to them (or all, when none is chosen)."""
    return allocated and _person(actor, Scope.GRADES_WRITE)


def can_see_jury_marks(
    actor: Actor, roles: frozenset[CourseRole], *, allocated: bool, marked: bool, is_chair: bool
) -> bool:
    """Marks are independent: an allocated marker sees the others' only once theirs is in; the
    chair and the course's markers who do not mark it see them all. Learners never do."""
    if allocated:
        return marked
    return is_chair or can_mark(actor, roles)


def can_decide(actor: Actor, *, is_chair: bool) -> bool:
    """Only the jury's chair, or a manager, enters the final grade and releases it."""
    if not _person(actor, Scope.GRADES_WRITE):
        return False
    return is_chair or actor.is_manager


def can_see_defence(
    actor: Actor, roles: frozenset[CourseRole], *, is_owner: bool, is_member: bool
) -> bool:
    """A defence slot shows to the submission's learners, the jury and the course's staff."""
    if not _person(actor, Scope.COURSES_READ):
        return False
    return is_owner or is_member or actor.is_manager or bool(roles & STAFF)
