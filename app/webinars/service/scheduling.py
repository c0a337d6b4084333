"""Scheduling: single webinars, multi-day seminars, weekly series that keep their local time,
changes (which raise the calendar SEQUENCE) and cancellation."""

import secrets
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.core.actors import Actor, require
from app.core.config import Settings
from app.core.db import Base, utcnow
from app.core.errors import Invalid, NotFound
from app.core.events import publish
from app.core.i18n import N_
from app.courses.models import Course, Module
from app.membership.models import CourseRole, Enrolment
from app.membership.service import course_roles
from app.webinars import policy, providers
from app.webinars.events import SessionCancelled
from app.webinars.models import (
    Delivery,
    SessionHost,
    SessionStatus,
    Sitting,
    Speaker,
    WebinarSession,
)
from app.webinars.schemas import SeriesCreate, SessionCreate, SessionUpdate, SittingIn
from app.webinars.service import notices
from app.webinars.service.access import (
    WebinarCancelled,
    editable_webinar,
    load_webinar,
    with_details,
)
from app.webinars.service.bulk import column_values, insert_all
from app.webinars.service.registration import promote_waiting
from app.webinars.timezones import Occurrence, local_span, organiser_zone, to_utc, weekly

NO_PROVIDER = "none"  # in person: no video room


def _span(starts_at: datetime, ends_at: datetime, zone_name: str) -> Occurrence:
    """A time with an offset is an instant; without one, the organiser's wall-clock time.
    A session must end after it starts."""
    if starts_at.tzinfo is None and ends_at.tzinfo is None:
        span = local_span(starts_at, ends_at, zone_name)
    else:
        span = Occurrence(_instant(starts_at, zone_name), _instant(ends_at, zone_name))
    if span.ends_at <= span.starts_at:
        raise Invalid(N_("A session must end after it starts."), field="ends_at")
    return span


def _instant(moment: datetime, zone_name: str) -> datetime:
    if moment.tzinfo is None:
        return to_utc(moment, zone_name)
    return moment.astimezone(UTC)


def _sittings(data: SessionCreate) -> list[Sitting]:
    if data.days:
        days = data.days
    else:
        assert data.starts_at is not None  # the schema says so
        assert data.ends_at is not None
        days = [SittingIn(starts_at=data.starts_at, ends_at=data.ends_at)]
    sittings = []
    for day in days:
        span = _span(day.starts_at, day.ends_at, data.time_zone)
        sittings.append(Sitting(starts_at=span.starts_at, ends_at=span.ends_at, title=day.title))
    return sorted(sittings, key=lambda s: s.starts_at)


def _check_module(session: Session, course_id: int, module_id: int | None) -> None:
    if module_id is None:
        return
    found = session.scalar(
        select(Module.id).where(Module.id == module_id, Module.course_id == course_id)
    )
    if found is None:
        raise Invalid(N_("This module is not in the session's course."), field="module_id")


def _check_hosts(session: Session, course_id: int, user_ids: list[int]) -> None:
    if not user_ids:
        return
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


def _new_webinar(
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
        provider=settings.webinar_provider if online else NO_PROVIDER,
        room_name=providers.new_room_name(),
        attendance_threshold=data.attendance_threshold,
        counts_for_completion=data.counts_for_completion,
        created_by_id=actor.user_id,
        sittings=sittings,
        hosts=[SessionHost(user_id=uid) for uid in dict.fromkeys(data.host_user_ids)],
        speakers=[Speaker(position=i, **s.model_dump()) for i, s in enumerate(data.speakers)],
    )


def require_scheduler(actor: Actor, roles: frozenset[CourseRole]) -> None:
    """Only teachers of the course and managers see the scheduling form or schedule."""
    require(policy.can_schedule(actor, roles))


def _may_schedule(session: Session, actor: Actor, course_id: int, data: SessionCreate) -> None:
    if session.get(Course, course_id) is None:
        raise NotFound(N_("No such course."))
    require_scheduler(actor, course_roles(session, actor, course_id))
    _check_module(session, course_id, data.module_id)
    _check_hosts(session, course_id, data.host_user_ids)


def schedule(
    session: Session, actor: Actor, settings: Settings, course_id: int, data: SessionCreate
) -> WebinarSession:
    """A webinar, or a seminar with a timetable of days, in a course the actor teaches."""
    _may_schedule(session, actor, course_id, data)
    webinar = _new_webinar(settings, actor, course_id, data, None)
    session.add(webinar)
    session.flush()
    return load_webinar(session, webinar.id)


def schedule_series(
    session: Session, actor: Actor, settings: Settings, course_id: int, data: SeriesCreate
) -> list[WebinarSession]:
    """A webinar every `every_weeks` weeks at the same wall-clock time in the organiser's
    zone, whatever daylight saving does there in between; a fixed number of queries."""
    if data.days or data.starts_at is None or data.ends_at is None:
        raise Invalid(N_("A series repeats one start and end time."), field="days")
    _may_schedule(session, actor, course_id, data)
    first = _span(data.starts_at, data.ends_at, data.time_zone)
    # The wall-clock time asked for, even when it falls in a gap on the first day.
    local_start = data.starts_at
    if local_start.tzinfo is not None:
        local_start = first.starts_at.astimezone(organiser_zone(data.time_zone))
        local_start = local_start.replace(tzinfo=None)
    series_id = secrets.token_hex(8)
    created = [
        _new_webinar(
            settings, actor, course_id,
            data.model_copy(update={"starts_at": one.starts_at, "ends_at": one.ends_at}),
            series_id,
        )
        for one in weekly(
            local_start.date(), local_start.time(), _wall_duration(data, first),
            data.time_zone, data.count, data.every_weeks,
        )
    ]  # fmt: skip
    return _insert_series(session, created)


