"""Telling the people registered (and waiting) for a session that it changed or was
cancelled, each in their language with the time in their zone."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.i18n import N_
from app.notifications.models import NotificationKind
from app.notifications.service import Notice, notify
from app.webinars.models import Registration, RegistrationStatus, WebinarSession

CHANGED = (N_("Webinar changed: %(title)s"), N_("%(title)s now starts %(when)s."))
CANCELLED = (
    N_("Webinar cancelled: %(title)s"),
    N_("%(title)s, planned for %(when)s, is cancelled."),
)


def tell_registered(session: Session, webinar: WebinarSession, *, cancelled: bool) -> None:
    people = session.scalars(
        select(Registration.user_id).where(
            Registration.session_id == webinar.id,
            Registration.status != RegistrationStatus.CANCELLED,
        )
    ).all()
    subject, body = CANCELLED if cancelled else CHANGED
    notify(session, people, Notice(
        kind=NotificationKind.WEBINAR_CHANGED, subject=subject, body=body,
        link=f"/sessions/{webinar.id}", values={"title": webinar.title},
        times={"when": webinar.starts_at},
    ))  # fmt: skip
