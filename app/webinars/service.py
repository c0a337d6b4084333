"""Webinars and seminars: scheduling (single, weekly series, multi-day timetables), the
registration list with its waiting list, joining, attendance, recordings and materials.
Every rule is asked of `app.webinars.policy`; calendar feeds and reminders build on this."""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import IO

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.accounts.models import User
from app.core.actors import Actor, require
from app.core.config import Settings
from app.core.db import utcnow
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.core.i18n import N_
from app.core.storage import StoredFile, safe_file_name, storage_for
from app.courses.models import Course, Module, Programme, ProgrammeCourse
from app.courses.service.agenda import DateAhead
from app.courses.service.completion import complete_by_attendance
from app.enrolment.cohorts import get_cohort
from app.enrolment.models import (
    CohortMember,
    CourseRole,
    Enrolment,
    EnrolmentStatus,
    Group,
    GroupMember,
    ProgrammeEnrolment,
)
from app.enrolment.service import course_roles
from app.webinars import policy, providers
from app.webinars.models import (
    Attendance,
    AttendanceEvent,
    AttendanceSource,
    AttendanceStatus,
    Delivery,
    Material,
    Recording,
    Registration,
    RegistrationStatus,
    SessionHost,
    SessionStatus,
    Sitting,
    Speaker,
    WebinarSession,
)
from app.webinars.schemas import (
    AttendanceUpdate,
    BulkRegistration,
    BulkRegistrationResult,
    SeriesCreate,
    SessionCreate,
    SessionUpdate,
    SittingIn,
)
from app.webinars.timezones import organiser_zone, to_utc, weekly

LATE_AFTER = timedelta(minutes=10)
WITH_DETAILS = (
    selectinload(WebinarSession.sittings),
    selectinload(WebinarSession.hosts),
    selectinload(WebinarSession.speakers),
    selectinload(WebinarSession.materials),
    selectinload(WebinarSession.recordings),
)


class SessionCancelled(Conflict):
    code = "session_cancelled"
    title = N_("This session is cancelled.")


class AlreadyRegistered(Conflict):
    code = "already_registered"
    title = N_("You are already registered for this session.")


class JoinNotOpen(Forbidden):
    code = "join_not_open"
    title = N_("The join link opens shortly before the start, for registered participants.")


@dataclass(frozen=True)
class JoinLinkResult:
    url: str
    provider: str
    moderator: bool


@dataclass(frozen=True)
class SessionView:
    """A session with what the reader may know about it."""

    session: WebinarSession
    roles: frozenset[CourseRole]
    registered: int
    waitlisted: int
    mine: RegistrationStatus | None


# --- reading --------------------------------------------------------------------------------


def _load(session: Session, session_id: int, *, lock: bool = False) -> WebinarSession:
    stmt = select(WebinarSession).where(WebinarSession.id == session_id).options(*WITH_DETAILS)
    found = session.scalar(stmt.with_for_update(of=WebinarSession) if lock else stmt)
    if found is None:
        raise NotFound(N_("No such session."))
    return found


def _visible(
    session: Session, actor: Actor, session_id: int, *, lock: bool = False
) -> tuple[WebinarSession, frozenset[CourseRole]]:
    webinar = _load(session, session_id, lock=lock)
    roles = course_roles(session, actor, webinar.course_id)
    require(policy.can_view_sessions(actor, roles), NotFound, N_("No such session."))
    return webinar, roles


def _counts(session: Session, session_ids: list[int]) -> dict[tuple[int, str], int]:
    rows = session.execute(
        select(Registration.session_id, Registration.status, func.count())
        .where(Registration.session_id.in_(session_ids))
        .group_by(Registration.session_id, Registration.status)
    ).all()
    return {(sid, RegistrationStatus(status).value): n for sid, status, n in rows}


def _mine(session: Session, user_id: int | None, session_ids: list[int]) -> dict[int, str]:
    if user_id is None:
        return {}
    rows = session.execute(
        select(Registration.session_id, Registration.status).where(
            Registration.user_id == user_id, Registration.session_id.in_(session_ids)
        )
    ).all()
    return {sid: RegistrationStatus(status).value for sid, status in rows}


