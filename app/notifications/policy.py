"""Who has notifications, and which choices each kind allows. Whether a person may be told
of something at all is decided by the domain that tells them, with its own policy (a post
of another group is not theirs to read, so nobody tells them of it)."""

from app.core.actors import Actor
from app.notifications.models import MailDelivery, NotificationKind

# What a person who never chose gets: what needs an answer comes at once, chatter in the
# daily digest.
DEFAULTS: dict[NotificationKind, MailDelivery] = {
    NotificationKind.FORUM_POST: MailDelivery.DIGEST,
    NotificationKind.ANNOUNCEMENT: MailDelivery.IMMEDIATELY,
    NotificationKind.PRIVATE_MESSAGE: MailDelivery.IMMEDIATELY,
    NotificationKind.GRADE_RELEASED: MailDelivery.IMMEDIATELY,
    NotificationKind.SUBMISSION_RECEIVED: MailDelivery.DIGEST,
    NotificationKind.WEBINAR_CHANGED: MailDelivery.IMMEDIATELY,
    NotificationKind.ENROLMENT_CHANGED: MailDelivery.IMMEDIATELY,
    NotificationKind.SURVEY_OPEN: MailDelivery.IMMEDIATELY,
}
ALWAYS_MAILED = frozenset({NotificationKind.ANNOUNCEMENT})


def has_notifications(actor: Actor) -> bool:
    """People; partner systems and the platform itself receive none."""
    return actor.user_id is not None and not actor.is_partner_client


def may_choose(kind: NotificationKind, delivery: MailDelivery) -> bool:
    return not (kind in ALWAYS_MAILED and delivery is MailDelivery.OFF)


def effective(kind: NotificationKind, chosen: MailDelivery | None) -> MailDelivery:
    if chosen is None or not may_choose(kind, chosen):
        return DEFAULTS[kind]
    return chosen


def unsubscribed(kind: NotificationKind) -> MailDelivery:
    """What one click on a mail's unsubscribe link sets: off, or for announcements, which
    cannot be turned off, the daily digest."""
    return MailDelivery.DIGEST if kind in ALWAYS_MAILED else MailDelivery.OFF
