"""The notifications pages: the list (opening one marks it read and goes where it points),
"mark all read", the choices per kind, and the unsubscribe page a mail links to."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.accounts.deps import CurrentUser, PortalActor, page_router
from app.core.db import SessionDep
from app.core.forms import attempt_form
from app.core.i18n import N_
from app.core.inputs import Id
from app.core.routes import DeferredRoute
from app.core.web import render, safe_next, see_other
from app.notifications import policy, service
from app.notifications.models import MailDelivery, NotificationKind

router = page_router()
KIND_NAMES = {
    NotificationKind.FORUM_POST: N_("Posts in forums you follow"),
    NotificationKind.ANNOUNCEMENT: N_("Announcements"),
    NotificationKind.PRIVATE_MESSAGE: N_("Private messages"),
    NotificationKind.GRADE_RELEASED: N_("Grades released"),
    NotificationKind.SUBMISSION_RECEIVED: N_("Submissions received"),
    NotificationKind.WEBINAR_CHANGED: N_("Webinars changed or cancelled"),
    NotificationKind.ENROLMENT_CHANGED: N_("Enrolments changed"),
    NotificationKind.SURVEY_OPEN: N_("Surveys to answer"),
}
DELIVERY_NAMES = {
    MailDelivery.IMMEDIATELY: N_("By e-mail at once"),
    MailDelivery.DIGEST: N_("In the daily digest e-mail"),
    MailDelivery.OFF: N_("Here only, no e-mail"),
}


@router.get("/notifications")
def notifications(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    cursor: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:  # fmt: skip
    page = service.notifications_of(session, actor, cursor)
    return render(request, "notifications/list.html", {"page": page})


@router.post("/notifications/read")
def mark_all_read(session: SessionDep, actor: PortalActor, _user: CurrentUser) -> Response:
    service.mark_all_read(session, actor)
    return see_other("/notifications")


def _preferences_page(
    request: Request, choices: dict[NotificationKind, MailDelivery], *,
    saved: bool = False, errors: dict[str, str] | None = None, status: int = 200,
) -> Response:  # fmt: skip
    context = {
        "choices": choices, "kind_names": KIND_NAMES, "delivery_names": DELIVERY_NAMES,
        "allowed": {kind: [d for d in MailDelivery if policy.may_choose(kind, d)]
                    for kind in NotificationKind},
        "saved": saved, "errors": errors or {},
    }  # fmt: skip
    return render(request, "notifications/preferences.html", context, status)


@router.get("/notifications/preferences", name="notification_preferences")
def preferences(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    saved: bool = False,
) -> Response:  # fmt: skip
    return _preferences_page(request, service.preferences_of(session, actor), saved=saved)


@router.post("/notifications/preferences")
async def change_preferences(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser
) -> Response:
    form = await request.form()
    submitted = {kind: str(form.get(kind.value, "")) for kind in NotificationKind}
    with attempt_form(request, session) as attempt:
        changes = service.parse_choices(submitted)
        service.set_preferences(session, actor, changes)
    if attempt.refused:
        choices = service.preferences_of(session, actor)
        return _preferences_page(request, choices, errors=attempt.errors, status=400)
    return see_other("/notifications/preferences?saved=1")


@router.get("/notifications/{notification_id}")
def open_notification(
    session: SessionDep, actor: PortalActor, _user: CurrentUser, notification_id: Id
) -> Response:
    notification = service.open_notification(session, actor, notification_id)
    return see_other(safe_next(notification.link, "/notifications"))


# The unsubscribe link works without signing in, from a mail program's one-click POST
# (RFC 8058) as from the page's button: the secret in the address is the credential, so no
# CSRF token can be asked for (and none is needed: a forger would need the secret).
unsubscribe_router = APIRouter(include_in_schema=False, route_class=DeferredRoute)


@unsubscribe_router.get("/unsubscribe/{token}")
def unsubscribe_page(
    request: Request, session: SessionDep, _actor: PortalActor, token: str
) -> Response:
    key = service.unsubscribe_key(session, token)
    context = {"kind": key.kind, "kind_names": KIND_NAMES, "token": token, "done": None,
               "always_mailed": key.kind in policy.ALWAYS_MAILED}  # fmt: skip
    return render(request, "notifications/unsubscribe.html", context)


@unsubscribe_router.post("/unsubscribe/{token}")
def unsubscribe(request: Request, session: SessionDep, _actor: PortalActor, token: str) -> Response:
    key, delivery = service.unsubscribe(session, token)
    context = {"kind": key.kind, "kind_names": KIND_NAMES, "token": token, "done": delivery,
               "always_mailed": key.kind in policy.ALWAYS_MAILED}  # fmt: skip
    return render(request, "notifications/unsubscribe.html", context)


routers = [router, unsubscribe_router]
