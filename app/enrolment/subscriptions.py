"""What enrolment does when something happens in another domain."""

from sqlalchemy.orm import Session

from app.core.events import subscribe
from app.core.i18n import N_
from app.courses.events import CourseRunCreated
from app.courses.models import Course
from app.enrolment.events import EnrolmentChanged
from app.enrolment.programmes import enrol_programme_members
from app.membership.models import Enrolment, EnrolmentStatus
from app.notifications.models import NotificationKind
from app.notifications.service import Notice, notify


@subscribe(CourseRunCreated)
def enrol_programme_members_in_new_run(session: Session, event: CourseRunCreated) -> None:
    """A new run belongs to its template's programmes: their members are enrolled in it."""
    enrol_programme_members(session, event.by, event.course_id)


STATUS_NAMES = {
    EnrolmentStatus.PENDING: N_("pending"),
    EnrolmentStatus.ACTIVE: N_("active"),
    EnrolmentStatus.SUSPENDED: N_("suspended"),
    EnrolmentStatus.COMPLETED: N_("completed"),
    EnrolmentStatus.WITHDRAWN: N_("withdrawn"),
}


@subscribe(EnrolmentChanged)
def tell_learner(session: Session, event: EnrolmentChanged) -> None:
    """The person is told of a new enrolment and of each change of its status."""
    enrolment = session.get_one(Enrolment, event.enrolment_id)
    course = session.get_one(Course, event.course_id)
    values = {"course": course.title}
    terms = {}
    if event.created:
        subject, body = N_("Enrolled in %(course)s"), N_("You are enrolled in %(course)s.")
    else:
        subject = N_("Your enrolment in %(course)s changed")
        body = N_("Your enrolment in %(course)s is now: %(status)s.")
        terms["status"] = STATUS_NAMES[enrolment.status]
    notify(session, [event.user_id], Notice(
        kind=NotificationKind.ENROLMENT_CHANGED, subject=subject, body=body,
        link=f"/courses/{course.code}", values=values, terms=terms,
    ))  # fmt: skip
