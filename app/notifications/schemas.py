"""What the notifications API reads and writes."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from app.notifications.models import MailDelivery, NotificationKind


class NotificationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: NotificationKind
    subject: str
    body: str
    link: str
    created_at: datetime
    read_at: datetime | None


class NotificationList(BaseModel):
    items: list[NotificationRead]
    next_cursor: str | None
    unread: int


class Preferences(BaseModel):
    """Per kind: `immediately`, `digest` (one mail a day) or `off` (in the portal only);
    announcements cannot be `off`. A change names only the kinds it changes."""

    model_config = ConfigDict(extra="forbid")

    choices: dict[NotificationKind, MailDelivery]
