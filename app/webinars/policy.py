"""Who may see, schedule, register for, join and take attendance at sessions. The only place
these rules live; services ask them with the actor's roles in the session's course."""

from datetime import datetime, timedelta

from app.core.actors import Actor, Scope
from app.membership.models import CourseRole
from app.webinars.models import CalendarFeed, Delivery, SessionStatus, WebinarSession

STAFF = frozenset({CourseRole.TEACHER, CourseRole.TUTOR, CourseRole.OBSERVER})
ATTENDANCE_TAKERS = frozenset({CourseRole.TEACHER, CourseRole.TUTOR})


def can_view_sessions(actor: Actor, roles: frozenset[CourseRole]) -> bool:
    """The course's participants and staff, managers, and partner systems with the scope."""
    if not actor.has_scope(Scope.WEBINARS_READ):
        return False
    if actor.api_client_id is not None:
        return True
    return actor.is_manager or bool(roles)


def can_see_timetable(actor: Actor, roles: frozenset[CourseRole]) -> bool:
    """The session a webinar module stands for (its place, days, hours and page) shows to those
    who may see the course's sessions; any reader of the module learns only whether it is a
    seminar or a webinar."""
    return can_view_sessions(actor, roles)


def can_see_sessions_ahead(roles: frozenset[CourseRole]) -> bool:
    """The course page lists the sessions ahead to the course's participants only."""
    return bool(roles)


def can_schedule(actor: Actor, roles: frozenset[CourseRole]) -> bool:
    """Teachers of the course and managers schedule, edit, cancel and attach recordings."""
    if not actor.has_scope(Scope.WEBINARS_WRITE) or actor.api_client_id is not None:
        return False
    return actor.is_manager or CourseRole.TEACHER in roles


def can_register_self(actor: Actor, roles: frozenset[CourseRole]) -> bool:
    return (
        actor.user_id is not None
        and actor.has_scope(Scope.WEBINARS_WRITE)
        and CourseRole.STUDENT in roles
    )


def can_register_others(actor: Actor, roles: frozenset[CourseRole]) -> bool:
    """Teachers register a whole cohort or group; managers too."""
    return can_schedule(actor, roles)


def can_take_attendance(actor: Actor, roles: frozenset[CourseRole]) -> bool:
    if not actor.has_scope(Scope.WEBINARS_WRITE) or actor.api_client_id is not None:
        return False
    return actor.is_manager or bool(roles & ATTENDANCE_TAKERS)


def can_read_attendance(actor: Actor, roles: frozenset[CourseRole]) -> bool:
    """Registers and absentee lists: staff of the course, managers, partner systems."""
    if not actor.has_scope(Scope.WEBINARS_READ):
        return False
    return actor.is_manager or bool(roles & STAFF) or actor.api_client_id is not None


def can_read_hours(actor: Actor, user_id: int) -> bool:
    """A person's own attended hours; managers and partner systems read those of the people
    within their reach (`membership.service.require_person_reach`)."""
    if not actor.has_scope(Scope.WEBINARS_READ):
        return False
    return actor.user_id == user_id or actor.is_manager or actor.api_client_id is not None


def is_host(actor: Actor, webinar: WebinarSession, roles: frozenset[CourseRole]) -> bool:
    """Hosts join as moderators: the named hosts and the course's teachers."""
    named = actor.user_id is not None and any(h.user_id == actor.user_id for h in webinar.hosts)
    return named or CourseRole.TEACHER in roles


def join_window_open(webinar: WebinarSession, now: datetime, window_minutes: int) -> bool:
    """From shortly before the start until the end; never for a cancelled or in-person one."""
    if webinar.status is SessionStatus.CANCELLED or webinar.delivery is Delivery.IN_PERSON:
        return False
    return webinar.starts_at - timedelta(minutes=window_minutes) <= now <= webinar.ends_at


def may_join(
    actor: Actor,
    webinar: WebinarSession,
    roles: frozenset[CourseRole],
    registered: bool,
    now: datetime,
    window_minutes: int,
) -> bool:
    """Registered participants and hosts, and only while the window is open."""
    if actor.user_id is None or not join_window_open(webinar, now, window_minutes):
        return False
    return registered or is_host(actor, webinar, roles) or CourseRole.TUTOR in roles


def has_own_place(actor: Actor) -> bool:
    """Registrations, attended hours and calendar feeds of one's own need a person."""
    return actor.user_id is not None


def owns_feed(actor: Actor, feed: CalendarFeed) -> bool:
    """Only its owner lists or revokes a calendar feed."""
    return actor.user_id is not None and feed.user_id == actor.user_id