def _views(
    session: Session, actor: Actor, found: Sequence[WebinarSession], roles: frozenset[CourseRole]
) -> list[SessionView]:
    ids = [w.id for w in found]
    counts, mine = _counts(session, ids), _mine(session, actor.user_id, ids)
    return [
        SessionView(
            w,
            roles,
            counts.get((w.id, "registered"), 0),
            counts.get((w.id, "waitlisted"), 0),
            RegistrationStatus(mine[w.id]) if w.id in mine else None,
        )
        for w in found
    ]


def get_session(session: Session, actor: Actor, session_id: int) -> SessionView:
    webinar, roles = _visible(session, actor, session_id)
    return _views(session, actor, [webinar], roles)[0]


def course_sessions(
    session: Session, actor: Actor, course_id: int, *, upcoming_only: bool = False
) -> list[SessionView]:
    """A course's sessions in time order (fixed number of queries whatever their number)."""
    roles = course_roles(session, actor, course_id)
    require(policy.can_view_sessions(actor, roles), NotFound, N_("No such course."))
    stmt = (
        select(WebinarSession)
        .where(WebinarSession.course_id == course_id)
        .options(*WITH_DETAILS)
        .order_by(WebinarSession.starts_at)
    )
    if upcoming_only:
        stmt = stmt.where(WebinarSession.ends_at >= utcnow())
    return _views(session, actor, session.scalars(stmt).all(), roles)


def upcoming_in_course(
    session: Session, course_id: int, limit: int = 3
) -> Sequence[WebinarSession]:
    """The next scheduled sessions of a course, for its page (its participants only)."""
    return session.scalars(
        select(WebinarSession)
        .where(
            WebinarSession.course_id == course_id,
            WebinarSession.status == SessionStatus.SCHEDULED,
            WebinarSession.ends_at >= utcnow(),
        )
        .order_by(WebinarSession.starts_at)
        .limit(limit)
    ).all()


def dates_ahead(session: Session, user_id: int) -> list[DateAhead]:
    """The dashboard's entries for the sessions ahead in a person's courses."""
    return [
        DateAhead(
            webinar.starts_at, course.code, course.title, webinar.kind.value, webinar.title,
            url=f"/sessions/{webinar.id}",
        )
        for webinar, course in upcoming_for_user(session, user_id)
    ]  # fmt: skip


def upcoming_for_user(
    session: Session, user_id: int, horizon: timedelta = timedelta(days=45)
) -> list[tuple[WebinarSession, Course]]:
    """Scheduled sessions ahead in the courses a person is actively enrolled in."""
    now = utcnow()
    return [
        (webinar, course)
        for webinar, course in session.execute(
            select(WebinarSession, Course)
            .join(Course, Course.id == WebinarSession.course_id)
            .join(Enrolment, Enrolment.course_id == Course.id)
            .where(
                Enrolment.user_id == user_id,
                Enrolment.status == EnrolmentStatus.ACTIVE,
                WebinarSession.status == SessionStatus.SCHEDULED,
                WebinarSession.ends_at >= now,
                WebinarSession.starts_at <= now + horizon,
            )
            .order_by(WebinarSession.starts_at)
        ).all()
    ]


# --- scheduling -----------------------------------------------------------------------------


def _instant(moment: datetime, zone_name: str) -> datetime:
    """A time with an offset is an instant; without one, the organiser's wall-clock time."""
    if moment.tzinfo is None:
        return to_utc(moment, zone_name)
    return moment.astimezone(UTC)


def _sittings(data: SessionCreate) -> list[Sitting]:
    days = data.days or [SittingIn(starts_at=data.starts_at, ends_at=data.ends_at)]
    sittings = []
    for day in days:
        starts, ends = (
            _instant(day.starts_at, data.time_zone),
            _instant(day.ends_at, data.time_zone),
        )
        if ends <= starts:
            raise Invalid(N_("A session must end after it starts."), field="ends_at")
        sittings.append(Sitting(starts_at=starts, ends_at=ends, title=day.title))
    return sorted(sittings, key=lambda s: s.starts_at)


