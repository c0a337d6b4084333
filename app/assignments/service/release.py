"""Releasing a marking: the moment its grade and feedback reach the learners, in the gradebook
and on their submission page. Callers (the marker's workflow, a jury chair) have checked their
own policy; this writes the grade of every learner the attempt belongs to."""

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assignments.models import (
    Assignment,
    Marking,
    MarkingState,
    MemberGradeOverride,
    Submission,
)
from app.core.db import utcnow
from app.courses.models import Module
from app.enrolment.models import GroupMember
from app.grades.models import GradeItem, ItemSource
from app.grades.service.record import ensure_item, record_grade


def grade_item(session: Session, assignment: Assignment) -> GradeItem:
    """The assignment's item in the gradebook, titled after its module."""
    title = session.scalar(select(Module.title).where(Module.id == assignment.module_id)) or ""
    return ensure_item(
        session,
        course_id=assignment.course_id,
        source=ItemSource.ASSIGNMENT,
        source_id=assignment.id,
        title=title,
        max_points=assignment.max_points,
        pass_points=assignment.pass_points,
        module_id=assignment.module_id,
        scale_id=assignment.scale_id,
    )


def learners_of(session: Session, submission: Submission) -> list[int]:
    """Who an attempt belongs to: its learner, or every member of its group."""
    if submission.user_id is not None:
        return [submission.user_id]
    return list(
        session.scalars(
            select(GroupMember.user_id)
            .where(GroupMember.group_id == submission.group_id)
            .order_by(GroupMember.user_id)
        )
    )


def member_points(session: Session, marking: Marking) -> dict[int, Decimal]:
    """Members whose grade a teacher set apart from their group's."""
    rows = session.execute(
        select(MemberGradeOverride.user_id, MemberGradeOverride.points).where(
            MemberGradeOverride.marking_id == marking.id
        )
    )
    return dict(rows.all())


def release_marking(
    session: Session, assignment: Assignment, marking: Marking, *, by_user_id: int | None
) -> None:
    """Every learner of the attempt gets its final grade (after the late penalty), or the grade
    a teacher set for them alone; the feedback becomes theirs to read."""
    submission = session.get_one(Submission, marking.submission_id)
    item = grade_item(session, assignment)
    apart = member_points(session, marking)
    for user_id in learners_of(session, submission):
        points = apart.get(user_id, marking.final_points)
        record_grade(
            session,
            item,
            user_id,
            points,
            by_user_id=by_user_id,
            release=True,
            feedback_html=marking.feedback_html,
        )
    marking.state = MarkingState.RELEASED
    marking.released_at = utcnow()
    marking.released_by_id = by_user_id
    session.flush()
