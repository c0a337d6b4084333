"""Notifications over the API, for people's own tokens: the list with its unread count,
marking read, and the choices per kind."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.accounts.deps import SignedInApiActor
from app.core.db import SessionDep
from app.core.inputs import Id
from app.core.routes import DeferredRoute
from app.notifications import service
from app.notifications.schemas import NotificationList, NotificationRead, Preferences

router = APIRouter(prefix="/notifications", tags=["notifications"], route_class=DeferredRoute)


@router.get("", response_model=NotificationList)
def list_notifications(
    session: SessionDep,
    actor: SignedInApiActor,
    cursor: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 50,
) -> NotificationList:
    """The caller's notifications, newest first, with how many are unread."""
    page = service.notifications_of(session, actor, cursor, limit)
    items = [NotificationRead.model_validate(n) for n in page.notifications]
    return NotificationList(items=items, next_cursor=page.next_cursor, unread=page.unread)


@router.post("/read", status_code=204, response_class=Response)
def mark_all_read(session: SessionDep, actor: SignedInApiActor) -> None:
    """Mark every notification of the caller as read."""
    service.mark_all_read(session, actor)


@router.post("/{notification_id}/read", response_model=NotificationRead)
def mark_read(notification_id: Id, session: SessionDep, actor: SignedInApiActor) -> object:
    """One of the caller's notifications, now read; anyone else's is 404."""
    return service.open_notification(session, actor, notification_id)


@router.get("/preferences", response_model=Preferences)
def read_preferences(session: SessionDep, actor: SignedInApiActor) -> Preferences:
    """The caller's choice per kind: `immediately`, `digest` or `off`."""
    return Preferences(choices=service.preferences_of(session, actor))


@router.patch("/preferences", response_model=Preferences)
def change_preferences(
    changes: Preferences, session: SessionDep, actor: SignedInApiActor
) -> Preferences:
    """Refused whole (422 `announcements_cannot_be_off`) if it turns announcements off."""
    return Preferences(choices=service.set_preferences(session, actor, changes.choices))


routers = [router]
