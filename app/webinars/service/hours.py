"""Attended hours: counted attendance totalled per programme, against its requirement."""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.core.actors import Actor, require
from app.core.errors import NotFound
from app.core.i18n import N_
from app.courses.models import Programme, ProgrammeCourse
from app.enrolment.models import ProgrammeEnrolment
from app.membership.models import CourseRole, Enrolment, EnrolmentStatus
from app.membership.service import require_person_reach
from app.webinars import policy
from app.webinars.models import Attendance, WebinarSession
from app.webinars.service.attendance import counts


@dataclass(frozen=True)
class WebinarHours:
    webinar: WebinarSession
    hours: Decimal


@dataclass(frozen=True)
class AttendedHours:
    programme: Programme
    hours: Decimal
    by_webinar: list[WebinarHours]

    @property
    def meets_requirement(self) -> bool | None:
        required = self.programme.attendance_hours_required
        return None if required is None else self.hours >= required


def attended_hours(
    session: Session, actor: Actor, user_id: int, programme_code: str
) -> AttendedHours:
    """Hours a student attended (counting attendance only) in a programme's courses."""
    require(policy.can_read_hours(actor, user_id), NotFound, N_("No such user."))
    require_person_reach(session, actor, user_id)  # partners and institution managers: theirs
    programme = session.scalar(select(Programme).where(Programme.code == programme_code))
    if programme is None:
        raise NotFound(N_("No such programme."))
    course_ids = select(ProgrammeCourse.course_id).where(
        ProgrammeCourse.programme_id == programme.id
    )
    found = session.scalars(
        select(WebinarSession)
        .where(WebinarSession.course_id.in_(course_ids))
        .options(selectinload(WebinarSession.sittings))
        .order_by(WebinarSession.starts_at)
    ).all()
    rows = {
        a.sitting_id: a
        for a in session.scalars(
            select(Attendance).where(
                Attendance.user_id == user_id,
                Attendance.session_id.in_([w.id for w in found]),
            )
        )
    }
    by_webinar = []
    for webinar in found:
        minutes = sum(
            rows[s.id].minutes for s in webinar.sittings if counts(webinar, s, rows.get(s.id))
        )
        if minutes:
            hours = (Decimal(minutes) / 60).quantize(Decimal("0.01"))
            by_webinar.append(WebinarHours(webinar, hours))
    total = sum((line.hours for line in by_webinar), Decimal(0))
    return AttendedHours(programme, total, by_webinar)


def my_attendance(session: Session, actor: Actor) -> list[AttendedHours]:
    """The signed-in person's hours in each programme they follow that counts attendance
    (enrolled in the programme, or a student of one of its courses)."""
    require(policy.has_own_place(actor))
    assert actor.user_id is not None
    studied = (
        select(ProgrammeCourse.programme_id)
        .join(Enrolment, Enrolment.course_id == ProgrammeCourse.course_id)
        .where(
            Enrolment.user_id == actor.user_id,
            Enrolment.role == CourseRole.STUDENT,
            Enrolment.status == EnrolmentStatus.ACTIVE,
        )
    )
    enrolled = select(ProgrammeEnrolment.programme_id).where(
        ProgrammeEnrolment.user_id == actor.user_id
    )
    codes = session.scalars(
        select(Programme.code)
        .where(
            Programme.attendance_hours_required.is_not(None),
            Programme.id.in_(studied.union(enrolled)),
        )
        .order_by(Programme.code)
    ).all()
    return [attended_hours(session, actor, actor.user_id, code) for code in codes]


def course_hours(session: Session, course_id: int, user_ids: list[int]) -> dict[int, Decimal]:
    """Hours each person attended (counting attendance only) in a course's webinars and
    seminars, for the gradebook's attendance items (callers check access); two queries."""
    found = session.scalars(
        select(WebinarSession)
        .where(WebinarSession.course_id == course_id)
        .options(selectinload(WebinarSession.sittings))
    ).all()
    by_sitting = {s.id: (webinar, s) for webinar in found for s in webinar.sittings}
    minutes = dict.fromkeys(user_ids, 0)
    rows = session.scalars(
        select(Attendance).where(
            Attendance.user_id.in_(user_ids),
            Attendance.session_id.in_([w.id for w in found]),
        )
    )
    for row in rows:
        webinar, sitting = by_sitting[row.sitting_id]
        if counts(webinar, sitting, row):
            minutes[row.user_id] += row.minutes
    return {user_id: (Decimal(m) / 60).quantize(Decimal("0.01")) for user_id, m in minutes.items()}
