"""Who has notifications, and which choices each kind allows. Whether a person may be told
of something at all is decided by the domain that tells them, with its own policy (a post
of another group is not theirs to read, so nobody tells them of it)."""

from app.core.actors import Actor
from app.notifications.models import Delivery, NotificationKind

# What a person who never chose gets: what needs an answer comes at once, chatter in the
# daily digest.
DEFAULTS: dict[NotificationKind, Delivery] = {
    NotificationKind.FORUM_POST: Delivery.DIGEST,
    NotificationKind.ANNOUNCEMENT: Delivery.IMMEDIATELY,
    NotificationKind.PRIVATE_MESSAGE: Delivery.IMMEDIATELY,
    NotificationKind.GRADE_RELEASED: Delivery.IMMEDIATELY,
    NotificationKind.SUBMISSION_RECEIVED: Delivery.DIGEST,
    NotificationKind.WEBINAR_CHANGED: Delivery.IMMEDIATELY,
    NotificationKind.ENROLMENT_CHANGED: Delivery.IMMEDIATELY,
    NotificationKind.SURVEY_OPEN: Delivery.IMMEDIATELY,
}
ALWAYS_MAILED = frozenset({NotificationKind.ANNOUNCEMENT})


def has_notifications(actor: Actor) -> bool:
    """People; partner systems and the platform itself receive none."""
    return actor.user_id is not None and not actor.is_partner_client


def may_choose(kind: NotificationKind, delivery: Delivery) -> bool:
    return not (kind in ALWAYS_MAILED and delivery is Delivery.OFF)


def effective(kind: NotificationKind, chosen: Delivery | None) -> Delivery:
    if chosen is None or not may_choose(kind, chosen):
        return DEFAULTS[kind]
    return chosen


def unsubscribed(kind: NotificationKind) -> Delivery:
    """What one click on a mail's unsubscribe link sets: off, or for announcements, which
    cannot be turned off, the daily digest."""
    return Delivery.DIGEST if kind in ALWAYS_MAILED else Delivery.OFF
