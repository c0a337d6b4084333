"""Reading webinars: loading one with what a page needs, who may see it, and the views a
reader gets (counts of places taken and waiting, their own registration)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from app.core.actors import Actor, require
from app.core.db import utcnow
from app.core.errors import Conflict, NotFound
from app.core.i18n import N_
from app.courses.models import Course
from app.courses.service.agenda import DateAhead
from app.membership.models import CourseRole, Enrolment, EnrolmentStatus
from app.membership.service import course_roles
from app.webinars import policy
from app.webinars.models import Registration, RegistrationStatus, SessionStatus, WebinarSession


# Made on first use: making a loader option configures every mapper, work for the first query.
@cache
def with_details() -> tuple[LoaderOption, ...]:
    return (
        selectinload(WebinarSession.sittings),
        selectinload(WebinarSession.hosts),
        selectinload(WebinarSession.speakers),
        selectinload(WebinarSession.materials),
        selectinload(WebinarSession.recordings),
    )


class WebinarCancelled(Conflict):
    code = "session_cancelled"
    title = N_("This session is cancelled.")


@dataclass(frozen=True)
class WebinarAccess:
    """A webinar and the reader's roles in its course."""

    webinar: WebinarSession
    roles: frozenset[CourseRole]


@dataclass(frozen=True)
class WebinarView:
    """A webinar with what the reader may know about it."""

    webinar: WebinarSession
    roles: frozenset[CourseRole]
    registered: int
    waitlisted: int
    mine: RegistrationStatus | None


def load_webinar(session: Session, webinar_id: int, *, lock: bool = False) -> WebinarSession:
    """With its days, hosts, speakers, materials and recordings; `lock` takes the row lock
    that serialises changes to its places."""
    stmt = select(WebinarSession).where(WebinarSession.id == webinar_id).options(*with_details())
    found = session.scalar(stmt.with_for_update(of=WebinarSession) if lock else stmt)
    if found is None:
        raise NotFound(N_("No such session."))
    return found


def visible_webinar(
    session: Session, actor: Actor, webinar_id: int, *, lock: bool = False
) -> WebinarAccess:
    webinar = load_webinar(session, webinar_id, lock=lock)
    roles = course_roles(session, actor, webinar.course_id)
    require(policy.can_view_sessions(actor, roles), NotFound, N_("No such session."))
    return WebinarAccess(webinar, roles)


def editable_webinar(
    session: Session, actor: Actor, webinar_id: int, *, lock: bool = False
) -> WebinarSession:
    access = visible_webinar(session, actor, webinar_id, lock=lock)
    require(policy.can_schedule(actor, access.roles))
    return access.webinar


def _place_counts(
    session: Session, webinar_ids: list[int]
) -> dict[tuple[int, RegistrationStatus], int]:
    rows = session.execute(
        select(Registration.session_id, Registration.status, func.count())
        .where(Registration.session_id.in_(webinar_ids))
        .group_by(Registration.session_id, Registration.status)
    ).all()
    return {(webinar_id, RegistrationStatus(status)): n for webinar_id, status, n in rows}


def _own_registrations(
    session: Session, user_id: int | None, webinar_ids: list[int]
) -> dict[int, RegistrationStatus]:
    if user_id is None:
        return {}
    rows = session.execute(
        select(Registration.session_id, Registration.status).where(
            Registration.user_id == user_id, Registration.session_id.in_(webinar_ids)
        )
    ).all()
    return {webinar_id: RegistrationStatus(status) for webinar_id, status in rows}


def views_of(
    session: Session, actor: Actor, found: Sequence[WebinarSession], roles: frozenset[CourseRole]
) -> list[WebinarView]:
    """Views of webinars of one course, in a fixed number of queries whatever their number."""
    ids = [w.id for w in found]
    counts = _place_counts(session, ids)
    mine = _own_registrations(session, actor.user_id, ids)
    return [
        WebinarView(
            w,
            roles,
            counts.get((w.id, RegistrationStatus.REGISTERED), 0),
            counts.get((w.id, RegistrationStatus.WAITLISTED), 0),
            mine.get(w.id),
        )
        for w in found
    ]


