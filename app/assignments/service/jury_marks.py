"""Independent marks: each member who marks a submission enters their own points (or level of
the scale) and comment; they see the others' marks only once theirs is in. Learners never see
a member's mark: only the jury's released grade reaches them."""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assignments import policy
from app.assignments.jury_models import JuryDecision, JuryMark, JuryMember
from app.assignments.jury_schemas import JuryMarkInput
from app.assignments.models import Assignment, SubmissionStatus
from app.assignments.service.jury import SubmissionJury, submission_jury
from app.core.actors import Actor, require
from app.core.db import utcnow
from app.core.errors import Conflict, Invalid
from app.core.i18n import N_
from app.core.markdown import render_markdown
from app.grades.models import ScaleLevel


class NotSubmitted(Conflict):
    code = "not_submitted"
    title = N_("This work has not been submitted yet.")


class AlreadyReleased(Conflict):
    code = "jury_grade_released"
    title = N_("The jury's grade has been released: marks no longer change.")


@dataclass(frozen=True)
class MarksView:
    jury: SubmissionJury
    mine: JuryMark | None
    # Every entered mark by member id, when the actor may see them (None: not yet).
    marks: dict[int, JuryMark] | None
    marked: int  # how many of the markers have marked

    @property
    def complete(self) -> bool:
        return self.marked == len(self.jury.markers) and self.marked > 0


def _marks(session: Session, submission_id: int) -> dict[int, JuryMark]:
    rows = session.scalars(select(JuryMark).where(JuryMark.submission_id == submission_id))
    return {mark.member_id: mark for mark in rows}


def view_of(session: Session, actor: Actor, found: SubmissionJury) -> MarksView:
    marks = _marks(session, found.submission.id)
    member = found.access.member
    mine = marks.get(member.id) if member else None
    visible = policy.can_see_jury_marks(
        actor,
        found.access.roles,
        allocated=found.allocated,
        marked=mine is not None,
        is_chair=found.access.is_chair,
    )
    marked = sum(1 for m in found.markers if m.id in marks)
    return MarksView(found, mine, marks if visible else None, marked)


def marks_of(session: Session, actor: Actor, submission_id: int) -> MarksView:
    """A submission's marks as the actor may see them."""
    return view_of(session, actor, submission_jury(session, actor, submission_id))


def enter_mark(
    session: Session, actor: Actor, submission_id: int, data: JuryMarkInput
) -> MarksView:
    """A marker's own mark, entered or changed until the jury's grade is released."""
    found = submission_jury(session, actor, submission_id)
    require(policy.can_enter_jury_mark(actor, allocated=found.allocated))
    if found.submission.status is not SubmissionStatus.SUBMITTED:
        raise NotSubmitted()
    if is_released(session, submission_id):
        raise AlreadyReleased()
    assert found.access.member is not None
    points, level_id = grade_of(session, found.access.assignment, data.points, data.scale_level_id)
    mark = session.scalar(
        select(JuryMark).where(
            JuryMark.submission_id == submission_id,
            JuryMark.member_id == found.access.member.id,
        )
    )
    if mark is None:
        mark = JuryMark(submission_id=submission_id, member_id=found.access.member.id)
        session.add(mark)
    mark.points = points
    mark.scale_level_id = level_id
    mark.comment_markdown = data.comment
    mark.comment_html = render_markdown(data.comment)
    mark.updated_at = utcnow()
    session.flush()
    return view_of(session, actor, found)


def is_released(session: Session, submission_id: int) -> bool:
    released = session.scalar(
        select(JuryDecision.released_at).where(JuryDecision.submission_id == submission_id)
    )
    return released is not None


def grade_of(
    session: Session, assignment: Assignment, points: Decimal | None, level_id: int | None
) -> tuple[Decimal, int | None]:
    """Points within the maximum, or a level of the assignment's scale (worth its value)."""
    if assignment.scale_id is not None:
        level = session.get(ScaleLevel, level_id) if level_id is not None else None
        if level is None or level.scale_id != assignment.scale_id:
            raise Invalid(N_("Choose a level of the scale."), field="scale_level_id")
        return level.value, level.id
    if points is None:
        raise Invalid(N_("Give the points."), field="points")
    if points > assignment.max_points:
        raise Invalid(N_("The points may not exceed the maximum."), field="points")
    return points, None


def member_names(members: list[JuryMember]) -> dict[int, str]:
    return {m.id: m.user.display_name for m in members}
