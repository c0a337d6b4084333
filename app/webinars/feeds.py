"""Calendar feeds: a secret URL per person (revocable; only the token's digest is kept) and
a feed per course, one event per sitting, carrying updates and cancellations."""

import hashlib
import secrets
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.core.actors import Actor, require
from app.core.db import utcnow
from app.core.errors import NotFound
from app.core.i18n import N_
from app.membership.models import Enrolment, EnrolmentStatus
from app.webinars import policy
from app.webinars.calendar import CalendarEntry, build_calendar
from app.webinars.models import CalendarFeed, SessionStatus, WebinarSession
from app.webinars.service.access import course_webinars


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_feed(session: Session, actor: Actor) -> tuple[CalendarFeed, str]:
    """A new secret feed URL token for the actor; shown once."""
    require(policy.has_own_place(actor))
    assert actor.user_id is not None
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed(user_id=actor.user_id, token_digest=_digest(token))
    session.add(feed)
    session.flush()
    return feed, token


def my_feeds(session: Session, actor: Actor) -> Sequence[CalendarFeed]:
    require(policy.has_own_place(actor))
    return session.scalars(
        select(CalendarFeed).where(CalendarFeed.user_id == actor.user_id).order_by(CalendarFeed.id)
    ).all()


def revoke_feed(session: Session, actor: Actor, feed_id: int) -> CalendarFeed:
    feed = session.get(CalendarFeed, feed_id)
    if feed is None or not policy.owns_feed(actor, feed):
        raise NotFound(N_("No such calendar feed."))
    if feed.revoked_at is None:
        feed.revoked_at = utcnow()
    return feed


def _entries(found: Sequence[WebinarSession], base_url: str) -> list[CalendarEntry]:
    return [
        CalendarEntry(
            uid=f"agora-session-{webinar.id}-{sitting.id}",
            title=webinar.title if len(webinar.sittings) == 1 else f"{webinar.title} ({day})",
            description=webinar.description,
            starts_at=sitting.starts_at,
            ends_at=sitting.ends_at,
            time_zone=webinar.time_zone,
            sequence=webinar.sequence,
            cancelled=webinar.status is SessionStatus.CANCELLED,
            updated_at=webinar.updated_at,
            url=f"{base_url}/sessions/{webinar.id}",
            location=webinar.location,
        )
        for webinar in found
        for day, sitting in enumerate(webinar.sittings, 1)
    ]


def user_feed(session: Session, token: str, base_url: str) -> bytes:
    """The sessions of every course the feed's owner is actively enrolled in."""
    feed = session.scalar(select(CalendarFeed).where(CalendarFeed.token_digest == _digest(token)))
    if feed is None or feed.revoked_at is not None:
        raise NotFound(N_("No such calendar feed."))
    courses = select(Enrolment.course_id).where(
        Enrolment.user_id == feed.user_id, Enrolment.status == EnrolmentStatus.ACTIVE
    )
    found = session.scalars(
        select(WebinarSession)
        .where(WebinarSession.course_id.in_(courses))
        .options(selectinload(WebinarSession.sittings))
        .order_by(WebinarSession.starts_at)
    ).all()
    return build_calendar("Agora", _entries(found, base_url))


def course_feed(session: Session, actor: Actor, course_id: int, base_url: str) -> bytes:
    views = course_webinars(session, actor, course_id)
    return build_calendar("Agora", _entries([v.webinar for v in views], base_url))
