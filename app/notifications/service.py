"""Telling people what happened: a domain calls `notify` with the readers and a `Notice`, in
the transaction of the change. Each reader gets a notification written in their language and
time zone; by their choice for its kind, its mail goes into the durable outbox at once, waits
for the daily digest, or is not sent (announcements always reach the mailbox)."""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core import outbox
from app.core.actors import Actor
from app.core.db import utcnow
from app.core.errors import Invalid, NotFound
from app.core.i18n import N_, format_when, translations_for
from app.core.pagination import decode_cursor, encode_cursor
from app.notifications import policy
from app.notifications.models import (
    MailDelivery,
    MailState,
    Notification,
    NotificationKind,
    NotificationPreference,
    UnsubscribeKey,
)

PAGE = 50
MAIL_KIND = "notification_mail"


@dataclass(frozen=True)
class Notice:
    """What to tell. `subject` and `body` are messages marked with `N_`, with `%(name)s`
    placeholders filled from `values`, from `times` (each written in the reader's zone and
    language) and from `terms` (each translated). `link` is a path of the portal."""

    kind: NotificationKind
    subject: str
    body: str
    link: str
    values: Mapping[str, str | int] = field(default_factory=dict)
    times: Mapping[str, datetime] = field(default_factory=dict)
    terms: Mapping[str, str] = field(default_factory=dict)  # messages, translated too


class NoSuchNotification(NotFound):
    code = "no_such_notification"
    title = N_("No such notification.")


class AnnouncementsStayOn(Invalid):
    code = "announcements_cannot_be_off"
    title = N_("Announcements cannot be turned off: choose immediately or the daily digest.")


def _render(notice: Notice, reader: User) -> tuple[str, str]:
    locale = reader.preferred_language or "en"
    gettext = translations_for(locale).gettext
    values: dict[str, str | int] = dict(notice.values)
    for name, moment in notice.times.items():
        values[name] = format_when(moment, reader.time_zone, locale)
    for name, term in notice.terms.items():
        values[name] = gettext(term)
    return (gettext(notice.subject) % values)[:300], gettext(notice.body) % values


def choices_of(
    session: Session, user_ids: Collection[int], kind: NotificationKind
) -> dict[int, MailDelivery]:
    """Each reader's choice for the kind, in one statement."""
    rows = session.execute(
        select(NotificationPreference.user_id, NotificationPreference.delivery).where(
            NotificationPreference.user_id.in_(user_ids), NotificationPreference.kind == kind
        )
    )
    chosen: dict[Any, MailDelivery] = dict(rows.all())
    return {user_id: policy.effective(kind, chosen.get(user_id)) for user_id in user_ids}


_MAIL_STATE = {
    MailDelivery.IMMEDIATELY: MailState.QUEUED,
    MailDelivery.DIGEST: MailState.AWAITING_DIGEST,
    MailDelivery.OFF: MailState.NONE,
}


def notify(session: Session, user_ids: Collection[int], notice: Notice) -> list[Notification]:
    """Tell each active reader (duplicates and the inactive are skipped), in the caller's
    transaction: a change that rolls back tells nobody."""
    if not user_ids:
        return []
    readers = session.scalars(
        select(User).where(User.id.in_(set(user_ids)), User.is_active).order_by(User.id)
    ).all()
    if not readers:
        return []
    choices = choices_of(session, [reader.id for reader in readers], notice.kind)
    rows = []
    for reader in readers:
        subject, body = _render(notice, reader)
        rows.append({
            "user_id": reader.id, "kind": notice.kind, "subject": subject, "body": body,
            "link": notice.link[:500], "mail_state": _MAIL_STATE[choices[reader.id]],
        })  # fmt: skip
    # One INSERT per table, on SQLite too: there a flush of new objects inserts them one by
    # one (to learn each id), which would grow with the readers (see webinars/service/bulk.py).
    ids = session.scalars(insert(Notification).returning(Notification.id), rows).all()
    made = session.scalars(
        select(Notification).where(Notification.id.in_(ids)).order_by(Notification.user_id)
    ).all()
    mails = [{"kind": MAIL_KIND, "payload": {"notification_id": n.id}}
             for n in made if n.mail_state is MailState.QUEUED]  # fmt: skip
    if mails:
        session.execute(insert(outbox.OutboxMessage), mails)
    return list(made)


def _person(actor: Actor) -> int:
    if not policy.has_notifications(actor):
        raise NoSuchNotification()
    assert actor.user_id is not None
    return actor.user_id


