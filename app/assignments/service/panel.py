"""What an assignment module's page shows about it: to a learner their dates and where their
submission stands, to staff the way to the settings and the submissions."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.assignments import policy
from app.assignments.models import Assignment, Submission
from app.assignments.service import groups
from app.assignments.service.dates import Dates, effective_dates, lateness
from app.assignments.service.settings import assignment_of
from app.assignments.service.submissions import attempts_of, owner_of
from app.core.actors import Actor
from app.courses.models import Module, ModuleKind
from app.membership.models import CourseRole


@dataclass(frozen=True)
class Panel:
    assignment: Assignment
    staff: bool
    dates: Dates
    current: Submission | None = None
    late: bool = False
    problem: str | None = None  # why the learner cannot submit


def panel_for(
    session: Session, actor: Actor, roles: frozenset[CourseRole], module: Module
) -> Panel | None:
    """For a module the reader has opened already: None for other kinds of module and for
    readers who neither submit nor read the settings."""
    if module.kind is not ModuleKind.ASSIGNMENT:
        return None
    staff = policy.can_read_settings(actor, roles)
    if not staff and not policy.can_submit(actor, roles):
        return None
    assignment = assignment_of(session, module)
    if staff or actor.user_id is None:
        dates = Dates(assignment.opens_at, assignment.due_at, assignment.cutoff_at)
        return Panel(assignment, True, dates)
    try:
        owner = owner_of(session, assignment, actor.user_id)
    except groups.NoGroup as problem:
        dates = effective_dates(session, assignment, user_id=actor.user_id)
        return Panel(assignment, False, dates, problem=problem.detail)
    group_id = owner.group.id if owner.group else None
    dates = effective_dates(session, assignment, user_id=actor.user_id, group_id=group_id)
    attempts = attempts_of(session, assignment, owner)
    current = attempts[0] if attempts else None
    late = bool(current and current.submitted_at and lateness(dates, current.submitted_at))
    return Panel(assignment, False, dates, current, late)