def get_webinar(session: Session, actor: Actor, webinar_id: int) -> WebinarView:
    access = visible_webinar(session, actor, webinar_id)
    return views_of(session, actor, [access.webinar], access.roles)[0]


def reread(session: Session, actor: Actor, webinars: Sequence[WebinarSession]) -> list[WebinarView]:
    """Fresh views of webinars just written (all of one course), in a fixed number of
    queries: what the API answers after creating a series."""
    if not webinars:
        return []
    course_id = webinars[0].course_id
    roles = course_roles(session, actor, course_id)
    require(policy.can_view_sessions(actor, roles), NotFound, N_("No such session."))
    found = session.scalars(
        select(WebinarSession)
        .where(WebinarSession.id.in_([w.id for w in webinars]))
        .options(*with_details())
        .order_by(WebinarSession.starts_at)
        .execution_options(populate_existing=True)
    ).all()
    return views_of(session, actor, found, roles)


def course_webinars(
    session: Session, actor: Actor, course_id: int, *, upcoming_only: bool = False
) -> list[WebinarView]:
    """A course's webinars in time order (fixed number of queries whatever their number)."""
    roles = course_roles(session, actor, course_id)
    require(policy.can_view_sessions(actor, roles), NotFound, N_("No such course."))
    stmt = (
        select(WebinarSession)
        .where(WebinarSession.course_id == course_id)
        .options(*with_details())
        .order_by(WebinarSession.starts_at)
    )
    if upcoming_only:
        stmt = stmt.where(WebinarSession.ends_at >= utcnow())
    return views_of(session, actor, session.scalars(stmt).all(), roles)


@dataclass(frozen=True)
class CourseAgenda:
    """A course's webinars split at now, for its sessions page."""

    upcoming: list[WebinarView]
    past: list[WebinarView]


def course_agenda(session: Session, actor: Actor, course_id: int) -> CourseAgenda:
    views = course_webinars(session, actor, course_id)
    now = utcnow()
    return CourseAgenda(
        upcoming=[v for v in views if v.webinar.ends_at >= now],
        past=[v for v in views if v.webinar.ends_at < now],
    )


@dataclass(frozen=True)
class SessionAhead:
    id: int
    title: str
    starts_at: datetime


def upcoming_in_course(
    session: Session, roles: frozenset[CourseRole], course_id: int, limit: int = 3
) -> list[SessionAhead]:
    """The next scheduled webinars of a course, for its page: shown to its participants."""
    if not policy.can_see_sessions_ahead(roles):
        return []
    rows = session.execute(
        select(WebinarSession.id, WebinarSession.title, WebinarSession.starts_at)
        .where(
            WebinarSession.course_id == course_id,
            WebinarSession.status == SessionStatus.SCHEDULED,
            WebinarSession.ends_at >= utcnow(),
        )
        .order_by(WebinarSession.starts_at)
        .limit(limit)
    )
    return [SessionAhead(*row) for row in rows]


def dates_ahead(
    session: Session, user_id: int, horizon: timedelta = timedelta(days=45)
) -> list[DateAhead]:
    """The dashboard's entries for the scheduled webinars ahead in the courses a person is
    actively enrolled in (columns, not whole rows: a dashboard lists dozens)."""
    now = utcnow()
    rows = session.execute(
        select(
            WebinarSession.starts_at,
            Course.code,
            Course.title,
            WebinarSession.kind,
            WebinarSession.title,
            WebinarSession.id,
        )
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
    )
    return [
        DateAhead(at, code, course_title, kind.value, title, url=f"/sessions/{webinar_id}")
        for at, code, course_title, kind, title, webinar_id in rows
    ]


def end_transaction_before_network(session: Session) -> None:
    """Commit what the request holds so far (reads and checks; nothing of the service's own
    is written yet), so that no write lock — SQLite's lock on the whole database, taken at
    the first statement of a POST, or PostgreSQL's row locks — is held while the video
    service answers, which may take up to its 10 s timeout. The writes that follow the call
    begin a new, short transaction."""
    # A savepoint (a page's form attempt) cannot outlive the commit: call this outside one.
    assert not session.in_nested_transaction(), "video service called inside a savepoint"
    session.commit()
