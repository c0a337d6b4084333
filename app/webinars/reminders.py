"""E-mail reminders 24 hours and 1 hour before a session, in each recipient's language and
time zone. A reminder is claimed (a row with a unique key) in its own committed transaction
before it is sent, so two workers, or a run restarted half-way, never send it twice; the mail
is sent outside any transaction, and marked sent (or the claim released) in another."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.config import Settings
from app.core.db import utcnow
from app.core.errors import ServiceUnavailable
from app.core.i18n import N_, format_when, translations_for
from app.core.mail import send_mail
from app.webinars.models import (
    Registration,
    RegistrationStatus,
    Reminder,
    ReminderKind,
    SessionStatus,
    WebinarSession,
)

log = logging.getLogger("agora.webinars.reminders")
LEAD = {ReminderKind.DAY_BEFORE: timedelta(hours=24), ReminderKind.HOUR_BEFORE: timedelta(hours=1)}
SUBJECT = N_("Reminder: %(title)s starts %(when)s")


@dataclass(frozen=True)
class Due:
    session_id: int
    user_id: int
    kind: ReminderKind


def due_reminders(session: Session, now: datetime) -> list[Due]:
    """Registered people of scheduled sessions whose reminder time has come and who have not
    been reminded; the day-before reminder is skipped once the hour-before one is due."""
    found = []
    for kind, lead in LEAD.items():
        latest = now + lead
        earliest = now + LEAD[ReminderKind.HOUR_BEFORE] if kind is ReminderKind.DAY_BEFORE else now
        reminded = select(Reminder.id).where(
            Reminder.session_id == Registration.session_id,
            Reminder.user_id == Registration.user_id,
            Reminder.kind == kind,
        )
        rows = session.execute(
            select(Registration.session_id, Registration.user_id)
            .join(WebinarSession, WebinarSession.id == Registration.session_id)
            .where(
                Registration.status == RegistrationStatus.REGISTERED,
                WebinarSession.status == SessionStatus.SCHEDULED,
                WebinarSession.starts_at > earliest,
                WebinarSession.starts_at <= latest,
                ~reminded.exists(),
            )
            .order_by(Registration.session_id, Registration.user_id)
        ).all()
        found += [Due(session_id, user_id, kind) for session_id, user_id in rows]
    return found


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str


def _claim(new_session: Callable[[], Session], settings: Settings, due: Due) -> Message | None:
    """Claim the reminder and read what to send, in one short transaction; None when
    another worker has it."""
    try:
        with new_session() as session, session.begin():
            session.add(Reminder(session_id=due.session_id, user_id=due.user_id, kind=due.kind))
            session.flush()
            return _message(session, settings, due)
    except IntegrityError:
        return None


def _message(session: Session, settings: Settings, due: Due) -> Message:
    webinar = session.get_one(WebinarSession, due.session_id)
    user = session.get_one(User, due.user_id)
    locale = user.preferred_language or "en"
    gettext = translations_for(locale).gettext
    values = {
        "name": user.display_name,
        "title": webinar.title,
        "when": format_when(webinar.starts_at, user.time_zone, locale),
        "minutes": settings.webinar_join_window_minutes,
        "url": f"{settings.base_url.rstrip('/')}/sessions/{webinar.id}",
    }
    body = translations_for(locale).ngettext(
        "Hello %(name)s,\n\n"
        "%(title)s starts %(when)s.\n"
        "Open the session page to join from %(minutes)s minute before the start:\n%(url)s\n\n"
        "Agora",
        "Hello %(name)s,\n\n"
        "%(title)s starts %(when)s.\n"
        "Open the session page to join from %(minutes)s minutes before the start:\n%(url)s\n\n"
        "Agora",
        settings.webinar_join_window_minutes,
    )
    return Message(user.email, gettext(SUBJECT) % values, body % values)


def _claimed(due: Due) -> ColumnElement[bool]:
    return and_(
        Reminder.session_id == due.session_id,
        Reminder.user_id == due.user_id,
        Reminder.kind == due.kind,
    )


def _settle(new_session: Callable[[], Session], due: Due, sent: bool) -> None:
    """Mark the claim sent, or release it so that a later run retries."""
    with new_session() as session, session.begin():
        if sent:
            session.execute(update(Reminder).where(_claimed(due)).values(sent_at=utcnow()))
        else:
            session.execute(delete(Reminder).where(_claimed(due)))


def send_due_reminders(
    new_session: Callable[[], Session], settings: Settings, now: datetime | None = None
) -> int:
    """Send what is due; returns how many this run sent. Safe to run from several workers."""
    moment = now or utcnow()
    with new_session() as session:
        due = due_reminders(session, moment)
    sent = 0
    for item in due:
        message = _claim(new_session, settings, item)
        if message is None:
            continue
        # No transaction is open while the mail server answers (up to its 10 s timeout):
        # on SQLite a write transaction would hold the whole database's lock meanwhile.
        try:
            send_mail(settings, message.to, message.subject, message.body)
        except ServiceUnavailable:
            _settle(new_session, item, sent=False)
            continue
        _settle(new_session, item, sent=True)
        sent += 1
    log.info("webinar reminders sent: %s", sent)
    return sent
