"""Notification mail, delivered by `agora worker` from the outbox: one mail per notification
chosen "immediately", one digest a day per reader of those chosen "daily digest". Each mail is
in its reader's language and carries a one-click unsubscribe link for its kind (RFC 8058's
`List-Unsubscribe` and `List-Unsubscribe-Post` headers). A refused address is retried by the
outbox, then parked for an operator."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core import outbox
from app.core.config import Settings
from app.core.i18n import N_, translations_for
from app.core.mail import deliver_mail
from app.core.security import new_token
from app.notifications import policy
from app.notifications.models import MailDelivery, Notification, NotificationKind, UnsubscribeKey
from app.notifications.service import MAIL_KIND, choices_of

DIGEST_KIND = "notification_digest"


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str
    headers: dict[str, str]


def unsubscribe_token(session: Session, user_id: int, kind: NotificationKind) -> str:
    """The reader's unsubscribe secret for the kind, made the first time it is needed (two
    workers making it at once keep one)."""
    found = session.scalar(
        select(UnsubscribeKey.token).where(
            UnsubscribeKey.user_id == user_id, UnsubscribeKey.kind == kind
        )
    )
    if found is not None:
        return found
    try:
        with session.begin_nested():
            token = new_token()
            session.add(UnsubscribeKey(user_id=user_id, kind=kind, token=token))
        return token
    except IntegrityError:
        return unsubscribe_token(session, user_id, kind)


def _base(settings: Settings) -> str:
    return settings.base_url.rstrip("/")


def _headers(settings: Settings, token: str) -> dict[str, str]:
    return {
        "List-Unsubscribe": f"<{_base(settings)}/unsubscribe/{token}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def _footer(settings: Settings, reader: User, kind: NotificationKind, token: str) -> str:
    gettext = translations_for(reader.preferred_language or "en").gettext
    stop = gettext(N_("Stop these e-mails: %(url)s")) if kind not in policy.ALWAYS_MAILED else (
        gettext(N_("Receive announcements in the daily digest instead: %(url)s"))
    )  # fmt: skip
    choices = gettext(N_("Choose what you receive: %(url)s"))
    return "\n\n-- \n" + "\n".join([
        stop % {"url": f"{_base(settings)}/unsubscribe/{token}"},
        choices % {"url": f"{_base(settings)}/notifications/preferences"},
    ])  # fmt: skip


def notification_mail(session: Session, settings: Settings, notification: Notification) -> Mail:
    reader = session.get_one(User, notification.user_id)
    token = unsubscribe_token(session, reader.id, notification.kind)
    body = f"{notification.body}\n\n{_base(settings)}{notification.link}"
    return Mail(
        reader.email,
        notification.subject,
        body + _footer(settings, reader, notification.kind, token),
        _headers(settings, token),
    )


def digest_mail(
    session: Session, settings: Settings, reader: User, notifications: Sequence[Notification]
) -> Mail:
    """The day's notifications of one reader, oldest first, in one mail. Its unsubscribe link
    is for the kind most of them are of."""
    translations = translations_for(reader.preferred_language or "en")
    count = len(notifications)
    subject = translations.ngettext(
        "Your Agora digest: %(count)s notification", "Your Agora digest: %(count)s notifications",
        count,
    ) % {"count": count}  # fmt: skip
    items = [f"* {n.subject}\n  {n.body}\n  {_base(settings)}{n.link}" for n in notifications]
    kinds = [n.kind for n in notifications]
    main_kind = max(set(kinds), key=kinds.count)
    token = unsubscribe_token(session, reader.id, main_kind)
    body = "\n\n".join(items) + _footer(settings, reader, main_kind, token)
    return Mail(reader.email, subject, body, _headers(settings, token))


def _still_wanted(session: Session, notification: Notification) -> bool:
    """A reader who turned the kind off (or left) since is not mailed."""
    reader = session.get(User, notification.user_id)
    if reader is None or not reader.is_active:
        return False
    choice = choices_of(session, [reader.id], notification.kind)[reader.id]
    return choice is not MailDelivery.OFF


def deliver_notification(
    new_session: outbox.NewSession, settings: Settings, delivery: outbox.Delivery
) -> None:
    with new_session() as session:
        notification = session.get(Notification, delivery.payload["notification_id"])
        if notification is None or not _still_wanted(session, notification):
            return
        mail = notification_mail(session, settings, notification)
        session.commit()  # the unsubscribe key, before the mail server is contacted
    deliver_mail(settings, mail.to, mail.subject, mail.body, mail.headers)


def deliver_digest(
    new_session: outbox.NewSession, settings: Settings, delivery: outbox.Delivery
) -> None:
    with new_session() as session:
        reader = session.get(User, delivery.payload["user_id"])
        if reader is None or not reader.is_active:
            return
        notifications = session.scalars(
            select(Notification)
            .where(Notification.id.in_(delivery.payload["notification_ids"]))
            .order_by(Notification.id)
        ).all()
        if not notifications:
            return
        mail = digest_mail(session, settings, reader, notifications)
        session.commit()
    deliver_mail(settings, mail.to, mail.subject, mail.body, mail.headers)


outbox.register(MAIL_KIND, deliver_notification)
outbox.register(DIGEST_KIND, deliver_digest)