def _check_module(session: Session, course_id: int, module_id: int | None) -> None:
    if (
        module_id is not None
        and session.scalar(
            select(Module.id).where(Module.id == module_id, Module.course_id == course_id)
        )
        is None
    ):
        raise Invalid(N_("This module is not in the session's course."), field="module_id")


def _check_hosts(session: Session, course_id: int, user_ids: list[int]) -> None:
    staff = set(
        session.scalars(
            select(Enrolment.user_id).where(
                Enrolment.course_id == course_id,
                Enrolment.user_id.in_(user_ids),
                Enrolment.role.in_([CourseRole.TEACHER, CourseRole.TUTOR]),
            )
        )
    )
    if set(user_ids) - staff:
        raise Invalid(N_("Hosts must be teachers or tutors of the course."), field="host_user_ids")


def _new_session(
    settings: Settings, actor: Actor, course_id: int, data: SessionCreate, series_id: str | None
) -> WebinarSession:
    sittings = _sittings(data)
    online = data.delivery is not Delivery.IN_PERSON
    return WebinarSession(
        course_id=course_id,
        module_id=data.module_id,
        series_id=series_id,
        kind=data.kind,
        delivery=data.delivery,
        title=data.title,
        description=data.description,
        location=data.location,
        starts_at=sittings[0].starts_at,
        ends_at=sittings[-1].ends_at,
        time_zone=data.time_zone,
        capacity=data.capacity,
        provider=settings.webinar_provider if online else "none",
        room_name=providers.new_room_name(),
        attendance_threshold=data.attendance_threshold,
        counts_for_completion=data.counts_for_completion,
        created_by_id=actor.user_id,
        sittings=sittings,
        hosts=[SessionHost(user_id=uid) for uid in dict.fromkeys(data.host_user_ids)],
        speakers=[Speaker(position=i, **s.model_dump()) for i, s in enumerate(data.speakers)],
    )


def schedule(
    session: Session, actor: Actor, settings: Settings, course_id: int, data: SessionCreate
) -> WebinarSession:
    require(policy.can_schedule(actor, course_roles(session, actor, course_id)))
    _check_module(session, course_id, data.module_id)
    _check_hosts(session, course_id, data.host_user_ids)
    webinar = _new_session(settings, actor, course_id, data, None)
    session.add(webinar)
    session.flush()
    return _load(session, webinar.id)


def schedule_series(
    session: Session, actor: Actor, settings: Settings, course_id: int, data: SeriesCreate
) -> list[WebinarSession]:
    """A webinar every `every_weeks` weeks at the same wall-clock time in the organiser's
    zone, whatever daylight saving does there in between."""
    require(policy.can_schedule(actor, course_roles(session, actor, course_id)))
    if data.days or data.starts_at is None or data.ends_at is None:
        raise Invalid(N_("A series repeats one start and end time."), field="days")
    _check_module(session, course_id, data.module_id)
    _check_hosts(session, course_id, data.host_user_ids)
    local_start = data.starts_at
    if local_start.tzinfo is not None:
        local_start = local_start.astimezone(organiser_zone(data.time_zone)).replace(tzinfo=None)
    duration = _instant(data.ends_at, data.time_zone) - _instant(data.starts_at, data.time_zone)
    series_id = secrets.token_hex(8)
    created = []
    for occurrence in weekly(
        local_start.date(), local_start.time(), duration, data.time_zone, data.count,
        data.every_weeks,
    ):  # fmt: skip
        one = data.model_copy(
            update={"starts_at": occurrence.starts_at, "ends_at": occurrence.ends_at}
        )
        created.append(_new_session(settings, actor, course_id, one, series_id))
    session.add_all(created)
    session.flush()
    return created


def _editable(session: Session, actor: Actor, session_id: int) -> WebinarSession:
    webinar, roles = _visible(session, actor, session_id)
    require(policy.can_schedule(actor, roles))
    return webinar


