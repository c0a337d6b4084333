"""Administration pages for managers and admins: users, institutions and partner API clients.
Every rule is the service's; these routes parse forms and render."""

from typing import Annotated

from fastapi import Form, Query, Request
from fastapi.responses import Response

from app.accounts import service
from app.accounts.deps import CurrentUser, PortalActor, SettingsDep, page_router
from app.accounts.schemas import ApiClientCreate, InstitutionCreate, UserAdminUpdate, UserCreate
from app.core.actors import PlatformRole, Scope
from app.core.db import SessionDep
from app.core.forms import attempt_form
from app.core.inputs import Id
from app.core.web import render, see_other

router = page_router("/admin")

FormField = Annotated[str, Form()]


def _blank_to_none(values: dict[str, str]) -> dict[str, str | None]:
    return {name: (value or None) for name, value in values.items()}


@router.get("")
def admin_home(_user: CurrentUser) -> Response:
    return see_other("/admin/users")


@router.get("/users")
def users(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    q: Annotated[str | None, Query(max_length=100)] = None,
    cursor: str | None = None,
) -> Response:
    return _users_page(request, session, actor, q=q, cursor=cursor)


def _users_page(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    *,
    q: str | None = None,
    cursor: str | None = None,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    found, next_cursor = service.list_users(session, actor, search=q, cursor=cursor, limit=50)
    context = {
        "users": found,
        "next_cursor": next_cursor,
        "q": q or "",
        "institutions": service.list_institutions(session, actor),
        "roles": list(PlatformRole),
        "form": form or {},
        "errors": errors or {},
    }
    return render(request, "accounts/admin_users.html", context, 400 if errors else 200)


@router.post("/users")
def create_user(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    email: FormField = "",
    display_name: FormField = "",
    password: FormField = "",
    preferred_language: FormField = "en",
    time_zone: FormField = "UTC",
    country: FormField = "",
    institution_code: FormField = "",
    platform_role: FormField = "user",
) -> Response:
    typed = {
        "email": email,
        "display_name": display_name,
        "preferred_language": preferred_language,
        "time_zone": time_zone,
        "country": country,
        "institution_code": institution_code,
        "platform_role": platform_role,
    }
    with attempt_form(request, session) as attempt:
        data = UserCreate(**_blank_to_none({**typed, "password": password}))
        created = service.create_user(session, actor, data)
    if attempt.refused:
        return _users_page(request, session, actor, form=typed, errors=attempt.errors)
    return see_other(f"/admin/users/{created.id}?created=1")


@router.get("/users/{user_id}")
def edit_user(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, user_id: Id
) -> Response:
    return _edit_user_page(request, session, actor, user_id)


def _edit_user_page(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    user_id: Id,
    errors: dict[str, str] | None = None,
) -> Response:
    context = {
        "subject": service.get_user(session, actor, user_id),
        "institutions": service.list_institutions(session, actor),
        "roles": list(PlatformRole),
        "errors": errors or {},
    }
    return render(request, "accounts/admin_user_edit.html", context, 400 if errors else 200)


@router.post("/users/{user_id}")
def update_user(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    user_id: Id,
    display_name: FormField = "",
    platform_role: FormField = "user",
    institution_code: FormField = "",
    is_active: Annotated[bool, Form()] = False,
) -> Response:
    changes: dict[str, object] = {
        "display_name": display_name,
        "is_active": is_active,
        "platform_role": platform_role,
    }
    if institution_code:
        changes["institution_code"] = institution_code
    with attempt_form(request, session) as attempt:
        service.administer_user(session, actor, user_id, UserAdminUpdate.model_validate(changes))
    if attempt.refused:
        return _edit_user_page(request, session, actor, user_id, attempt.errors)
    return see_other(f"/admin/users/{user_id}?saved=1")


@router.get("/institutions")
def institutions(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser
) -> Response:
    return _institutions_page(request, session, actor)


def _institutions_page(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    service.require_institution_manager(actor)
    context = {
        "institutions": service.list_institutions(session, actor),
        "form": form or {},
        "errors": errors or {},
    }
    return render(request, "accounts/admin_institutions.html", context, 400 if errors else 200)


@router.post("/institutions")
def create_institution(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    code: FormField = "",
    name: FormField = "",
    country: FormField = "",
) -> Response:
    typed = {"code": code, "name": name, "country": country}
    with attempt_form(request, session) as attempt:
        service.create_institution(session, actor, InstitutionCreate(**typed))
    if attempt.refused:
        return _institutions_page(request, session, actor, typed, attempt.errors)
    return see_other("/admin/institutions?created=1")


@router.get("/api-clients")
def api_clients(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: PortalActor,
    _user: CurrentUser,
) -> Response:
    return _clients_page(request, session, settings, actor)


def _clients_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: PortalActor,
    *,
    form: dict[str, object] | None = None,
    errors: dict[str, str] | None = None,
    created: tuple[str, str] | None = None,
) -> Response:
    context = {
        "usage": service.api_client_usage(session, actor, settings),
        "default_limit": settings.api_client_requests_per_minute,
        "institutions": service.list_institutions(session, actor),
        "scopes": [scope.value for scope in Scope],
        "form": form or {},
        "errors": errors or {},
        "created": created,
    }
    return render(request, "accounts/admin_api_clients.html", context, 400 if errors else 200)


@router.post("/api-clients")
def create_api_client(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: PortalActor,
    _user: CurrentUser,
    name: FormField = "",
    institution_code: FormField = "",
    scopes: Annotated[list[str] | None, Form()] = None,
    rate_limit_per_minute: FormField = "",
) -> Response:
    typed: dict[str, object] = {
        "name": name,
        "institution_code": institution_code,
        "scopes": scopes or [],
        "rate_limit_per_minute": rate_limit_per_minute.strip() or None,
    }
    with attempt_form(request, session) as attempt:
        client, secret = service.create_api_client(
            session, actor, ApiClientCreate.model_validate(typed)
        )
    if attempt.refused:
        return _clients_page(request, session, settings, actor, form=typed, errors=attempt.errors)
    # Shown on this page only: the secret is never stored in clear.
    return _clients_page(request, session, settings, actor, created=(client.client_id, secret))


@router.post("/api-clients/{client_id}/revoke")
def revoke_api_client(
    session: SessionDep, actor: PortalActor, _user: CurrentUser, client_id: Id
) -> Response:
    service.revoke_api_client(session, actor, client_id)
    return see_other("/admin/api-clients?revoked=1")
