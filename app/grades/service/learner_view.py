"""What a learner sees of their grades in a course: only released grades whose item's
hidden-until date has passed, with their feedback, and the course result once nothing of the
course is still hidden. Nothing about unreleased grades (not even that they exist)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.actors import Actor, require
from app.core.errors import NotFound
from app.core.i18n import N_
from app.courses.models import Course
from app.courses.service.courses import CourseAccess, find_course, get_course
from app.grades import policy
from app.grades.models import CourseResult, Grade, GradeItem
from app.grades.service.grader import ordered_items
from app.grades.service.record import visible_to_learner


@dataclass(frozen=True)
class MyGrade:
    item: GradeItem
    grade: Grade


@dataclass(frozen=True)
class MyGrades:
    course: Course
    grades: list[MyGrade]
    result: CourseResult | None


def my_grades(session: Session, actor: Actor, code: str, now: datetime) -> MyGrades:
    return _mine(session, actor, find_course(session, actor, code), now)


def my_grades_by_id(session: Session, actor: Actor, course_id: int, now: datetime) -> MyGrades:
    return _mine(session, actor, get_course(session, actor, course_id), now)


def _mine(session: Session, actor: Actor, access: CourseAccess, now: datetime) -> MyGrades:
    """The learner's own released, visible grades in item order; the result is shown only
    when no item of the course is still hidden (it would tell a hidden grade)."""
    require(policy.reads_own_course_grades(actor, access.roles), NotFound, N_("No such course."))
    items = ordered_items(session, access.course.id)
    grades = {
        grade.item_id: grade
        for grade in session.scalars(
            select(Grade).where(
                Grade.user_id == actor.user_id,
                Grade.item_id.in_([item.id for item in items]),
                Grade.released_at.is_not(None),
            )
        )
    }
    shown = [
        MyGrade(item, grades[item.id])
        for item in items
        if item.id in grades and visible_to_learner(grades[item.id], item, now)
    ]
    still_hidden = any(item.hidden_until is not None and item.hidden_until > now for item in items)
    result = None
    if not still_hidden:
        result = session.scalar(
            select(CourseResult).where(
                CourseResult.course_id == access.course.id,
                CourseResult.user_id == actor.user_id,
            )
        )
    return MyGrades(access.course, shown, result)
