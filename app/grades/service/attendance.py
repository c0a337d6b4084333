"""Attendance items: a learner's points are the hours they attended in the course's webinars
and seminars (counted attendance only), up to the item's maximum, the hours required."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.grades.models import GradeItem, ItemSource
from app.grades.service.record import record_grade
from app.grades.service.results import learner_ids
from app.webinars.service.hours import course_hours


def grade_attendance(
    session: Session, item: GradeItem, by_user_id: int | None, user_ids: list[int] | None = None
) -> None:
    """Record (released) each learner's attended hours, capped at the hours required."""
    users = learner_ids(session, item.course_id) if user_ids is None else user_ids
    for user_id, hours in course_hours(session, item.course_id, users).items():
        record_grade(
            session, item, user_id, min(hours, item.max_points), by_user_id=by_user_id, release=True
        )


def attendance_recorded(session: Session, course_id: int, user_ids: list[int]) -> None:
    """People's attendance was recorded (a register, a provider's events): the course's
    unlocked attendance items follow for its learners among them. One query when the course
    has no attendance item, whatever the number of people."""
    items = session.scalars(
        select(GradeItem).where(
            GradeItem.course_id == course_id,
            GradeItem.source == ItemSource.ATTENDANCE,
            GradeItem.locked_at.is_(None),
        )
    ).all()
    if not items:
        return
    learners = [u for u in learner_ids(session, course_id) if u in set(user_ids)]
    for item in items:
        grade_attendance(session, item, None, learners)
