"""Sign-in, sign-out, password reset, profile and language pages."""

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import Response
from pydantic import ValidationError

from app.accounts import auth, service
from app.accounts.deps import (
    SESSION_COOKIE,
    CurrentUser,
    PortalActor,
    SettingsDep,
    client_ip,
    page_router,
)
from app.accounts.schemas import PasswordChange, ProfileUpdate
from app.core.db import SessionDep
from app.core.errors import DomainError, Invalid
from app.core.i18n import SUPPORTED_LOCALES
from app.core.web import field_errors, render, safe_next, see_other, status_for

router = page_router()

MIN_PASSWORD = 10


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    return render(request, "accounts/login.html", {"next": safe_next(next), "email": ""})


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    try:
        user = auth.authenticate(session, settings, email, password, client_ip(request))
    except DomainError as error:
        context = {"next": safe_next(next), "email": email, "error": error.detail}
        return render(request, "accounts/login.html", context, status=status_for(error))
    old_token = request.cookies.get(SESSION_COOKIE)
    if old_token:
        auth.end_session(session, old_token)
    token = auth.start_session(
        session, settings, user, client_ip(request), request.headers.get("user-agent", "")
    )
    response = see_other(safe_next(next))
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_days * 86400,
        httponly=True,
        samesite="lax",
        secure=settings.uses_https,
    )
    return response


@router.post("/logout")
def logout(request: Request, session: SessionDep) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        auth.end_session(session, token)
    response = see_other("/")
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.post("/logout-everywhere")
def logout_everywhere(session: SessionDep, user: CurrentUser) -> Response:
    auth.end_all_sessions(session, user.id)
    response = see_other("/login")
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/reset-password")
def reset_request_form(request: Request) -> Response:
    return render(request, "accounts/reset_request.html", {"email": ""})


@router.post("/reset-password")
def reset_request(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    email: Annotated[str, Form(max_length=320)] = "",
) -> Response:
    if "@" not in email:
        errors = {"email": "Enter the e-mail address of your account."}
        return render(
            request, "accounts/reset_request.html", {"email": email, "errors": errors}, 400
        )
    auth.request_password_reset(session, settings, email)
    return render(request, "accounts/reset_request.html", {"email": email, "sent": True})


@router.get("/reset-password/{token}")
def reset_form(request: Request, token: str) -> Response:
    return render(request, "accounts/reset_confirm.html", {"token": token})


@router.post("/reset-password/{token}")
def reset_confirm(
    request: Request,
    session: SessionDep,
    token: str,
    new_password: Annotated[str, Form()] = "",
) -> Response:
    errors: dict[str, str] = {}
    if len(new_password) < MIN_PASSWORD:
        errors["new_password"] = f"Use at least {MIN_PASSWORD} characters."
    else:
        try:
            auth.reset_password(session, token, new_password)
        except Invalid as error:
            errors["token"] = error.detail
    if errors:
        return render(
            request, "accounts/reset_confirm.html", {"token": token, "errors": errors}, 400
        )
    return see_other("/login?reset=1")


@router.get("/profile")
def profile_form(request: Request, user: CurrentUser) -> Response:
    return render(request, "accounts/profile.html", {"form": user, "errors": {}})


@router.post("/profile")
def update_profile(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    display_name: Annotated[str, Form()] = "",
    preferred_language: Annotated[str, Form()] = "en",
    time_zone: Annotated[str, Form()] = "UTC",
    country: Annotated[str, Form()] = "",
) -> Response:
    typed = {
        "display_name": display_name,
        "preferred_language": preferred_language,
        "time_zone": time_zone,
        "country": country or None,
    }
    try:
        data = ProfileUpdate(**typed)
    except ValidationError as error:
        context = {"form": typed, "errors": field_errors(error)}
        return render(request, "accounts/profile.html", context, 400)
    service.update_profile(session, actor, data)
    return see_other("/profile?saved=1")


@router.post("/profile/password")
def change_password(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    user: CurrentUser,
    current_password: Annotated[str, Form()] = "",
    new_password: Annotated[str, Form()] = "",
) -> Response:
    try:
        data = PasswordChange(current_password=current_password, new_password=new_password)
        service.change_password(session, actor, data.current_password, data.new_password)
    except (ValidationError, Invalid) as error:
        errors = field_errors(error)
    else:
        return see_other("/profile?password=1")
    return render(request, "accounts/profile.html", {"form": user, "errors": errors}, 400)


@router.post("/language")
def choose_language(
    session: SessionDep,
    actor: PortalActor,
    language: Annotated[str, Form()] = "en",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Switch language on any page; remembered in the profile when signed in."""
    if language not in SUPPORTED_LOCALES:
        language = "en"
    if not actor.is_anonymous:
        service.update_profile(session, actor, ProfileUpdate(preferred_language=language))
    response = see_other(safe_next(next))
    response.set_cookie("lang", language, max_age=365 * 86400, samesite="lax")
    return response
