"""Marking one attempt: points out of the maximum, a level of the assignment's scale, or the
criteria of its rubric or guide; feedback text and files; the declared late penalty (or a
marker's other value, with the reason); for a group, one member's grade set apart. A writer
who read an older version of the marking is refused (409), so no marking is lost."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assignments import policy
from app.assignments.marking_models import CriterionMark, Rubric
from app.assignments.marking_schemas import EmptyAttempt, MarkingUpdate, MemberGrade
from app.assignments.models import (
    Assignment,
    GradingMethod,
    Marking,
    MarkingState,
    MemberGradeOverride,
    Submission,
    SubmissionStatus,
)
from app.assignments.service import rubrics
from app.assignments.service.anonymity import user_of_participant
from app.assignments.service.dates import effective_dates, late_penalty_points, lateness
from app.assignments.service.marking_list import (
    course_groups,
    latest_attempts,
    learners,
    marker_access,
    submission_access,
)
from app.assignments.service.release import learners_of
from app.assignments.service.settings import AssignmentAccess
from app.assignments.service.workflow import check_version, push_to_gradebook, release
from app.core.actors import Actor, require
from app.core.config import Settings
from app.core.db import utcnow
from app.core.errors import Conflict, Invalid, NotFound
from app.core.i18n import N_
from app.core.markdown import render_markdown
from app.courses.models import Course
from app.grades.models import ScaleLevel


class NotAGroupAttempt(Conflict):
    code = "not_a_group_attempt"
    title = N_("Only a group's attempt has members to grade apart.")


class MarkingLocked(Conflict):
    code = "marking_locked"
    title = N_("This marking has gone on for release: only a teacher may change it now.")


@dataclass(frozen=True)
class Penalty:
    """The declared penalty for the attempt's lateness (zero for a grade on a scale)."""

    points: Decimal
    late_by: timedelta


@dataclass(frozen=True)
class MarkingTarget:
    access: AssignmentAccess
    submission: Submission
    marking: Marking | None

    @property
    def assignment(self) -> Assignment:
        return self.access.assignment


def target(
    session: Session, actor: Actor, submission_id: int, *, lock: bool = False
) -> MarkingTarget:
    """The attempt and its marking (if any), for those who mark it."""
    access, submission = submission_access(session, actor, submission_id)
    query = select(Marking).where(Marking.submission_id == submission.id)
    marking = session.scalar(query.with_for_update() if lock else query)
    return MarkingTarget(access, submission, marking)


def declared_penalty(session: Session, assignment: Assignment, submission: Submission) -> Penalty:
    """A1's declared penalty for how late the attempt came, against its learner's (or group's)
    own dates; nothing for an attempt not handed in or a grade on a scale."""
    if submission.submitted_at is None:
        return Penalty(Decimal(0), timedelta(0))
    dates = effective_dates(
        session, assignment, user_id=submission.user_id, group_id=submission.group_id
    )
    late_by = lateness(dates, submission.submitted_at)
    points = (
        Decimal(0) if assignment.scale_id is not None else late_penalty_points(assignment, late_by)
    )
    return Penalty(points, late_by)


def _scale_level(
    session: Session, assignment: Assignment, level_id: int | None
) -> ScaleLevel | None:
    if level_id is None:
        return None
    level = session.get(ScaleLevel, level_id)
    if level is None or level.scale_id != assignment.scale_id:
        raise Invalid(N_("Choose one of the scale's levels."), field="scale_level_id")
    return level


def _choices(data: MarkingUpdate) -> dict[int, rubrics.Choice]:
    return {c.criterion_id: rubrics.Choice(c.level_id, c.points, c.comment) for c in data.criteria}


def _grade(
    session: Session, assignment: Assignment, data: MarkingUpdate, rubric: Rubric | None
) -> tuple[Decimal | None, ScaleLevel | None]:
    """The points (and level) the input gives, by the assignment's way of grading."""
    if assignment.grading_method is not GradingMethod.SIMPLE:
        if data.points is not None or data.scale_level_id is not None:
            raise Invalid(N_("This assignment is graded with its criteria."), field="points")
        if not data.criteria:
            return None, None
        return rubrics.grade_from_choices(assignment, rubric, _choices(data)), None
    if data.criteria:
        raise Invalid(N_("This assignment has no criteria to mark."), field="criteria")
    if assignment.scale_id is not None:
        if data.points is not None:
            raise Invalid(N_("Choose one of the scale's levels."), field="points")
        level = _scale_level(session, assignment, data.scale_level_id)
        return (level.value if level else None), level
    if data.scale_level_id is not None:
        raise Invalid(N_("This assignment is graded in points."), field="scale_level_id")
    if data.points is not None and data.points > assignment.max_points:
        raise Invalid(N_("Give points between 0 and the maximum."), field="points")
    return data.points, None


def _penalty(marking: Marking, declared: Penalty, data: MarkingUpdate, maximum: Decimal) -> None:
    if data.penalty_points is None or data.penalty_points == declared.points:
        marking.penalty_points, marking.penalty_override_reason = declared.points, None
        return
    if not data.penalty_override_reason:
        raise Invalid(N_("Say why the late penalty differs from the declared one."),
                      field="penalty_override_reason")  # fmt: skip
    if data.penalty_points > maximum:
        raise Invalid(N_("The penalty cannot exceed the maximum."), field="penalty_points")
    marking.penalty_points = data.penalty_points
    marking.penalty_override_reason = data.penalty_override_reason


