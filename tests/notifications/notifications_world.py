"""Notifications for the permission matrices, made through the notifications service with the
matrices' people: one the course's student was just told of, and the unsubscribe link of the
matrices' other student (the victim), which works for whoever holds it."""

from typing import Protocol

from sqlalchemy.orm import Session

from app.core.i18n import N_
from app.notifications.mail import unsubscribe_token
from app.notifications.models import NotificationKind
from app.notifications.service import Notice, notify

STU = "student"  # the course's student in both matrices


class World(Protocol):
    """What both matrices' worlds offer."""

    db: Session
    victim_id: int  # another student of the course
    people: dict[str, int]


def students_notification(w: World) -> int:
    """A notification just made for the course's student (its id), unread."""
    notice = Notice(
        kind=NotificationKind.FORUM_POST, subject=N_("%(forum)s: %(title)s"),
        body=N_("%(author)s wrote:\n\n%(text)s"), link="/courses",
        values={"forum": "Discussion", "title": "Referrals", "author": "Thu", "text": "How?"},
    )  # fmt: skip
    [made] = notify(w.db, [w.people[STU]], notice)
    w.db.flush()
    return made.id


def victims_unsubscribe_token(w: World) -> str:
    """The secret of the victim's unsubscribe link for forum posts, as their mails carry it."""
    token = unsubscribe_token(w.db, w.victim_id, NotificationKind.FORUM_POST)
    w.db.flush()
    return token