def update_session(
    session: Session, actor: Actor, session_id: int, data: SessionUpdate
) -> WebinarSession:
    """Changes a calendar must show (title, time, place) raise the iCalendar SEQUENCE."""
    webinar = _editable(session, actor, session_id)
    if webinar.status is SessionStatus.CANCELLED:
        raise SessionCancelled()
    changes = data.model_dump(exclude_unset=True)
    zone = changes.get("time_zone") or webinar.time_zone
    if "starts_at" in changes or "ends_at" in changes or "time_zone" in changes:
        starts = _instant(data.starts_at, zone) if data.starts_at else webinar.starts_at
        ends = _instant(data.ends_at, zone) if data.ends_at else webinar.ends_at
        if ends <= starts:
            raise Invalid(N_("A session must end after it starts."), field="ends_at")
        if len(webinar.sittings) == 1:
            webinar.sittings[0].starts_at, webinar.sittings[0].ends_at = starts, ends
        webinar.starts_at, webinar.ends_at, webinar.time_zone = starts, ends, zone
    if data.host_user_ids is not None:
        _check_hosts(session, webinar.course_id, data.host_user_ids)
        webinar.hosts = [SessionHost(user_id=uid) for uid in dict.fromkeys(data.host_user_ids)]
    if data.speakers is not None:
        webinar.speakers = [
            Speaker(position=i, **s.model_dump()) for i, s in enumerate(data.speakers)
        ]
    for name in ("title", "description", "location", "attendance_threshold"):
        if name in changes:
            setattr(webinar, name, changes[name])
    if "counts_for_completion" in changes:
        webinar.counts_for_completion = bool(changes["counts_for_completion"])
    if "capacity" in changes:
        webinar.capacity = changes["capacity"]
        _promote(session, webinar)
    webinar.sequence += 1
    webinar.updated_at = utcnow()
    session.flush()
    return webinar


def cancel_session(session: Session, actor: Actor, session_id: int) -> WebinarSession:
    webinar = _editable(session, actor, session_id)
    if webinar.status is not SessionStatus.CANCELLED:
        webinar.status = SessionStatus.CANCELLED
        webinar.cancelled_at = webinar.updated_at = utcnow()
        webinar.sequence += 1
    return webinar


# --- registration ---------------------------------------------------------------------------


def _taken(session: Session, session_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Registration)
            .where(
                Registration.session_id == session_id,
                Registration.status == RegistrationStatus.REGISTERED,
            )
        )
        or 0
    )


def _place(session: Session, webinar: WebinarSession, user_id: int, by: int | None) -> str:
    """Register, or put on the waiting list when full; "already" if they hold a place.
    The caller holds the session's row lock, so two people cannot take the last place."""
    existing = session.scalar(
        select(Registration).where(
            Registration.session_id == webinar.id, Registration.user_id == user_id
        )
    )
    if existing is not None and existing.status is not RegistrationStatus.CANCELLED:
        return "already"
    full = webinar.capacity is not None and _taken(session, webinar.id) >= webinar.capacity
    status = RegistrationStatus.WAITLISTED if full else RegistrationStatus.REGISTERED
    if existing is None:
        existing = Registration(session_id=webinar.id, user_id=user_id)
        session.add(existing)
    existing.status, existing.registered_at = status, utcnow()
    existing.registered_by_id, existing.cancelled_at, existing.promoted_at = by, None, None
    session.flush()
    return status.value


def _promote(session: Session, webinar: WebinarSession) -> None:
    """Fill free places from the waiting list, first come first served."""
    free = None if webinar.capacity is None else webinar.capacity - _taken(session, webinar.id)
    waiting = (
        select(Registration)
        .where(
            Registration.session_id == webinar.id,
            Registration.status == RegistrationStatus.WAITLISTED,
        )
        .order_by(Registration.registered_at, Registration.id)
    )
    if free is not None:
        if free <= 0:
            return
        waiting = waiting.limit(free)
    for registration in session.scalars(waiting):
        registration.status, registration.promoted_at = RegistrationStatus.REGISTERED, utcnow()
    session.flush()


def _open_for_registration(webinar: WebinarSession) -> None:
    if webinar.status is SessionStatus.CANCELLED:
        raise SessionCancelled()
    if webinar.ends_at <= utcnow():
        raise Conflict(N_("This session is over."))