def may_edit(actor: Actor, found: MarkingTarget) -> None:
    """With the workflow, a marking sent for release is the teachers' to change."""
    marking = found.marking
    late_states = (MarkingState.READY_FOR_RELEASE, MarkingState.RELEASED)
    if marking is not None and found.assignment.marking_workflow and marking.state in late_states:
        require(policy.can_release(actor, found.access.roles), MarkingLocked)


def save_marking(
    session: Session, actor: Actor, settings: Settings, submission_id: int, data: MarkingUpdate
) -> Marking:
    """Write the whole marking of an attempt (grade, criteria, feedback, penalty) and, without
    the workflow and when asked, release it."""
    found = target(session, actor, submission_id, lock=True)
    check_version(found.marking, data.version)
    may_edit(actor, found)
    assignment = found.assignment
    rubric = rubrics.rubric_of(session, assignment.id)
    points, level = _grade(session, assignment, data, rubric)
    marking = found.marking or Marking(
        assignment_id=assignment.id, submission_id=found.submission.id,
        state=MarkingState.NOT_MARKED, version=0,
    )  # fmt: skip
    session.add(marking)
    marking.points, marking.scale_level_id = points, level.id if level else None
    _penalty(marking, declared_penalty(session, assignment, found.submission), data,
             assignment.max_points)  # fmt: skip
    language = session.scalar(select(Course.language).where(Course.id == assignment.course_id))
    marking.feedback_markdown = data.feedback
    marking.feedback_html = render_markdown(data.feedback, language)
    marking.marker_id = actor.user_id
    marking.version += 1
    marking.updated_at = utcnow()
    if marking.state is MarkingState.NOT_MARKED:
        marking.state = MarkingState.IN_MARKING
    session.flush()
    if assignment.grading_method is not GradingMethod.SIMPLE:
        rubrics.keep_choices(session, marking.id, _choices(data))
    if data.release and marking.state is not MarkingState.RELEASED:
        if assignment.marking_workflow:
            raise Invalid(N_("Release through the marking workflow."), field="release")
        release(session, settings, assignment, marking, actor)
    elif marking.state is MarkingState.RELEASED:
        push_to_gradebook(session, assignment, marking)
    session.flush()
    return marking


def start_empty_attempt(
    session: Session, actor: Actor, assignment_id: int, data: EmptyAttempt
) -> Submission:
    """An attempt for a learner (or group) who handed nothing in, so a marker can grade them;
    their latest attempt if they have one."""
    access = marker_access(session, actor, assignment_id)
    assignment = access.assignment
    user_id, group_id = data.user_id, data.group_id
    if data.participant is not None:
        user_id = user_of_participant(session, assignment, data.participant)
        if user_id is None:
            raise Invalid(N_("No such participant."), field="participant")
    if assignment.group_submission:
        if group_id is None or group_id not in {g.id for g in course_groups(session, assignment)}:
            raise Invalid(N_("Choose one of the groups that submit."), field="group_id")
        key = ("group", group_id)
    else:
        if user_id is None or user_id not in {u.id for u in learners(session, assignment, None)}:
            raise Invalid(N_("This person is not a learner of the course."), field="user_id")
        key = ("user", user_id)
    latest = latest_attempts(session, assignment).get(key)
    if latest is not None:
        return latest
    attempt = Submission(
        assignment_id=assignment.id, user_id=None if assignment.group_submission else user_id,
        group_id=group_id if assignment.group_submission else None, attempt=1,
        status=SubmissionStatus.DRAFT,
    )  # fmt: skip
    session.add(attempt)
    session.flush()
    return attempt


def set_member_grade(
    session: Session, actor: Actor, submission_id: int, user_id: int, data: MemberGrade
) -> MemberGradeOverride:
    """One member of a group gets other points than the group, with the teacher's reason."""
    found = target(session, actor, submission_id)
    require(policy.can_override_member(actor, found.access.roles))
    if found.submission.group_id is None:
        raise NotAGroupAttempt()
    if user_id not in learners_of(session, found.submission):
        raise NotFound(N_("No such member of the group."))
    if found.marking is None:
        raise Conflict(N_("Mark the group's attempt first."))
    if data.points > found.assignment.max_points:
        raise Invalid(N_("Give points between 0 and the maximum."), field="points")
    override = session.scalar(
        select(MemberGradeOverride).where(
            MemberGradeOverride.marking_id == found.marking.id,
            MemberGradeOverride.user_id == user_id,
        )
    ) or MemberGradeOverride(marking_id=found.marking.id, user_id=user_id)
    session.add(override)
    override.points, override.reason, override.created_by_id = (
        data.points,
        data.reason,
        actor.user_id,
    )
    session.flush()
    if found.marking.state is MarkingState.RELEASED:
        push_to_gradebook(session, found.assignment, found.marking)
    return override


def choices_by_criterion(session: Session, marking: Marking | None) -> dict[int, CriterionMark]:
    return rubrics.choices_of(session, marking.id) if marking else {}
