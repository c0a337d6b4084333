"""The attendance register kept by staff: marking one person or the whole register (all rows
checked first; one invalid row and nothing is saved), reading it, and the absentee list."""

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.actors import Actor, require
from app.core.db import utcnow
from app.core.errors import Invalid, NotFound
from app.core.i18n import N_
from app.membership.models import CourseRole, Enrolment, EnrolmentStatus
from app.webinars import policy
from app.webinars.models import (
    Attendance,
    AttendanceSource,
    AttendanceStatus,
    Registration,
    RegistrationStatus,
    Sitting,
    WebinarSession,
)
from app.webinars.schemas import MAX_MINUTES, AttendanceUpdate
from app.webinars.service.access import visible_webinar
from app.webinars.service.attendance import (
    ATTENDED,
    Absentee,
    MarkedAttendance,
    RegisterLine,
    attendance_rows,
    complete_modules_if_counted,
    counts,
)
from app.webinars.service.bulk import insert_all


@dataclass(frozen=True)
class Mark:
    """One checked entry: this person's status (and minutes) on this day."""

    sitting: Sitting
    user_id: int
    status: AttendanceStatus
    minutes: int | None


@dataclass(frozen=True)
class RegisterRow:
    """One row of the register form, as submitted."""

    sitting_id: str
    user_id: str
    status: str
    minutes: str


class RowProblem(StrEnum):
    UNKNOWN_ROW = "unknown_row"  # not a person of the course or not a day of the webinar
    STATUS = "status"
    MINUTES = "minutes"


@dataclass(frozen=True)
class RefusedRow:
    name: str
    day: int | None
    problem: RowProblem


class RegisterRowsInvalid(Invalid):
    code = "attendance_rows_invalid"
    title = N_("Some rows of the register are not valid; nothing was saved.")

    def __init__(self, rows: list[RefusedRow]) -> None:
        super().__init__()
        self.rows = rows


def _markable(session: Session, actor: Actor, webinar_id: int) -> WebinarSession:
    access = visible_webinar(session, actor, webinar_id)
    require(policy.can_take_attendance(actor, access.roles))
    return access.webinar


def _apply(
    session: Session, actor: Actor, webinar: WebinarSession, marks: list[Mark]
) -> list[MarkedAttendance]:
    """Write checked marks in a fixed number of queries; kept as set (never recomputed)."""
    user_ids = list(dict.fromkeys(m.user_id for m in marks))
    rows = attendance_rows(session, webinar.id, user_ids)
    now = utcnow()
    new = []
    for mark in marks:
        full = mark.sitting.minutes if mark.status in ATTENDED else 0
        values = {
            "status": mark.status,
            "minutes": min(full if mark.minutes is None else mark.minutes, mark.sitting.minutes),
            "source": AttendanceSource.TEACHER, "edited_by_id": actor.user_id, "updated_at": now,
        }  # fmt: skip
        row = rows.get((mark.sitting.id, mark.user_id))
        if row is None:
            new.append(
                {"session_id": webinar.id, "sitting_id": mark.sitting.id,
                 "user_id": mark.user_id, **values}
            )  # fmt: skip
        else:
            for name, value in values.items():
                setattr(row, name, value)
    session.flush()
    insert_all(session, Attendance, new)
    rows = attendance_rows(session, webinar.id, user_ids)
    complete_modules_if_counted(session, webinar, user_ids, rows)
    return [
        MarkedAttendance(row, counts(webinar, mark.sitting, row))
        for mark in marks
        if (row := rows[(mark.sitting.id, mark.user_id)])
    ]


def _enrolled(session: Session, course_id: int, user_ids: list[int]) -> dict[int, str]:
    """Display names of the given people enrolled in the course."""
    rows = session.execute(
        select(User.id, User.display_name)
        .join(Enrolment, Enrolment.user_id == User.id)
        .where(Enrolment.course_id == course_id, User.id.in_(user_ids))
    ).all()
    return {user_id: name for user_id, name in rows}  # noqa: C416  (rows are tuples, typed)


