"""How the gradebook reacts: a recorded or released grade recomputes the learner's course
result and, when the released grade reaches the item's pass mark, records the module's
"passed" completion; counted attendance re-grades the course's attendance items."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.db import utcnow
from app.core.events import subscribe
from app.core.i18n import N_
from app.courses.models import CompletionRule, Course, Module
from app.courses.service.completion import record_outcome
from app.grades.events import GradeRecorded, GradeReleased
from app.grades.models import Grade, GradeItem
from app.grades.service import attendance, results
from app.notifications.models import NotificationKind
from app.notifications.service import Notice, notify
from app.webinars.events import AttendanceRegistered


def passes(grade: Grade, item: GradeItem) -> bool:
    """A released grade passes when its final points reach the item's pass mark; an item
    without a pass mark never records "passed"."""
    points = grade.final_points
    if grade.released_at is None or item.pass_points is None or points is None:
        return False
    return points >= item.pass_points


# Every write of a grade (its release included) goes through `record.record_grade`, which
# publishes GradeRecorded each time and GradeReleased after it on a release: listening to the
# first is enough, and listening to both would do the work twice.
@subscribe(GradeRecorded)
def recompute_result(session: Session, event: GradeRecorded) -> None:
    results.recompute(session, event.course_id, [event.user_id])
    _complete_if_passed(session, event.item_id, event.user_id)


def _complete_if_passed(session: Session, item_id: int, user_id: int) -> None:
    item = session.get(GradeItem, item_id)
    if item is None or item.module_id is None:
        return
    grade = session.scalar(select(Grade).where(Grade.item_id == item_id, Grade.user_id == user_id))
    if grade is None or not passes(grade, item):
        return
    module = session.get(Module, item.module_id)
    if module is not None and (item.hidden_until is None or item.hidden_until <= utcnow()):
        record_outcome(session, user_id, module, CompletionRule.PASSED)


@subscribe(AttendanceRegistered)
def regrade_attendance(session: Session, event: AttendanceRegistered) -> None:
    attendance.attendance_recorded(session, event.course_id, list(event.user_ids))


@subscribe(GradeReleased)
def tell_learner(session: Session, event: GradeReleased) -> None:
    item = session.get_one(GradeItem, event.item_id)
    course = session.get_one(Course, event.course_id)
    notify(session, [event.user_id], Notice(
        kind=NotificationKind.GRADE_RELEASED,
        subject=N_("Grade released: %(item)s"),
        body=N_("Your grade for %(item)s in %(course)s is released."),
        link=f"/courses/{course.code}/my-grades",
        values={"item": item.title, "course": course.title},
    ))  # fmt: skip
