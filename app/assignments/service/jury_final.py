"""The jury's final grade: by the assignment's rule, the mean of the marks (once every marker
has marked) or the grade the chair enters with the jury's reason. Only the chair, or a manager,
decides and releases; releasing writes the marking (less the declared late penalty) and every
learner's grade in the gradebook (every member of a group)."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assignments import policy
from app.assignments.jury_models import JuryDecision
from app.assignments.jury_schemas import JuryFinalInput
from app.assignments.models import (
    Assignment,
    FinalGradeRule,
    Marking,
    MarkingState,
    Submission,
    SubmissionStatus,
)
from app.assignments.service.jury import submission_jury
from app.assignments.service.jury_marks import (
    AlreadyReleased,
    MarksView,
    NotSubmitted,
    grade_of,
    view_of,
)
from app.assignments.service.marking import declared_penalty
from app.assignments.service.release import release_marking
from app.core.actors import Actor, require
from app.core.db import utcnow
from app.core.errors import Conflict, Invalid
from app.core.i18n import N_
from app.core.markdown import render_markdown
from app.grades.models import ScaleLevel

CENT = Decimal("0.01")


class MarksMissing(Conflict):
    code = "jury_marks_missing"
    title = N_("Every member who marks this work must enter their mark first.")


@dataclass(frozen=True)
class FinalView:
    marks: MarksView
    decision: JuryDecision | None
    # The grade the rule gives now: the mean once complete; None for an agreed grade.
    mean: Decimal | None
    mean_level_id: int | None


def final_of(session: Session, actor: Actor, submission_id: int) -> FinalView:
    """What the chair (or a manager) decides from: every mark, the mean, the decision so far."""
    found = submission_jury(session, actor, submission_id)
    require(policy.can_decide(actor, is_chair=found.access.is_chair))
    marks = view_of(session, actor, found)
    decision = session.scalar(
        select(JuryDecision).where(JuryDecision.submission_id == submission_id)
    )
    mean, level_id = _mean(session, found.access.assignment, marks)
    return FinalView(marks, decision, mean, level_id)


def _mean(
    session: Session, assignment: Assignment, marks: MarksView
) -> tuple[Decimal | None, int | None]:
    if not marks.complete or marks.marks is None:
        return None, None
    counted = [marks.marks[m.id].points for m in marks.jury.markers]
    mean = (sum(counted, Decimal(0)) / len(counted)).quantize(CENT, ROUND_HALF_UP)
    levels = (
        list(session.scalars(select(ScaleLevel).where(ScaleLevel.scale_id == assignment.scale_id)))
        if assignment.scale_id is not None
        else []
    )
    if not levels:
        return mean, None
    # The level nearest the mean of the levels' values; halfway goes to the higher one.
    nearest = min(levels, key=lambda lv: (abs(lv.value - mean), -lv.value))
    return nearest.value, nearest.id


def decide(session: Session, actor: Actor, submission_id: int, data: JuryFinalInput) -> FinalView:
    """Record the jury's grade (and release it when asked): the mean by the mean rule, or the
    chair's agreed grade with its reason. Once released it no longer changes."""
    view = final_of(session, actor, submission_id)
    submission = view.marks.jury.submission
    assignment = view.marks.jury.access.assignment
    if submission.status is not SubmissionStatus.SUBMITTED:
        raise NotSubmitted()
    if view.decision is not None and view.decision.released_at is not None:
        raise AlreadyReleased()
    if not view.marks.complete:
        raise MarksMissing()
    if assignment.final_grade_rule is FinalGradeRule.MEAN:
        assert view.mean is not None
        points, level_id = view.mean, view.mean_level_id
    else:
        points, level_id = grade_of(session, assignment, data.points, data.scale_level_id)
        if not data.reason.strip():
            raise Invalid(N_("Say why the jury agreed on this grade."), field="reason")
    decision = view.decision or JuryDecision(submission_id=submission.id)
    session.add(decision)
    decision.points = points
    decision.scale_level_id = level_id
    decision.reason = data.reason
    decision.feedback_markdown = data.feedback
    decision.decided_by_id = actor.user_id
    decision.decided_at = utcnow()
    session.flush()
    if data.release:
        _release(session, actor, assignment, decision)
    return FinalView(view.marks, decision, view.mean, view.mean_level_id)


def _release(
    session: Session, actor: Actor, assignment: Assignment, decision: JuryDecision
) -> None:
    marking = session.scalar(select(Marking).where(Marking.submission_id == decision.submission_id))
    if marking is None:
        marking = Marking(assignment_id=assignment.id, submission_id=decision.submission_id)
        session.add(marking)
    elif marking.state is MarkingState.RELEASED:
        raise AlreadyReleased()
    if marking.penalty_override_reason is None:  # a teacher's overridden penalty stands
        submission = session.get_one(Submission, decision.submission_id)
        marking.penalty_points = declared_penalty(session, assignment, submission).points
    marking.points = decision.points
    marking.scale_level_id = decision.scale_level_id
    marking.feedback_markdown = decision.feedback_markdown
    marking.feedback_html = render_markdown(decision.feedback_markdown)
    marking.marker_id = actor.user_id
    marking.state = MarkingState.READY_FOR_RELEASE
    marking.updated_at = utcnow()
    session.flush()
    release_marking(session, assignment, marking, by_user_id=actor.user_id)
    decision.released_at = marking.released_at
    session.flush()
