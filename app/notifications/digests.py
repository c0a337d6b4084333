"""The daily digest: once a reader's day is over (at `NOTIFICATION_DIGEST_HOUR` of their own
zone), the notifications of that day and before that wait for a digest are gathered into one
outbox message. Gathering marks them in the same transaction with a conditional UPDATE, so two
workers gathering at once make one digest."""

from datetime import datetime, time, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core import outbox
from app.core.config import Settings
from app.core.db import utcnow
from app.core.i18n import zone
from app.notifications.mail import DIGEST_KIND
from app.notifications.models import MailState, Notification


def digest_cutoff(now: datetime, zone_name: str | None, digest_hour: int) -> datetime:
    """The start (in UTC) of the reader's day that is not yet over for the digest: today's
    local midnight once the digest hour has come, yesterday's before."""
    local = now.astimezone(zone(zone_name))
    day = local.date() if local.hour >= digest_hour else local.date() - timedelta(days=1)
    return datetime.combine(day, time(0), tzinfo=local.tzinfo).astimezone(now.tzinfo)


def _gather_one(session: Session, user_id: int, before: datetime) -> bool:
    ids = list(session.scalars(
        select(Notification.id)
        .where(
            Notification.user_id == user_id,
            Notification.mail_state == MailState.AWAITING_DIGEST,
            Notification.created_at < before,
        )
        .order_by(Notification.id)
    ))  # fmt: skip
    if not ids:
        return False
    taken = session.execute(
        update(Notification)
        .where(Notification.id.in_(ids), Notification.mail_state == MailState.AWAITING_DIGEST)
        .values(mail_state=MailState.QUEUED)
    )
    if getattr(taken, "rowcount", 0) != len(ids):
        session.rollback()  # another worker is gathering this reader's digest
        return False
    outbox.enqueue(session, DIGEST_KIND, {"user_id": user_id, "notification_ids": ids})
    session.commit()
    return True


def gather_digests(
    new_session: outbox.NewSession, settings: Settings, now: datetime | None = None
) -> int:
    """Queue every digest that is due; returns how many this run queued."""
    moment = now or utcnow()
    with new_session() as session:
        readers = session.execute(
            select(Notification.user_id, User.time_zone, func.min(Notification.created_at))
            .join(User, User.id == Notification.user_id)
            .where(Notification.mail_state == MailState.AWAITING_DIGEST)
            .group_by(Notification.user_id, User.time_zone)
        ).all()
    gathered = 0
    for user_id, zone_name, oldest in readers:
        before = digest_cutoff(moment, zone_name, settings.notification_digest_hour)
        if oldest >= before:
            continue
        with new_session() as session:
            gathered += _gather_one(session, user_id, before)
    return gathered