def set_attendance(
    session: Session, actor: Actor, webinar_id: int, user_id: int, data: AttendanceUpdate
) -> list[MarkedAttendance]:
    """A teacher's register for one person: present, late, absent or excused, with minutes;
    kept as set. Without a day, every day of the webinar is set."""
    webinar = _markable(session, actor, webinar_id)
    if user_id not in _enrolled(session, webinar.course_id, [user_id]):
        raise Invalid(N_("This person is not enrolled in the course."), field="user_id")
    sittings = [s for s in webinar.sittings if data.sitting_id in (None, s.id)]
    if not sittings:
        raise Invalid(N_("No such day in this session."), field="sitting_id")
    marks = [Mark(s, user_id, data.status, data.minutes) for s in sittings]
    return _apply(session, actor, webinar, marks)


def _int(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 10 else None


def _check_row(
    row: RegisterRow, days: dict[int, tuple[int, Sitting]], names: dict[int, str]
) -> Mark | RefusedRow:
    sitting_id, user_id = _int(row.sitting_id), _int(row.user_id)
    day = days.get(sitting_id) if sitting_id is not None else None
    if day is None or user_id is None or user_id not in names:
        raw = f"{row.sitting_id}-{row.user_id}"
        name = names.get(user_id, raw) if user_id is not None else raw
        return RefusedRow(name, day[0] if day else None, RowProblem.UNKNOWN_ROW)
    number, sitting = day
    try:
        status = AttendanceStatus(row.status)
    except ValueError:
        return RefusedRow(names[user_id], number, RowProblem.STATUS)
    minutes = _int(row.minutes) if row.minutes.strip() else None
    if row.minutes.strip() and (minutes is None or minutes > MAX_MINUTES):
        return RefusedRow(names[user_id], number, RowProblem.MINUTES)
    return Mark(sitting, user_id, status, minutes)


def save_register(
    session: Session, actor: Actor, webinar_id: int, rows: list[RegisterRow]
) -> list[MarkedAttendance]:
    """The whole register at once. Every row is checked first: a row naming no person of the
    course or no day of the webinar, an unknown status or unreadable minutes refuses the
    lot, naming the rows, and nothing is saved. A fixed number of queries."""
    webinar = _markable(session, actor, webinar_id)
    days = {s.id: (number, s) for number, s in enumerate(webinar.sittings, 1)}
    wanted = [i for i in (_int(r.user_id) for r in rows) if i is not None]
    names = _enrolled(session, webinar.course_id, wanted)
    checked = [_check_row(row, days, names) for row in rows]
    refused = [c for c in checked if isinstance(c, RefusedRow)]
    if refused:
        raise RegisterRowsInvalid(refused)
    return _apply(session, actor, webinar, [c for c in checked if isinstance(c, Mark)])


def attendance_register(session: Session, actor: Actor, webinar_id: int) -> list[RegisterLine]:
    """Every registered person (or, for a seminar without registration, every student) per
    sitting, with their attendance and whether it counts."""
    access = visible_webinar(session, actor, webinar_id)
    require(policy.can_read_attendance(actor, access.roles), NotFound, N_("No such session."))
    webinar = access.webinar
    people = session.scalars(
        select(User)
        .join(Enrolment, Enrolment.user_id == User.id)
        .where(
            Enrolment.course_id == webinar.course_id,
            Enrolment.role == CourseRole.STUDENT,
            Enrolment.status == EnrolmentStatus.ACTIVE,
        )
        .order_by(User.display_name)
    ).all()
    registered = set(
        session.scalars(
            select(Registration.user_id).where(
                Registration.session_id == webinar.id,
                Registration.status == RegistrationStatus.REGISTERED,
            )
        )
    )
    if registered:
        people = [p for p in people if p.id in registered]
    rows = {
        (a.sitting_id, a.user_id): a
        for a in session.scalars(select(Attendance).where(Attendance.session_id == webinar.id))
    }
    return [
        RegisterLine(p, s, rows.get((s.id, p.id)), counts(webinar, s, rows.get((s.id, p.id))))
        for s in webinar.sittings
        for p in people
    ]


def absentees(session: Session, actor: Actor, webinar_id: int) -> list[Absentee]:
    """Whoever was expected and whose attendance does not count, with whether excused."""
    seen: dict[int, Absentee] = {}
    for line in attendance_register(session, actor, webinar_id):
        if not line.counts:
            excused = line.attendance is not None and (
                line.attendance.status is AttendanceStatus.EXCUSED
            )
            seen.setdefault(line.user.id, Absentee(line.user, excused))
    return list(seen.values())
