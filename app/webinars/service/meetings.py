"""The video meeting of a webinar: the join link (and the time in it records), ending the
meeting, and the events bbb-webhooks posts back. Calls to the video service are made
outside any write transaction: read and check first, commit, call, then write briefly."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.actors import Actor
from app.core.config import Settings
from app.core.db import utcnow
from app.core.errors import Forbidden, NotFound
from app.core.i18n import N_
from app.webinars import policy, providers
from app.webinars.models import (
    AttendanceEvent,
    AttendanceSource,
    Registration,
    RegistrationStatus,
    WebinarSession,
)
from app.webinars.service.access import (
    editable_webinar,
    end_transaction_before_network,
    visible_webinar,
    with_details,
)
from app.webinars.service.attendance import recompute, record_provider_events

BIGBLUEBUTTON = "bigbluebutton"
# bbb-webhooks signs with the algorithm it is configured with; the digest length tells which.
CHECKSUM_ALGORITHMS = {40: "sha1", 64: "sha256", 96: "sha384", 128: "sha512"}


class JoinNotOpen(Forbidden):
    code = "join_not_open"
    title = N_("The join link opens shortly before the start, for registered participants.")


class UnknownEventsToken(NotFound):
    code = "unknown_events_token"
    title = N_("No meeting has this events address.")


class WebhookChecksumInvalid(Forbidden):
    code = "webhook_checksum_invalid"
    title = N_("The call is not signed with the video service's shared secret.")


@dataclass(frozen=True)
class MeetingLink:
    url: str
    provider: str
    moderator: bool


@dataclass(frozen=True)
class JoinPlan:
    """What joining needs, read and checked before the video service is called."""

    webinar: WebinarSession
    room: providers.Room
    participant: providers.Participant
    registered: bool
    needs_hook: bool
    at: datetime


def _is_registered(session: Session, webinar_id: int, user_id: int) -> bool:
    found = session.scalar(
        select(Registration.id).where(
            Registration.session_id == webinar_id,
            Registration.user_id == user_id,
            Registration.status == RegistrationStatus.REGISTERED,
        )
    )
    return found is not None


def _plan(
    session: Session, actor: Actor, settings: Settings, webinar_id: int, now: datetime
) -> JoinPlan:
    access = visible_webinar(session, actor, webinar_id)
    webinar = access.webinar
    registered = actor.user_id is not None and _is_registered(session, webinar.id, actor.user_id)
    window = settings.webinar_join_window_minutes
    if not policy.may_join(actor, webinar, access.roles, registered, now, window):
        raise JoinNotOpen()
    assert actor.user_id is not None
    user = session.get_one(User, actor.user_id)
    moderator = policy.is_host(actor, webinar, access.roles)
    return JoinPlan(
        webinar=webinar,
        room=providers.Room(webinar.room_name, webinar.title, webinar.duration_minutes),
        participant=providers.Participant(user.id, user.display_name, moderator),
        registered=registered,
        # bbb-webhooks keeps a hook until it is removed: one per meeting, at the first host.
        needs_hook=moderator
        and webinar.provider == BIGBLUEBUTTON
        and webinar.events_token_digest is None,
        at=now,
    )


def plan_join(session: Session, actor: Actor, settings: Settings, webinar_id: int) -> JoinPlan:
    """Check that this person may join now and read what joining needs; writes nothing, so
    a page may run it inside a form attempt and call `enter_room` after."""
    return _plan(session, actor, settings, webinar_id, utcnow())


def enter_room(session: Session, settings: Settings, plan: JoinPlan) -> MeetingLink:
    """Prepare the room and make the link, with no write transaction open while the video
    service answers, then record the time in (and the meeting's events token)."""
    end_transaction_before_network(session)
    provider = providers.provider_for(settings, plan.webinar.provider)
    provider.prepare(plan.room)
    token = None
    if plan.needs_hook and isinstance(provider, providers.BigBlueButtonClient):
        token = new_events_token()
        if not provider.register_hook(providers.events_callback_url(settings, token), plan.room):
            token = None
    url = provider.join_url(plan.room, plan.participant)
    if token is not None:
        _keep_events_token(session, plan.webinar.id, token)
    if plan.registered:
        _record_time_in(session, plan.webinar, plan.participant.user_id, plan.at)
    return MeetingLink(url=url, provider=provider.name, moderator=plan.participant.moderator)


def join(session: Session, actor: Actor, settings: Settings, webinar_id: int) -> MeetingLink:
    """The provider's link for this person, only for registered participants and hosts and
    only from shortly before the start; following it records the time in."""
    return enter_room(session, settings, plan_join(session, actor, settings, webinar_id))


def _record_time_in(session: Session, webinar: WebinarSession, user_id: int, at: datetime) -> None:
    session.add(
        AttendanceEvent(
            session_id=webinar.id, user_id=user_id, kind="join", at=at,
            source=AttendanceSource.LINK,
        )
    )  # fmt: skip
    session.flush()
    recompute(session, webinar, user_id)


def end_meeting(session: Session, actor: Actor, settings: Settings, webinar_id: int) -> None:
    """Close the video room for everyone (BigBlueButton; a Jitsi room simply empties)."""
    webinar = editable_webinar(session, actor, webinar_id)
    room = providers.Room(webinar.room_name, webinar.title)
    end_transaction_before_network(session)
    providers.provider_for(settings, webinar.provider).end(room)


# --- the events address -----------------------------------------------------------------------


def new_events_token() -> str:
    return secrets.token_urlsafe(32)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _keep_events_token(session: Session, webinar_id: int, token: str) -> None:
    """Only the digest is kept; a host joining at the same moment keeps the first one."""
    session.execute(
        update(WebinarSession)
        .where(WebinarSession.id == webinar_id, WebinarSession.events_token_digest.is_(None))
        .values(events_token_digest=_digest(token))
    )


def issue_events_token(session: Session, webinar_id: int) -> str:
    """A new events address token for a meeting, replacing any earlier one (for operators
    re-registering a hook by hand, and for tests)."""
    token = new_events_token()
    session.execute(
        update(WebinarSession)
        .where(WebinarSession.id == webinar_id)
        .values(events_token_digest=_digest(token))
    )
    return token


def checksum_matches(callback_url: str, body: str, checksum: str, secret: str) -> bool:
    """bbb-webhooks' signature: the hex digest of callback URL + body + shared secret."""
    algorithm = CHECKSUM_ALGORITHMS.get(len(checksum))
    if algorithm is None:
        return False
    expected = hashlib.new(algorithm, f"{callback_url}{body}{secret}".encode()).hexdigest()
    return hmac.compare_digest(expected, checksum.lower())


def receive_events(
    session: Session, settings: Settings, token: str, body: str, checksum: str | None
) -> int:
    """The events bbb-webhooks posts for one meeting, proven by the meeting's own token and,
    when the shared secret is configured, by the checksum; unsigned or wrongly signed calls
    are refused and write nothing. Returns how many joins and leaves were recorded."""
    webinar = session.scalar(
        select(WebinarSession)
        .where(WebinarSession.events_token_digest == _digest(token))
        .options(*with_details())
    )
    if webinar is None:
        raise UnknownEventsToken()
    secret = settings.bbb_secret.get_secret_value() if settings.bbb_secret else ""
    callback = providers.events_callback_url(settings, token)
    if secret and not checksum_matches(callback, body, checksum or "", secret):
        raise WebhookChecksumInvalid()
    events = [
        e for e in providers.parse_bbb_events(providers.event_field(body))
        if e.meeting_id == webinar.room_name
    ]  # fmt: skip
    return record_provider_events(session, webinar.room_name, events)
