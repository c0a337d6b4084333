"""E-mail reminders 24 hours and 1 hour before a session, in each recipient's language and
time zone. A reminder is claimed (a row with a unique key) in its own committed transaction
before it is sent, so two workers, or a run restarted half-way, never send it twice."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
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
BODY = N_(
    "Hello %(name)s,\n\n"
    "%(title)s starts %(when)s.\n"
    "Open the session page to join from %(minutes)s minutes before the start:\n%(url)s\n\n"
    "Agora"
)


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


def _claim(new_session: Callable[[], Session], due: Due) -> bool:
    try:
        with new_session() as session, session.begin():
            session.add(Reminder(session_id=due.session_id, user_id=due.user_id, kind=due.kind))
    except IntegrityError:
        return False  # another worker has it
    return True


def _message(session: Session, settings: Settings, due: Due) -> tuple[str, str, str]:
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
    return user.email, gettext(SUBJECT) % values, gettext(BODY) % values


def send_due_reminders(
    new_session: Callable[[], Session], settings: Settings, now: datetime | None = None
) -> int:
    """Send what is due; returns how many this run sent. Safe to run from several workers."""
    moment = now or utcnow()
    with new_session() as session:
        due = due_reminders(session, moment)
    sent = 0
    for item in due:
        if not _claim(new_session, item):
            continue
        with new_session() as session, session.begin():
            to, subject, body = _message(session, settings, item)
            try:
                send_mail(settings, to, subject, body)
            except ServiceUnavailable:
                # Not accepted by the mail server: release the claim so a later run retries.
                session.execute(
                    delete(Reminder).where(
                        Reminder.session_id == item.session_id,
                        Reminder.user_id == item.user_id,
                        Reminder.kind == item.kind,
                    )
                )
                continue
            reminder = session.scalar(
                select(Reminder).where(
                    Reminder.session_id == item.session_id,
                    Reminder.user_id == item.user_id,
                    Reminder.kind == item.kind,
                )
            )
            if reminder is not None:
                reminder.sent_at = utcnow()
        sent += 1
    log.info("webinar reminders sent: %s", sent)
    return sent
