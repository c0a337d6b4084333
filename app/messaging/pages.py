"""The messages pages: one's conversations and the people one may write to, a conversation
with a person and its form, blocking, reporting; the managers' reported messages. Every rule
is the service's; everything works without JavaScript."""

from typing import Annotated

from fastapi import Form, Query, Request
from fastapi.responses import Response

from app.accounts.deps import CurrentUser, PortalActor, page_router
from app.core.db import SessionDep
from app.core.forms import attempt_form
from app.core.inputs import Id
from app.core.web import render, see_other
from app.messaging import service
from app.messaging.schemas import MessageCreate, ReportCreate

router = page_router()
FormField = Annotated[str, Form()]


@router.get("/messages")
def inbox(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser
) -> Response:
    context = {
        "conversations": service.conversations(session, actor),
        "contacts": service.contacts(session, actor),
    }
    return render(request, "messaging/inbox.html", context)


def _conversation_page(
    request: Request, session: SessionDep, actor: PortalActor, user_id: int,
    cursor: str | None = None, *, form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None, status: int = 200,
) -> Response:  # fmt: skip
    view = service.conversation_with(session, actor, user_id, cursor)
    context = {"view": view, "form": form or {}, "errors": errors or {}}
    return render(request, "messaging/conversation.html", context, status)


@router.get("/messages/{user_id}")
def conversation(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    user_id: Id, cursor: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:  # fmt: skip
    return _conversation_page(request, session, actor, user_id, cursor)


@router.post("/messages/{user_id}")
def send(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    user_id: Id, body_markdown: FormField = "",
) -> Response:  # fmt: skip
    typed = {"body_markdown": body_markdown}
    with attempt_form(request, session) as attempt:
        message = service.send(session, actor, user_id, MessageCreate.model_validate(typed))
    if attempt.refused:
        return _conversation_page(request, session, actor, user_id, form=typed,
                                  errors=attempt.errors, status=400)  # fmt: skip
    # The page that shows the new message: in a long conversation, not the first one.
    cursor = service.cursor_of_page_with(session, message)
    page = f"?cursor={cursor}" if cursor else ""
    return see_other(f"/messages/{user_id}{page}#message-{message.id}")


@router.post("/messages/{user_id}/block")
def block(
    session: SessionDep, actor: PortalActor, _user: CurrentUser, user_id: Id,
    blocked: FormField = "1",
) -> Response:  # fmt: skip
    service.set_blocked(session, actor, user_id, blocked=blocked == "1")
    return see_other(f"/messages/{user_id}")


@router.post("/messages/{user_id}/reports/{message_id}")
def report(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    user_id: Id, message_id: Id, reason: FormField = "",
) -> Response:  # fmt: skip
    typed = {"reason": reason}
    with attempt_form(request, session) as attempt:
        service.report(session, actor, message_id, ReportCreate.model_validate(typed))
    if attempt.refused:
        return _conversation_page(request, session, actor, user_id, form=typed,
                                  errors=attempt.errors, status=400)  # fmt: skip
    return see_other(f"/messages/{user_id}?reported=1")


@router.get("/admin/message-reports")
def reports_page(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser
) -> Response:
    context = {"reports": service.open_reports(session, actor)}
    return render(request, "messaging/reports.html", context)


@router.post("/admin/message-reports/{report_id}/resolve")
def resolve(session: SessionDep, actor: PortalActor, _user: CurrentUser, report_id: Id) -> Response:
    service.resolve_report(session, actor, report_id)
    return see_other("/admin/message-reports")


routers = [router]