def register(session: Session, actor: Actor, session_id: int) -> Registration:
    webinar, roles = _visible(session, actor, session_id, lock=True)
    require(policy.can_register_self(actor, roles))
    assert actor.user_id is not None
    _open_for_registration(webinar)
    if _place(session, webinar, actor.user_id, actor.user_id) == "already":
        raise AlreadyRegistered()
    return _registration(session, webinar.id, actor.user_id)


def _registration(session: Session, session_id: int, user_id: int) -> Registration:
    found = session.scalar(
        select(Registration).where(
            Registration.session_id == session_id, Registration.user_id == user_id
        )
    )
    assert found is not None
    return found


def cancel_registration(session: Session, actor: Actor, session_id: int) -> Registration:
    """Give up one's place; the first person waiting takes it."""
    webinar, _ = _visible(session, actor, session_id, lock=True)
    if actor.user_id is None:
        raise Forbidden()
    registration = session.scalar(
        select(Registration).where(
            Registration.session_id == webinar.id, Registration.user_id == actor.user_id
        )
    )
    if registration is None or registration.status is RegistrationStatus.CANCELLED:
        raise NotFound(N_("You are not registered for this session."))
    registration.status, registration.cancelled_at = RegistrationStatus.CANCELLED, utcnow()
    session.flush()
    _promote(session, webinar)
    return registration


def register_many(
    session: Session, actor: Actor, session_id: int, data: BulkRegistration
) -> BulkRegistrationResult:
    """A teacher registers a whole cohort or group; only the course's students are taken."""
    webinar, roles = _visible(session, actor, session_id, lock=True)
    require(policy.can_register_others(actor, roles))
    _open_for_registration(webinar)
    if data.cohort_id is not None:
        get_cohort(session, actor, data.cohort_id)
        members = select(CohortMember.user_id).where(CohortMember.cohort_id == data.cohort_id)
    else:
        group = session.get(Group, data.group_id)
        if group is None or group.course_id != webinar.course_id:
            raise Invalid(N_("No such group in this course."), field="group_id")
        members = select(GroupMember.user_id).where(GroupMember.group_id == group.id)
    people = list(session.scalars(members))
    students = list(
        session.scalars(
            select(Enrolment.user_id)
            .where(
                Enrolment.course_id == webinar.course_id,
                Enrolment.user_id.in_(people),
                Enrolment.role == CourseRole.STUDENT,
                Enrolment.status == EnrolmentStatus.ACTIVE,
            )
            .order_by(Enrolment.user_id)
        )
    )
    outcomes = [_place(session, webinar, uid, actor.user_id) for uid in students]
    return BulkRegistrationResult(
        registered=outcomes.count("registered"),
        waitlisted=outcomes.count("waitlisted"),
        already=outcomes.count("already"),
        skipped_not_students=len(set(people)) - len(students),
    )


def registrations(
    session: Session, actor: Actor, session_id: int
) -> list[tuple[Registration, User]]:
    webinar, roles = _visible(session, actor, session_id)
    require(policy.can_read_attendance(actor, roles), NotFound, N_("No such session."))
    return [
        (r, u)
        for r, u in session.execute(
            select(Registration, User)
            .join(User, User.id == Registration.user_id)
            .where(Registration.session_id == webinar.id)
            .order_by(Registration.status, Registration.registered_at)
        ).all()
    ]


# --- joining and attendance -----------------------------------------------------------------


def join(session: Session, actor: Actor, settings: Settings, session_id: int) -> JoinLinkResult:
    """The provider's link for this person, only for registered participants and hosts and
    only from shortly before the start; following it records the time in."""
    webinar, roles = _visible(session, actor, session_id)
    now = utcnow()
    registered = (
        actor.user_id is not None
        and session.scalar(
            select(Registration.id).where(
                Registration.session_id == webinar.id,
                Registration.user_id == actor.user_id,
                Registration.status == RegistrationStatus.REGISTERED,
            )
        )
        is not None
    )
    if not policy.may_join(
        actor, webinar, roles, registered, now, settings.webinar_join_window_minutes
    ):
        raise JoinNotOpen()
    assert actor.user_id is not None
    user = session.get_one(User, actor.user_id)
    moderator = policy.is_host(actor, webinar, roles)
    provider = providers.provider_for(settings, webinar.provider)
    room = providers.Room(webinar.room_name, webinar.title, webinar.duration_minutes)
    provider.prepare(room)
    if moderator and isinstance(provider, providers.BigBlueButtonClient):
        callback = f"{settings.base_url.rstrip('/')}/api/v1/webinars/bbb-events/"
        provider.register_hook(callback + providers.events_token(settings), room)
    url = provider.join_url(room, providers.Participant(user.id, user.display_name, moderator))
    if registered:
        session.add(
            AttendanceEvent(
                session_id=webinar.id, user_id=user.id, kind="join", at=now,
                source=AttendanceSource.LINK,
            )
        )  # fmt: skip
        session.flush()
        _recompute(session, webinar, user.id)
    return JoinLinkResult(url=url, provider=provider.name, moderator=moderator)