def unread_count(session: Session, user_id: int) -> int:
    return (
        session.scalar(
            select(func.count()).where(
                Notification.user_id == user_id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


@dataclass(frozen=True)
class NotificationPage:
    notifications: Sequence[Notification]
    next_cursor: str | None
    unread: int


def notifications_of(
    session: Session, actor: Actor, cursor: str | None = None, limit: int = PAGE
) -> NotificationPage:
    """The reader's notifications, newest first, a page at a time."""
    me = _person(actor)
    limit = max(1, min(limit, PAGE))
    stmt = select(Notification).where(Notification.user_id == me)
    if cursor:
        stmt = stmt.where(Notification.id < decode_cursor(cursor))
    rows = session.scalars(stmt.order_by(Notification.id.desc()).limit(limit + 1)).all()
    next_cursor = encode_cursor(rows[limit - 1].id) if len(rows) > limit else None
    return NotificationPage(rows[:limit], next_cursor, unread_count(session, me))


def _own(session: Session, actor: Actor, notification_id: int) -> Notification:
    me = _person(actor)
    notification = session.get(Notification, notification_id)
    if notification is None or notification.user_id != me:
        raise NoSuchNotification()
    return notification


def open_notification(session: Session, actor: Actor, notification_id: int) -> Notification:
    """The notification, now read (its link is where the reader goes next)."""
    notification = _own(session, actor, notification_id)
    if notification.read_at is None:
        notification.read_at = utcnow()
    return notification


def mark_all_read(session: Session, actor: Actor) -> int:
    me = _person(actor)
    result = session.execute(
        update(Notification)
        .where(Notification.user_id == me, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return int(getattr(result, "rowcount", 0) or 0)


def preferences_of(session: Session, actor: Actor) -> dict[NotificationKind, MailDelivery]:
    me = _person(actor)
    rows = session.execute(
        select(NotificationPreference.kind, NotificationPreference.delivery).where(
            NotificationPreference.user_id == me
        )
    )
    chosen: dict[Any, MailDelivery] = dict(rows.all())
    return {kind: policy.effective(kind, chosen.get(kind)) for kind in NotificationKind}


class UnknownChoice(Invalid):
    code = "unknown_delivery"
    title = N_("Choose immediately, the daily digest or off for each kind.")


def parse_choices(
    submitted: Mapping[NotificationKind, str],
) -> dict[NotificationKind, MailDelivery]:
    """A form's choices (blank: unchanged); an unknown value refuses the whole form."""
    try:
        return {kind: MailDelivery(value) for kind, value in submitted.items() if value}
    except ValueError:
        raise UnknownChoice() from None


def set_preferences(
    session: Session, actor: Actor, changes: Mapping[NotificationKind, MailDelivery]
) -> dict[NotificationKind, MailDelivery]:
    """Change some of the reader's choices; refused whole if one is not allowed."""
    me = _person(actor)
    for kind, delivery in changes.items():
        if not policy.may_choose(kind, delivery):
            raise AnnouncementsStayOn()
    for kind, delivery in changes.items():
        choose(session, me, kind, delivery)
    return preferences_of(session, actor)


def choose(session: Session, user_id: int, kind: NotificationKind, delivery: MailDelivery) -> None:
    row = session.scalar(
        select(NotificationPreference).where(
            NotificationPreference.user_id == user_id, NotificationPreference.kind == kind
        )
    )
    if row is None:
        session.add(NotificationPreference(user_id=user_id, kind=kind, delivery=delivery))
    else:
        row.delivery = delivery
    session.flush()


class NoSuchUnsubscribeLink(NotFound):
    code = "no_such_unsubscribe_link"
    title = N_("This unsubscribe link is not valid.")


def unsubscribe_key(session: Session, token: str) -> UnsubscribeKey:
    """What a mail's unsubscribe link is for; the link itself is the credential."""
    key = session.scalar(select(UnsubscribeKey).where(UnsubscribeKey.token == token[:64]))
    if key is None:
        raise NoSuchUnsubscribeLink()
    return key


def unsubscribe(session: Session, token: str) -> tuple[UnsubscribeKey, MailDelivery]:
    """One click: the link's kind off (announcements: into the daily digest)."""
    key = unsubscribe_key(session, token)
    delivery = policy.unsubscribed(key.kind)
    choose(session, key.user_id, key.kind, delivery)
    return key, delivery
