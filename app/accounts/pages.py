"""Sign-in, sign-out, password reset, profile and language pages."""

from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import Response

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
from app.core.config import Settings
from app.core.db import SessionDep, refuse_request
from app.core.errors import DomainError, Invalid, TooManyRequests
from app.core.forms import attempt_form
from app.core.i18n import SUPPORTED_LOCALES
from app.core.web import render, retry_headers, safe_next, see_other, status_for

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
        return _refused(request, "accounts/login.html", context, error)
    old_token = request.cookies.get(SESSION_COOKIE)
    if old_token:
        auth.end_session(session, old_token)
    token = auth.start_session(
        session, settings, user, client_ip(request), request.headers.get("user-agent", "")
    )
    return _with_session(see_other(safe_next(next)), settings, token)


def _with_session(response: Response, settings: Settings, token: str) -> Response:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_days * 86400,
        httponly=True,
        samesite="lax",
        secure=settings.uses_https,
    )
    return response


def _refused(
    request: Request,
    template: str,
    context: dict[str, Any],
    error: DomainError,
    status: int | None = None,
) -> Response:
    """The form again with the refusal, its status and, when throttled, `Retry-After`. A
    failed attempt the error keeps (a wrong password) still counts towards the limits."""
    page = render(request, template, context, status=status or status_for(error))
    page.headers.update(retry_headers(error))
    if error.keeps_changes:
        refuse_request(request, keep_changes=True)
    return page


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
    try:
        auth.request_password_reset(session, settings, email, client_ip(request))
    except TooManyRequests as error:
        context = {"email": email, "errors": {"email": error.detail}}
        return _refused(request, "accounts/reset_request.html", context, error)
    return render(request, "accounts/reset_request.html", {"email": email, "sent": True})


@router.get("/reset-password/{token}")
def reset_form(request: Request, token: str) -> Response:
    return render(request, "accounts/reset_confirm.html", {"token": token})


@router.post("/reset-password/{token}")
def reset_confirm(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    token: str,
    new_password: Annotated[str, Form()] = "",
) -> Response:
    errors: dict[str, str] = {}
    if len(new_password) < MIN_PASSWORD:
        errors["new_password"] = f"Use at least {MIN_PASSWORD} characters."
    else:
        try:
            auth.reset_password(session, settings, token, new_password, client_ip(request))
        except (TooManyRequests, Invalid) as error:
            context = {"token": token, "errors": {"token": error.detail}}
            status = 400 if isinstance(error, Invalid) else None
            return _refused(request, "accounts/reset_confirm.html", context, error, status)
    if errors:
        return render(
            request, "accounts/reset_confirm.html", {"token": token, "errors": errors}, 400
        )
    return see_other("/login?reset=1")


@router.get("/welcome/{token}")
def welcome_form(request: Request, session: SessionDep, token: str) -> Response:
    """An invitation's page, in the invited person's language while the link is live."""
    language = auth.invitation_language(session, token)
    if language in SUPPORTED_LOCALES:
        request.state.locale = language
    return render(request, "accounts/welcome.html", {"token": token})


@router.post("/welcome/{token}")
def welcome_confirm(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    token: str,
    new_password: Annotated[str, Form()] = "",
) -> Response:
    """An invitation's link: the person chooses their first password and is signed in."""
    if len(new_password) < MIN_PASSWORD:
        errors = {"new_password": f"Use at least {MIN_PASSWORD} characters."}
        return render(request, "accounts/welcome.html", {"token": token, "errors": errors}, 400)
    browser = auth.Browser(client_ip(request), request.headers.get("user-agent", ""))
    try:
        cookie = auth.accept_invitation_in_browser(session, settings, token, new_password, browser)
    except (TooManyRequests, Invalid) as error:
        context = {"token": token, "errors": {"token": error.detail}}
        status = 400 if isinstance(error, Invalid) else None
        return _refused(request, "accounts/welcome.html", context, error, status)
    return _with_session(see_other("/?welcome=1"), settings, cookie)


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
    with attempt_form(request, session) as attempt:
        service.update_profile(session, actor, ProfileUpdate(**typed))
    if attempt.refused:
        context = {"form": typed, "errors": attempt.errors}
        return render(request, "accounts/profile.html", context, 400)
    return see_other("/profile?saved=1")


@router.post("/profile/password")
def change_password(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: PortalActor,
    user: CurrentUser,
    current_password: Annotated[str, Form()] = "",
    new_password: Annotated[str, Form()] = "",
) -> Response:
    """Other browsers are signed out; this one carries on under a new session id."""
    browser = auth.Browser(client_ip(request), request.headers.get("user-agent", ""))
    with attempt_form(request, session) as attempt:
        data = PasswordChange(current_password=current_password, new_password=new_password)
        token = auth.change_password_in_browser(
            session, settings, actor, data.current_password, data.new_password, browser
        )
    if attempt.refused:
        context = {"form": user, "errors": attempt.errors}
        return render(request, "accounts/profile.html", context, 400)
    return _with_session(see_other("/profile?password=1"), settings, token)


@router.post("/language")
def choose_language(
    session: SessionDep,
    actor: PortalActor,
    language: Annotated[str, Form()] = "en",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Switch language on any page; remembered in the profile when signed in."""
    chosen = service.choose_language(session, actor, language)
    response = see_other(safe_next(next))
    response.set_cookie("lang", chosen, max_age=365 * 86400, samesite="lax")
    return response
