"""What a final submission sends: a receipt mailed to each learner it belongs to once its
transaction commits, and a notification to the course's teachers (mailed as each chose), each
in the recipient's language."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.assignments.models import Submission
from app.core.config import Settings
from app.core.i18n import N_, format_when, translations_for
from app.core.mail import send_after_commit
from app.courses.models import Course, Module
from app.membership.models import CourseRole, Enrolment, EnrolmentStatus
from app.notifications.models import NotificationKind
from app.notifications.service import Notice, notify

RECEIPT_SUBJECT = N_("Submission received: %(title)s")
RECEIPT_BODY = N_(
    "Hello %(name)s,\n\n"
    "Your submission to %(title)s (%(course)s) was received %(when)s.\n"
    "You can read it on your submission page:\n%(url)s\n\n"
    "Agora"
)
NOTICE_SUBJECT = N_("New submission: %(title)s")
NOTICE_BODY = N_("%(who)s submitted %(title)s (%(course)s) %(when)s.")


def _send(
    session: Session, settings: Settings, user: User, subject: str, body: str,
    values: dict[str, str], moment: datetime,
) -> None:  # fmt: skip
    locale = user.preferred_language or "en"
    gettext = translations_for(locale).gettext
    filled = {
        **values,
        "name": user.display_name,
        "when": format_when(moment, user.time_zone, locale),
    }
    send_after_commit(
        session, settings, user.email, gettext(subject) % filled, gettext(body) % filled
    )


def _teachers(session: Session, course_id: int) -> Sequence[User]:
    return session.scalars(
        select(User)
        .join(Enrolment, Enrolment.user_id == User.id)
        .where(
            Enrolment.course_id == course_id,
            Enrolment.role == CourseRole.TEACHER,
            Enrolment.status == EnrolmentStatus.ACTIVE,
        )
        .order_by(User.id)
    ).all()


def send_receipts(
    session: Session,
    settings: Settings,
    submission: Submission,
    module: Module,
    learners: Sequence[User],
    who: str,
) -> None:
    """`who`: the learner's name, or the group's, as the teachers read it."""
    assert submission.submitted_at is not None
    course = session.get_one(Course, module.course_id)
    values = {
        "title": module.title,
        "course": course.title,
        "who": who,
        "url": f"{settings.base_url.rstrip('/')}/assignments/{submission.assignment_id}/submission",
    }
    moment = submission.submitted_at
    for learner in learners:
        _send(session, settings, learner, RECEIPT_SUBJECT, RECEIPT_BODY, values, moment)
    teachers = [teacher.id for teacher in _teachers(session, course.id)]
    notify(session, teachers, Notice(
        kind=NotificationKind.SUBMISSION_RECEIVED, subject=NOTICE_SUBJECT, body=NOTICE_BODY,
        link=f"/assignments/{submission.assignment_id}/submissions", values=values,
        times={"when": moment},
    ))  # fmt: skip
