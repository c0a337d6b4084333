"""Notifications: what each person is told (in the portal, and by e-mail as they choose), their
choice per kind, and the secrets of the one-click unsubscribe links."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, enum_values, utcnow


def _enum(kind: type[StrEnum]) -> Enum:
    return Enum(kind, native_enum=False, length=24, values_callable=enum_values)


class NotificationKind(StrEnum):
    FORUM_POST = "forum_post"  # a post in a forum one follows
    ANNOUNCEMENT = "announcement"  # cannot be turned off
    PRIVATE_MESSAGE = "private_message"
    GRADE_RELEASED = "grade_released"
    SUBMISSION_RECEIVED = "submission_received"
    WEBINAR_CHANGED = "webinar_changed"
    ENROLMENT_CHANGED = "enrolment_changed"
    SURVEY_OPEN = "survey_open"


class MailDelivery(StrEnum):
    IMMEDIATELY = "immediately"
    DIGEST = "digest"  # gathered into one mail a day
    OFF = "off"  # in the portal only


class MailState(StrEnum):
    NONE = "none"  # not mailed (the person turned the kind off)
    QUEUED = "queued"  # its mail is in the outbox
    AWAITING_DIGEST = "awaiting_digest"


class Notification(Base):
    """Written in its reader's language and time zone when it happens, as Moodle does."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_unread", "user_id", "read_at"),
        Index("ix_notifications_user_id_id", "user_id", "id"),
        Index("ix_notifications_digest", "mail_state", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(_enum(NotificationKind))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)  # plain text
    link: Mapped[str] = mapped_column(String(500))  # a path inside the portal
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    mail_state: Mapped[MailState] = mapped_column(_enum(MailState), default=MailState.NONE)


class NotificationPreference(Base):
    """A person's choice for one kind; without a row, the kind's default holds."""

    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(_enum(NotificationKind))
    delivery: Mapped[MailDelivery] = mapped_column(_enum(MailDelivery))


class UnsubscribeKey(Base):
    """The secret of a person's unsubscribe links for one kind: the link works without signing
    in (RFC 8058's one click) and can do nothing but change that one choice, so it is kept as
    it is, to be written into every mail of the kind."""

    __tablename__ = "unsubscribe_keys"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(_enum(NotificationKind))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