def end_meeting(session: Session, actor: Actor, settings: Settings, session_id: int) -> None:
    """Close the video room for everyone (BigBlueButton; a Jitsi room simply empties)."""
    webinar = _editable(session, actor, session_id)
    room = providers.Room(webinar.room_name, webinar.title)
    providers.provider_for(settings, webinar.provider).end(room)


def record_provider_events(
    session: Session, room_name: str, events: list[providers.ProviderEvent]
) -> int:
    """Join/leave events from the video service, matched to registered people; unknown
    rooms and people are ignored. Returns how many were recorded."""
    webinar = session.scalar(
        select(WebinarSession).where(WebinarSession.room_name == room_name).options(*WITH_DETAILS)
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
    recorded = 0
    for event in events:
        if event.user_id in enrolled and event.meeting_id == room_name:
            session.add(
                AttendanceEvent(
                    session_id=webinar.id, user_id=event.user_id, kind=event.kind, at=event.at,
                    source=AttendanceSource.PROVIDER,
                )
            )  # fmt: skip
            recorded += 1
    session.flush()
    for user_id in {e.user_id for e in events if e.user_id in enrolled}:
        assert user_id is not None
        _recompute(session, webinar, user_id)
    return recorded


def _minutes_in(sitting: Sitting, spans: list[tuple[datetime, datetime]]) -> int:
    total = timedelta(0)
    for start, end in spans:
        overlap = min(end, sitting.ends_at) - max(start, sitting.starts_at)
        total += max(overlap, timedelta(0))
    return int(total.total_seconds() // 60)


def _spans(events: Sequence[AttendanceEvent], until: datetime) -> list[tuple[datetime, datetime]]:
    """Join/leave pairs; a join without a leave lasts until the session ends."""
    spans, opened = [], None
    for event in events:
        if event.kind == "join" and opened is None:
            opened = _utc(event.at)
        elif event.kind == "leave" and opened is not None:
            spans.append((opened, _utc(event.at)))
            opened = None
    if opened is not None:
        spans.append((opened, until))
    return spans


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _recompute(session: Session, webinar: WebinarSession, user_id: int) -> None:
    """Attendance per sitting from the events, unless staff have set it by hand."""
    events = session.scalars(
        select(AttendanceEvent)
        .where(AttendanceEvent.session_id == webinar.id, AttendanceEvent.user_id == user_id)
        .order_by(AttendanceEvent.at, AttendanceEvent.id)
    ).all()
    if not events:
        return
    spans = _spans(events, _utc(webinar.ends_at))
    rows = _attendance_of(session, webinar.id, user_id)
    for sitting in webinar.sittings:
        minutes = _minutes_in(sitting, spans)
        first = min(
            (s for s, e in spans if e > sitting.starts_at and s < sitting.ends_at), default=None
        )
        row = rows.get(sitting.id)
        if row is not None and row.edited_by_id is not None:
            continue
        if minutes == 0 and row is None:
            continue
        if row is None:
            row = Attendance(session_id=webinar.id, sitting_id=sitting.id, user_id=user_id)
            session.add(row)
        late = first is not None and first > _utc(sitting.starts_at) + LATE_AFTER
        row.status = AttendanceStatus.LATE if late else AttendanceStatus.PRESENT
        row.minutes, row.first_joined_at = minutes, first
        row.source = events[-1].source
        row.updated_at = utcnow()
        rows[sitting.id] = row
    session.flush()
    _complete_module_if_counted(session, webinar, user_id, rows)


def counts(webinar: WebinarSession, sitting: Sitting, row: Attendance | None) -> bool:
    """Present or late, for at least the session's threshold share of the sitting."""
    if row is None or row.status not in (AttendanceStatus.PRESENT, AttendanceStatus.LATE):
        return False
    return row.minutes * 100 >= webinar.attendance_threshold * sitting.minutes


def _attendance_of(session: Session, session_id: int, user_id: int) -> dict[int, Attendance]:
    """One person's attendance in a session, by sitting."""
    return {
        a.sitting_id: a
        for a in session.scalars(
            select(Attendance).where(
                Attendance.session_id == session_id, Attendance.user_id == user_id
            )
        )
    }


def _complete_module_if_counted(
    session: Session, webinar: WebinarSession, user_id: int, rows: dict[int, Attendance]
) -> None:
    if not webinar.counts_for_completion or webinar.module_id is None:
        return
    if any(counts(webinar, s, rows.get(s.id)) for s in webinar.sittings):
        module = session.get_one(Module, webinar.module_id)
        complete_by_attendance(session, user_id, module)


def set_attendance(
    session: Session, actor: Actor, session_id: int, user_id: int, data: AttendanceUpdate
) -> list[tuple[Attendance, bool]]:
    """A teacher's register: present, late, absent or excused, with minutes; kept as set.
    Returns each changed row and whether it counts."""
    webinar, roles = _visible(session, actor, session_id)
    require(policy.can_take_attendance(actor, roles))
    enrolled = session.scalar(
        select(Enrolment.id).where(
            Enrolment.course_id == webinar.course_id, Enrolment.user_id == user_id
        )
    )
    if enrolled is None:
        raise Invalid(N_("This person is not enrolled in the course."), field="user_id")
    sittings = [s for s in webinar.sittings if data.sitting_id in (None, s.id)]
    if not sittings:
        raise Invalid(N_("No such day in this session."), field="sitting_id")
    rows = _attendance_of(session, webinar.id, user_id)
    changed = []
    for sitting in sittings:
        row = rows.setdefault(
            sitting.id, Attendance(session_id=webinar.id, sitting_id=sitting.id, user_id=user_id)
        )
        session.add(row)
        attended = data.status in (AttendanceStatus.PRESENT, AttendanceStatus.LATE)
        full = sitting.minutes if attended else 0
        row.status = data.status
        row.minutes = min(data.minutes if data.minutes is not None else full, sitting.minutes)
        row.source, row.edited_by_id, row.updated_at = (
            AttendanceSource.TEACHER,
            actor.user_id,
            utcnow(),
        )
        changed.append((row, counts(webinar, sitting, row)))
    session.flush()
    _complete_module_if_counted(session, webinar, user_id, rows)
    return changed


@dataclass(frozen=True)
class RegisterLine:
    user: User
    sitting: Sitting
    attendance: Attendance | None
    counts: bool


def attendance_register(session: Session, actor: Actor, session_id: int) -> list[RegisterLine]:
    """Every registered person (or, for a seminar without registration, every student) per
    sitting, with their attendance and whether it counts."""
    webinar, roles = _visible(session, actor, session_id)
    require(policy.can_read_attendance(actor, roles), NotFound, N_("No such session."))
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


def absentees(session: Session, actor: Actor, session_id: int) -> list[tuple[User, bool]]:
    """Whoever was expected and whose attendance does not count, with whether excused."""
    seen: dict[int, tuple[User, bool]] = {}
    for line in attendance_register(session, actor, session_id):
        if not line.counts:
            excused = line.attendance is not None and (
                line.attendance.status is AttendanceStatus.EXCUSED
            )
            seen.setdefault(line.user.id, (line.user, excused))
    return list(seen.values())


@dataclass(frozen=True)
class AttendedHours:
    programme: Programme
    hours: Decimal
    by_session: list[tuple[WebinarSession, Decimal]]

    @property
    def meets_requirement(self) -> bool | None:
        required = self.programme.attendance_hours_required
        return None if required is None else self.hours >= required


def attended_hours(
    session: Session, actor: Actor, user_id: int, programme_code: str
) -> AttendedHours:
    """Hours a student attended (counting attendance only) in a programme's courses."""
    require(policy.can_read_hours(actor, user_id), NotFound, N_("No such user."))
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
    by_session = []
    for webinar in found:
        minutes = sum(
            rows[s.id].minutes for s in webinar.sittings if counts(webinar, s, rows.get(s.id))
        )
        if minutes:
            by_session.append((webinar, (Decimal(minutes) / 60).quantize(Decimal("0.01"))))
    total = sum((hours for _, hours in by_session), Decimal(0))
    return AttendedHours(programme, total, by_session)


def my_attendance(session: Session, actor: Actor) -> list[AttendedHours]:
    """The signed-in person's hours in each programme they follow that counts attendance
    (enrolled in the programme, or a student of one of its courses)."""
    if actor.user_id is None:
        raise Forbidden()
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


# --- materials and recordings ---------------------------------------------------------------


def _store(settings: Settings, stream: IO[bytes], name: str) -> tuple[str, StoredFile]:
    file_name = safe_file_name(name)
    return file_name, storage_for(settings).save(stream, file_name, settings.max_upload_bytes)


def add_material(
    session: Session, actor: Actor, settings: Settings, session_id: int, stream: IO[bytes],
    name: str,
) -> Material:  # fmt: skip
    """A file for the session (slides, reading), kept in the course content storage."""
    webinar = _editable(session, actor, session_id)
    file_name, stored = _store(settings, stream, name)
    material = session.scalar(
        select(Material).where(Material.session_id == webinar.id, Material.name == file_name)
    ) or Material(session_id=webinar.id, name=file_name)
    material.sha256, material.size, material.media_type = (
        stored.sha256,
        stored.size,
        stored.media_type,
    )
    session.add(material)
    session.flush()
    return material


def add_recording_link(
    session: Session, actor: Actor, session_id: int, url: str, title: str
) -> Recording:
    webinar = _editable(session, actor, session_id)
    recording = Recording(session_id=webinar.id, url=url, title=title, created_by_id=actor.user_id)
    session.add(recording)
    session.flush()
    return recording


def add_recording_file(
    session: Session, actor: Actor, settings: Settings, session_id: int, stream: IO[bytes],
    name: str, title: str = "",
) -> Recording:  # fmt: skip
    webinar = _editable(session, actor, session_id)
    file_name, stored = _store(settings, stream, name)
    recording = Recording(
        session_id=webinar.id, title=title or file_name, name=file_name, sha256=stored.sha256,
        size=stored.size, media_type=stored.media_type, created_by_id=actor.user_id,
    )  # fmt: skip
    session.add(recording)
    session.flush()
    return recording


def fetch_provider_recordings(
    session: Session, actor: Actor, settings: Settings, session_id: int
) -> list[Recording]:
    """Ask the video service for this session's recordings and attach new ones."""
    webinar = _editable(session, actor, session_id)
    provider = providers.provider_for(settings, webinar.provider)
    known = {r.provider_record_id for r in webinar.recordings}
    added = []
    room = providers.Room(webinar.room_name, webinar.title)
    for found in provider.recordings(room):
        if found.record_id not in known:
            recording = Recording(
                session_id=webinar.id, url=found.url, provider_record_id=found.record_id,
                title=webinar.title, created_by_id=actor.user_id,
            )  # fmt: skip
            session.add(recording)
            added.append(recording)
    session.flush()
    return added


def stored_file(
    session: Session, actor: Actor, session_id: int, kind: str, file_id: int
) -> tuple[str, str, int, str]:
    """(name, sha256, size, media type) of a material or an uploaded recording, for the
    course's participants."""
    webinar, _ = _visible(session, actor, session_id)
    found: Material | Recording | None = (
        session.get(Material, file_id) if kind == "materials" else session.get(Recording, file_id)
    )
    if found is None or found.session_id != webinar.id or not found.sha256 or not found.name:
        raise NotFound(N_("No such file."))
    media_type = found.media_type or "application/octet-stream"
    return found.name, found.sha256, found.size or 0, media_type
