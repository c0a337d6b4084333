"""How the credits service reacts to the gradebook: a released passing course result earns
the course's credits (see `service/awards.py`)."""

from sqlalchemy.orm import Session

from app.core.events import subscribe
from app.credits.service import awards
from app.grades.events import CourseResultComputed


@subscribe(CourseResultComputed)
def credit_passed_course(session: Session, event: CourseResultComputed) -> None:
    awards.award_course_result(session, event.course_id, event.user_id, event.percent, event.passed)