def _insert_series(session: Session, planned: list[WebinarSession]) -> list[WebinarSession]:
    """One INSERT per table for the whole series; the new ids are matched back by the
    (unique) room names."""
    inserted = session.execute(
        insert(WebinarSession).returning(WebinarSession.room_name, WebinarSession.id),
        [column_values(w) for w in planned],
    )
    ids: dict[str, int] = {room: webinar_id for room, webinar_id in inserted}  # noqa: C416

    def rows(children: Callable[[WebinarSession], Sequence[Base]]) -> list[dict[str, Any]]:
        return [column_values(c, session_id=ids[w.room_name]) for w in planned for c in children(w)]

    insert_all(session, Sitting, rows(lambda w: w.sittings))
    insert_all(session, SessionHost, rows(lambda w: w.hosts))
    insert_all(session, Speaker, rows(lambda w: w.speakers))
    return list(
        session.scalars(
            select(WebinarSession)
            .where(WebinarSession.id.in_(ids.values()))
            .options(*with_details())
            .order_by(WebinarSession.starts_at)
        )
    )


def _wall_duration(data: SeriesCreate, first: Occurrence) -> timedelta:
    """How long each occurrence lasts on the organiser's clock."""
    assert data.starts_at is not None
    assert data.ends_at is not None
    if data.starts_at.tzinfo is None and data.ends_at.tzinfo is None:
        return data.ends_at - data.starts_at
    return first.ends_at - first.starts_at


def schedule_one_or_series(
    session: Session, actor: Actor, settings: Settings, course_id: int, data: SeriesCreate
) -> list[WebinarSession]:
    """The scheduling form's rule: a count above one makes a weekly series, else one webinar."""
    if data.count > 1:
        return schedule_series(session, actor, settings, course_id, data)
    single = SessionCreate.model_validate(data.model_dump(exclude={"count", "every_weeks"}))
    return [schedule(session, actor, settings, course_id, single)]


def _move(webinar: WebinarSession, starts_at: datetime, ends_at: datetime) -> None:
    """Every day moves by the start's shift (a seminar moves as a whole); the last day ends
    at the new end."""
    shift = starts_at - webinar.starts_at
    if ends_at <= webinar.sittings[-1].starts_at + shift:
        raise Invalid(N_("A session must end after it starts."), field="ends_at")
    for sitting in webinar.sittings:
        sitting.starts_at, sitting.ends_at = sitting.starts_at + shift, sitting.ends_at + shift
    webinar.sittings[-1].ends_at = ends_at
    webinar.starts_at, webinar.ends_at = starts_at, ends_at


def _new_times(webinar: WebinarSession, data: SessionUpdate, zone: str) -> Occurrence:
    if data.starts_at is not None and data.ends_at is not None:
        return _span(data.starts_at, data.ends_at, zone)
    starts = _instant(data.starts_at, zone) if data.starts_at else webinar.starts_at
    ends = _instant(data.ends_at, zone) if data.ends_at else webinar.ends_at
    if ends <= starts:
        raise Invalid(N_("A session must end after it starts."), field="ends_at")
    return Occurrence(starts, ends)


# What registered people are told of when it changes: what their calendar shows.
TOLD_OF = frozenset({"title", "starts_at", "ends_at", "time_zone", "location"})


def update_webinar(
    session: Session, actor: Actor, webinar_id: int, data: SessionUpdate
) -> WebinarSession:
    """Changes a calendar must show (title, time, place) raise the iCalendar SEQUENCE. Holds
    the row lock, since a larger capacity promotes people from the waiting list."""
    webinar = editable_webinar(session, actor, webinar_id, lock=True)
    if webinar.status is SessionStatus.CANCELLED:
        raise WebinarCancelled()
    changes = data.model_dump(exclude_unset=True)
    zone = changes.get("time_zone") or webinar.time_zone
    if {"starts_at", "ends_at", "time_zone"} & changes.keys():
        times = _new_times(webinar, data, zone)
        _move(webinar, times.starts_at, times.ends_at)
        webinar.time_zone = zone
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
        promote_waiting(session, webinar)
    webinar.sequence += 1
    webinar.updated_at = utcnow()
    session.flush()
    if TOLD_OF & changes.keys():
        notices.tell_registered(session, webinar, cancelled=False)
    return webinar


def cancel_webinar(session: Session, actor: Actor, webinar_id: int) -> WebinarSession:
    webinar = editable_webinar(session, actor, webinar_id)
    if webinar.status is not SessionStatus.CANCELLED:
        webinar.status = SessionStatus.CANCELLED
        webinar.cancelled_at = webinar.updated_at = utcnow()
        webinar.sequence += 1
        publish(session, SessionCancelled(webinar.id, webinar.course_id))
        notices.tell_registered(session, webinar, cancelled=True)
    return webinar
