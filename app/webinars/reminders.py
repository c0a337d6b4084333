"""E-mail reminders 24 hours and 1 hour before a session, in each recipient's language and
time zone. A due reminder is claimed (a row with a unique key) and its mail put in the durable
outbox in one transaction, so two workers, or a run restarted half-way, never queue it twice;
`agora worker` then sends it (retrying a mail server that is down for up to an hour) and marks
it sent."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core import outbox
from app.core.config import Settings
from app.core.db import utcnow
from app.core.i18n import N_, format_when, translations_for
from app.core.mail import deliver_mail
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
REMIND = "webinar_reminder"
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


def _claim(new_session: Callable[[], Session], due: Due) -> bool:
    """Claim the reminder and put its mail in the outbox, in one transaction; False when
    another worker has it."""
    try:
        with new_session() as session, session.begin():
            session.add(Reminder(session_id=due.session_id, user_id=due.user_id, kind=due.kind))
            session.flush()
            outbox.enqueue(session, REMIND, {
                "session_id": due.session_id, "user_id": due.user_id, "kind": due.kind.value,
            })  # fmt: skip
    except IntegrityError:
        return False
    return True


def queue_due_reminders(new_session: Callable[[], Session], now: datetime | None = None) -> int:
    """Queue what is due; returns how many this run queued. Safe to run from several
    workers: each reminder is queued once."""
    moment = now or utcnow()
    with new_session() as session:
        due = due_reminders(session, moment)
    queued = sum(_claim(new_session, item) for item in due)
    log.info("webinar reminders queued: %s", queued)
    return queued


def deliver_reminder(
    new_session: outbox.NewSession, settings: Settings, delivery: outbox.Delivery
) -> None:
    """Send a queued reminder (outside any transaction: on SQLite a write transaction would
    hold the whole database's lock while the mail server answers), then mark it sent."""
    due = Due(
        delivery.payload["session_id"],
        delivery.payload["user_id"],
        ReminderKind(delivery.payload["kind"]),
    )
    with new_session() as session:
        if session.get(WebinarSession, due.session_id) is None:
            return  # deleted since
        message = _message(session, settings, due)
    deliver_mail(settings, message.to, message.subject, message.body)
    with new_session() as session, session.begin():
        session.execute(
            update(Reminder)
            .where(
                Reminder.session_id == due.session_id,
                Reminder.user_id == due.user_id,
                Reminder.kind == due.kind,
            )
            .values(sent_at=utcnow())
        )


# A reminder that could not be sent within the hour is no use any more.
outbox.register(REMIND, deliver_reminder, keep_trying_for=timedelta(hours=1))
