"""The privacy pages: a person's own (their data as a zip, asking for their erasure), linked
from their profile; the managers' privacy page (who the officers are; the officers' waiting
requests and search; the admins' naming of officers) and an officer's page of a person (their
export, and the erasure confirmed by typing their address). Every rule is the service's;
everything works without JavaScript."""

from typing import Annotated

from fastapi import Form, Query, Request
from fastapi.responses import Response, StreamingResponse

from app.accounts.deps import CurrentUser, PortalActor, SettingsDep, page_router
from app.core.db import SessionDep
from app.core.downloads import attachment_headers
from app.core.errors import Forbidden
from app.core.forms import attempt_form
from app.core.inputs import Id
from app.core.web import render, see_other
from app.privacy import policy
from app.privacy.schemas import ErasureAsk, ErasureConfirm
from app.privacy.service import access, export, officers, people, requests
from app.privacy.service.export import PersonalData

router = page_router()
FormField = Annotated[str, Form()]
RECENT = 20


def _download(data: PersonalData) -> StreamingResponse:
    headers = {**attachment_headers(data.name), "Content-Length": str(data.size)}
    return StreamingResponse(data.chunks(), media_type="application/zip", headers=headers)


# --- one's own ---------------------------------------------------------------------------


def _mine_page(
    request: Request, session: SessionDep, actor: PortalActor, *,
    form: dict[str, str] | None = None, errors: dict[str, str] | None = None, status: int = 200,
) -> Response:  # fmt: skip
    context = {"view": people.mine(session, actor), "form": form or {}, "errors": errors or {}}
    return render(request, "privacy/mine.html", context, status)


@router.get("/profile/personal-data")
def my_privacy(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser
) -> Response:
    return _mine_page(request, session, actor)


@router.get("/profile/personal-data/export")
def my_export(
    session: SessionDep, actor: PortalActor, settings: SettingsDep, _user: CurrentUser
) -> Response:
    return _download(export.export_mine(session, actor, settings))


@router.post("/profile/personal-data/erasure-request")
def ask_for_erasure(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    reason: FormField = "",
) -> Response:  # fmt: skip
    typed = {"reason": reason}
    with attempt_form(request, session) as attempt:
        requests.ask(session, actor, ErasureAsk.model_validate(typed))
    if attempt.refused:
        return _mine_page(request, session, actor, form=typed, errors=attempt.errors, status=400)
    return see_other("/profile/personal-data?asked=1")


# --- the managers' privacy page ----------------------------------------------------------


def _admin_page(
    request: Request, session: SessionDep, actor: PortalActor, *, search: str = "",
    form: dict[str, str] | None = None, errors: dict[str, str] | None = None, status: int = 200,
) -> Response:  # fmt: skip
    if not policy.sees_privacy_page(actor):
        raise Forbidden()
    officer = policy.is_officer(actor, access.holds_grant(session, actor))
    context = {
        "officers": officers.officers(session, actor),
        "is_officer": officer,
        "names_officers": policy.can_manage_officers(actor),
        "waiting": requests.requests(session, actor, waiting=True)[0] if officer else [],
        "done": _recent(session, actor) if officer else [],
        "search": search,
        "found": people.find(session, actor, search) if officer and search.strip() else [],
        "form": form or {},
        "errors": errors or {},
    }
    return render(request, "privacy/admin.html", context, status)


def _recent(session: SessionDep, actor: PortalActor) -> list[requests.RequestRow]:
    rows, _next = requests.requests(session, actor, waiting=False, limit=100)
    return rows[-RECENT:][::-1]


@router.get("/admin/privacy")
def admin_privacy(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    q: Annotated[str, Query(max_length=200)] = "",
) -> Response:  # fmt: skip
    return _admin_page(request, session, actor, search=q)


@router.post("/admin/privacy/officers")
def grant(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser,
    email: FormField = "",
) -> Response:  # fmt: skip
    typed = {"email": email}
    with attempt_form(request, session) as attempt:
        officers.grant_by_email(session, actor, email)
    if attempt.refused:
        return _admin_page(request, session, actor, form=typed, errors=attempt.errors, status=400)
    return see_other("/admin/privacy?granted=1")


@router.post("/admin/privacy/officers/{user_id}/withdraw")
def withdraw(session: SessionDep, actor: PortalActor, _user: CurrentUser, user_id: Id) -> Response:
    officers.withdraw(session, actor, user_id)
    return see_other("/admin/privacy?withdrawn=1")


# --- an officer's page of a person -------------------------------------------------------


def _person_page(
    request: Request, session: SessionDep, actor: PortalActor, user_id: int, *,
    form: dict[str, str] | None = None, errors: dict[str, str] | None = None, status: int = 200,
) -> Response:  # fmt: skip
    context = {
        "view": people.person(session, actor, user_id),
        "form": form or {},
        "errors": errors or {},
    }
    return render(request, "privacy/person.html", context, status)


@router.get("/admin/privacy/people/{user_id}")
def person_page(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, user_id: Id
) -> Response:
    return _person_page(request, session, actor, user_id)


@router.get("/admin/privacy/people/{user_id}/export")
def person_export(
    session: SessionDep, actor: PortalActor, settings: SettingsDep, _user: CurrentUser,
    user_id: Id,
) -> Response:  # fmt: skip
    return _download(export.export_person(session, actor, settings, user_id))


@router.post("/admin/privacy/people/{user_id}/erase")
def erase(
    request: Request, session: SessionDep, actor: PortalActor, settings: SettingsDep,
    _user: CurrentUser, user_id: Id, confirm_email: FormField = "", reason: FormField = "",
) -> Response:  # fmt: skip
    typed = {"confirm_email": confirm_email, "reason": reason}
    with attempt_form(request, session) as attempt:
        done = requests.erase(
            session, actor, settings, user_id, ErasureConfirm.model_validate(typed)
        )
    if attempt.refused:
        return _person_page(request, session, actor, user_id, form=typed,
                            errors=attempt.errors, status=400)  # fmt: skip
    return see_other(f"/admin/privacy?erased={done.person_id}")


routers = [router]
