"""What enrolment does when something happens in another domain."""

from sqlalchemy.orm import Session

from app.core.events import subscribe
from app.courses.events import CourseRunCreated
from app.enrolment.programmes import enrol_programme_members


@subscribe(CourseRunCreated)
def enrol_programme_members_in_new_run(session: Session, event: CourseRunCreated) -> None:
    """A new run belongs to its template's programmes: their members are enrolled in it."""
    enrol_programme_members(session, event.by, event.course_id)
