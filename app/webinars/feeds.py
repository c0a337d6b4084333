"""Calendar feeds: a secret URL per person (revocable; only the token's digest is kept) and
a feed per course, one event per sitting, carrying updates and cancellations."""

import base64
import hashlib
import hmac
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


def _derived_token(feed: CalendarFeed, key: str) -> str:
    """The feed's token, computed again from the server's secret and the feed's identity:
    nobody without SECRET_KEY can compute it (and whoever has that key could sign in as
    anyone anyway), and the database still holds only its digest."""
    mac = hmac.new(key.encode(), f"agora-calendar-feed:{feed.id}:{feed.user_id}".encode(), "sha256")
    return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()


def create_feed(session: Session, actor: Actor, key: str | None = None) -> tuple[CalendarFeed, str]:
    """A new secret feed URL token for the actor. With `key` (the signing key) the token can
    be shown again later (`my_feed_tokens`); without it, it is random and shown once."""
    require(policy.has_own_place(actor))
    assert actor.user_id is not None
    # A placeholder digest that matches no token anyone holds, until the id is known.
    feed = CalendarFeed(user_id=actor.user_id, token_digest=_digest(secrets.token_urlsafe(32)))
    session.add(feed)
    session.flush()
    token = _derived_token(feed, key) if key is not None else secrets.token_urlsafe(32)
    feed.token_digest = _digest(token)
    session.flush()
    return feed, token


def my_feeds(session: Session, actor: Actor) -> Sequence[CalendarFeed]:
    require(policy.has_own_place(actor))
    return session.scalars(
        select(CalendarFeed).where(CalendarFeed.user_id == actor.user_id).order_by(CalendarFeed.id)
    ).all()


def my_feed_tokens(
    session: Session, actor: Actor, key: str
) -> list[tuple[CalendarFeed, str | None]]:
    """The actor's feeds, each active one with its token where it can be computed again (it
    cannot for a feed made before the signing key changed, nor for a random token)."""
    found = []
    for feed in my_feeds(session, actor):
        token = _derived_token(feed, key) if feed.revoked_at is None else None
        found.append((feed, token if token and _digest(token) == feed.token_digest else None))
    return found


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
