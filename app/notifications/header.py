"""The unread count beside "Notifications" in every page's header, read with the session."""

from sqlalchemy import ScalarSelect, func, select

from app.accounts.auth import count_in_header
from app.accounts.models import User
from app.notifications.models import Notification


@count_in_header("notifications")
def unread_notifications() -> ScalarSelect[int]:
    return (
        select(func.count(Notification.id))
        .where(Notification.user_id == User.id, Notification.read_at.is_(None))
        .correlate(User)
        .scalar_subquery()
    )
