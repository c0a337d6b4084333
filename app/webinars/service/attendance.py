"""Attendance per person and day (sitting): computed from join/leave events until staff set
it, counted against the webinar's threshold, and completing its module when it counts."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.db import utcnow
from app.core.events import publish
from app.courses.models import Module
from app.courses.service.completion import complete_by_attendance
from app.membership.models import Enrolment
from app.webinars import providers
from app.webinars.events import AttendanceCounted, AttendanceRegistered
from app.webinars.models import (
    Attendance,
    AttendanceEvent,
    AttendanceSource,
    AttendanceStatus,
    Sitting,
    WebinarSession,
)
from app.webinars.service.access import with_details

LATE_AFTER = timedelta(minutes=10)
ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)


@dataclass(frozen=True)
class Span:
    """From a join to the matching leave (or to the webinar's end)."""

    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class MarkedAttendance:
    row: Attendance
    counts: bool


@dataclass(frozen=True)
class RegisterLine:
    user: User
    sitting: Sitting
    attendance: Attendance | None
    counts: bool


@dataclass(frozen=True)
class Absentee:
    user: User
    excused: bool


def counts(webinar: WebinarSession, sitting: Sitting, row: Attendance | None) -> bool:
    """Present or late, for at least the webinar's threshold share of the sitting."""
    if row is None or row.status not in ATTENDED:
        return False
    return row.minutes * 100 >= webinar.attendance_threshold * sitting.minutes


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _spans(events: Sequence[AttendanceEvent], until: datetime) -> list[Span]:
    """Join/leave pairs; a join without a leave lasts until the webinar ends."""
    spans, opened = [], None
    for event in events:
        if event.kind == "join" and opened is None:
            opened = _utc(event.at)
        elif event.kind == "leave" and opened is not None:
            spans.append(Span(opened, _utc(event.at)))
            opened = None
    if opened is not None:
        spans.append(Span(opened, until))
    return spans


def _minutes_in(sitting: Sitting, spans: list[Span]) -> int:
    total = timedelta(0)
    for span in spans:
        overlap = min(span.ends_at, sitting.ends_at) - max(span.starts_at, sitting.starts_at)
        total += max(overlap, timedelta(0))
    return int(total.total_seconds() // 60)


def attendance_rows(
    session: Session, webinar_id: int, user_ids: list[int]
) -> dict[tuple[int, int], Attendance]:
    """Attendance rows of some people in a webinar, by (sitting, person)."""
    return {
        (a.sitting_id, a.user_id): a
        for a in session.scalars(
            select(Attendance).where(
                Attendance.session_id == webinar_id, Attendance.user_id.in_(user_ids)
            )
        )
    }


def recompute(session: Session, webinar: WebinarSession, user_id: int) -> None:
    """Attendance per sitting from the events, unless staff have set it by hand."""
    events = session.scalars(
        select(AttendanceEvent)
        .where(AttendanceEvent.session_id == webinar.id, AttendanceEvent.user_id == user_id)
        .order_by(AttendanceEvent.at, AttendanceEvent.id)
    ).all()
    if not events:
        return
    spans = _spans(events, _utc(webinar.ends_at))
    rows = attendance_rows(session, webinar.id, [user_id])
    for sitting in webinar.sittings:
        row = rows.get((sitting.id, user_id))
        minutes = _minutes_in(sitting, spans)
        if (row is not None and row.edited_by_id is not None) or (minutes == 0 and row is None):
            continue
        overlapping = [s for s in spans if s.ends_at > sitting.starts_at]
        first = min(
            (s.starts_at for s in overlapping if s.starts_at < sitting.ends_at), default=None
        )
        if row is None:
            row = Attendance(session_id=webinar.id, sitting_id=sitting.id, user_id=user_id)
            session.add(row)
        late = first is not None and first > _utc(sitting.starts_at) + LATE_AFTER
        row.status = AttendanceStatus.LATE if late else AttendanceStatus.PRESENT
        row.minutes, row.first_joined_at = minutes, first
        row.source, row.updated_at = events[-1].source, utcnow()
        rows[(sitting.id, user_id)] = row
    session.flush()
    complete_modules_if_counted(session, webinar, [user_id], rows)


def record_provider_events(
    session: Session, room_name: str, events: list[providers.ProviderEvent]
) -> int:
    """Join/leave events from the video service, matched to the course's enrolled people;
    unknown rooms and people are ignored. Returns how many were recorded."""
    webinar = session.scalar(
        select(WebinarSession).where(WebinarSession.room_name == room_name).options(*with_details())
    )
    if webinar is None:
        return 0
    enrolled = set(
        session.scalars(
            select(Enrolment.user_id).where(
                Enrolment.course_id == webinar.course_id,
                Enrolment.user_id.in_([e.user_id for e in events if e.user_id is not None]),
            )
        )
    )
    kept = [e for e in events if e.user_id in enrolled and e.meeting_id == room_name]
    session.add_all(
        AttendanceEvent(
            session_id=webinar.id, user_id=e.user_id, kind=e.kind, at=e.at,
            source=AttendanceSource.PROVIDER,
        )
        for e in kept
    )  # fmt: skip
    session.flush()
    for user_id in dict.fromkeys(e.user_id for e in kept):
        assert user_id is not None
        recompute(session, webinar, user_id)
    return len(kept)


def complete_modules_if_counted(
    session: Session,
    webinar: WebinarSession,
    user_ids: list[int],
    rows: dict[tuple[int, int], Attendance],
) -> None:
    """Announce each person whose attendance now counts, and complete the webinar's module
    for them when it counts towards completion."""
    module = (
        session.get_one(Module, webinar.module_id)
        if webinar.counts_for_completion and webinar.module_id is not None
        else None
    )
    for user_id in user_ids:
        counted = [
            row
            for s in webinar.sittings
            if (row := rows.get((s.id, user_id))) is not None and counts(webinar, s, row)
        ]
        if not counted:
            continue
        publish(
            session,
            AttendanceCounted(
                webinar_id=webinar.id,
                course_id=webinar.course_id,
                user_id=user_id,
                module_id=webinar.module_id,
                counted_minutes=sum(row.minutes for row in counted),
            ),
        )
        if module is not None:
            complete_by_attendance(session, user_id, module)
    publish(
        session,
        AttendanceRegistered(
            webinar_id=webinar.id, course_id=webinar.course_id, user_ids=tuple(user_ids)
        ),
    )
