"""Outgoing e-mail over SMTP. Without SMTP_HOST (development), messages go to the log.

`send_after_commit` is for mail that tells of something a write transaction does (an
invitation to an account an intake creates): the message waits in the session until the
transaction commits, so no mail server is contacted while its locks are held, and none is
sent for a write that rolled back (the transaction, or the savepoint it was queued in)."""

import logging
import smtplib
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass
from email.message import EmailMessage

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from app.core.config import Settings
from app.core.errors import ServiceUnavailable
from app.core.outbox import DeliveryFailed

log = logging.getLogger("agora.mail")
_OUTBOX = "agora.mail.outbox"


@dataclass(frozen=True)
class _Queued:
    settings: Settings
    to: str
    subject: str
    body: str
    transaction: SessionTransaction | None


def send_after_commit(
    session: Session, settings: Settings, to: str, subject: str, body: str
) -> None:
    """Send the message once the session's outermost transaction commits; drop it if the
    transaction, or the savepoint open now, rolls back. A delivery failure then is logged:
    what the transaction wrote stays written."""
    transaction = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_OUTBOX, []).append(_Queued(settings, to, subject, body, transaction))


@event.listens_for(Session, "after_soft_rollback")
def _drop_undone(session: Session, previous_transaction: SessionTransaction) -> None:
    queued: list[_Queued] = session.info.get(_OUTBOX, [])
    if not queued:
        return
    if previous_transaction.nested:
        kept = [q for q in queued if not _undone_by(q.transaction, previous_transaction)]
        session.info[_OUTBOX] = kept
        return
    session.info.pop(_OUTBOX, None)


@event.listens_for(Session, "after_commit")
def _send_queued(session: Session) -> None:
    # Fired for savepoints too: their mail waits until the outermost transaction commits.
    if session.get_nested_transaction() is not None:
        return
    for message in session.info.pop(_OUTBOX, []):
        # A failure is logged by send_mail; the person can be sent the message again.
        with suppress(ServiceUnavailable):
            send_mail(message.settings, message.to, message.subject, message.body)


def _undone_by(transaction: SessionTransaction | None, rolled_back: SessionTransaction) -> bool:
    current = transaction
    while current is not None:
        if current is rolled_back:
            return True
        current = current.parent
    return False


def send_mail(
    settings: Settings,
    to: str,
    subject: str,
    body: str,
    headers: Mapping[str, str] | None = None,
) -> None:
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = subject
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    if settings.smtp_host is None:
        log.info("mail not sent (no SMTP_HOST): to=%s subject=%s\n%s", to, subject, body)
        return
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_user and settings.smtp_password:
                smtp.login(settings.smtp_user, settings.smtp_password.get_secret_value())
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("SMTP delivery to %s failed: %s", to, exc)
        raise ServiceUnavailable("The e-mail could not be sent; try again shortly.") from exc


def deliver_mail(
    settings: Settings,
    to: str,
    subject: str,
    body: str,
    headers: Mapping[str, str] | None = None,
) -> None:
    """`send_mail` for an outbox handler: a mail server that is down or refuses the address
    is a delivery the outbox tries again (then parks)."""
    try:
        send_mail(settings, to, subject, body, headers)
    except ServiceUnavailable as failed:
        raise DeliveryFailed(f"{failed.detail} ({failed.__cause__})") from failed
