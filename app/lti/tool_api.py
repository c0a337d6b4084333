"""Agora as an LTI 1.3 tool. Under /api/v1: partner platforms (LMSs) registered by the partner's
client (`lti:manage`), its institution's managers or the coordinators. Outside it, the protocol
endpoints a platform calls: the OIDC login initiation and the launch. A refused launch is a
page saying why, with 400, 401 or 403 (503 while the platform's keys cannot be fetched)."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts import auth
from app.accounts.deps import SESSION_COOKIE, SettingsDep, SignedInApiActor, client_ip
from app.core.config import Settings
from app.core.db import SessionDep
from app.core.errors import DomainError, Forbidden, ServiceUnavailable, Unauthenticated
from app.core.inputs import Id
from app.core.routes import DeferredRoute
from app.core.web import render
from app.lti.tool_models import LtiPlatform
from app.lti.tool_schemas import PlatformCreate, PlatformRead, PlatformRegistered, PlatformUpdate
from app.lti.tool_service import launch as launches
from app.lti.tool_service import login as logins
from app.lti.tool_service import platforms

router = APIRouter(prefix="/lti/platforms", tags=["lti"], route_class=DeferredRoute)
protocol_router = APIRouter(prefix="/lti/tool", include_in_schema=False, route_class=DeferredRoute)

STATE_COOKIE = "agora_lti_state"
Field = Annotated[str | None, Form(max_length=20_000)]


def _registered(platform: LtiPlatform, settings: Settings) -> PlatformRegistered:
    read = PlatformRead.model_validate(platform).model_dump()
    return PlatformRegistered(**read, tool=platforms.tool_endpoints(settings))


@router.get("", response_model=list[PlatformRead])
def list_platforms(session: SessionDep, actor: SignedInApiActor) -> object:
    """The LMSs registered to launch into Agora for the caller's institution (every one for a
    coordinator)."""
    return platforms.platforms(session, actor)


@router.post("", response_model=PlatformRegistered, status_code=201)
def register_platform(
    data: PlatformCreate, session: SessionDep, actor: SignedInApiActor, settings: SettingsDep
) -> PlatformRegistered:
    """Register a partner LMS as an LTI 1.3 platform: its issuer, the client id it gave Agora,
    its deployment ids and its OIDC authorisation, token and JWKS endpoints. The reply's
    `tool` gives what to enter in the LMS: Agora's login initiation URL, launch (redirect)
    URL and JWKS URL. People the LMS launches are provisioned in `institution_id`."""
    return _registered(platforms.register(session, actor, settings, data), settings)


@router.get("/{platform_id:int}", response_model=PlatformRegistered)
def read_platform(
    platform_id: Id, session: SessionDep, actor: SignedInApiActor, settings: SettingsDep
) -> PlatformRegistered:
    """One registration, with Agora's endpoints for the LMS."""
    return _registered(platforms.platform(session, actor, platform_id), settings)


@router.patch("/{platform_id:int}", response_model=PlatformRegistered)
def update_platform(
    platform_id: Id,
    data: PlatformUpdate,
    session: SessionDep,
    actor: SignedInApiActor,
    settings: SettingsDep,
) -> PlatformRegistered:
    """Change a registration (a new deployment, rotated endpoints); the fields left out keep
    their values."""
    return _registered(platforms.update(session, actor, settings, platform_id, data), settings)


@router.delete("/{platform_id:int}", status_code=204)
def remove_platform(platform_id: Id, session: SessionDep, actor: SignedInApiActor) -> None:
    """Remove the registration: the LMS can no longer launch into Agora and grades stop
    going back to it. The people it provisioned keep their accounts."""
    platforms.remove(session, actor, platform_id)


# --- protocol ------------------------------------------------------------------------------


@protocol_router.get("/login")
def login_by_link(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    iss: str = "",
    login_hint: str = "",
    target_link_uri: str = "",
    lti_message_hint: str | None = None,
    client_id: str | None = None,
    lti_deployment_id: str | None = None,
) -> Response:
    wanted = logins.LoginRequest(
        iss, login_hint, target_link_uri, lti_message_hint, client_id, lti_deployment_id
    )
    return _login(request, session, settings, wanted)


@protocol_router.post("/login")
def login_by_form(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    iss: Field = None,
    login_hint: Field = None,
    target_link_uri: Field = None,
    lti_message_hint: Field = None,
    client_id: Field = None,
    lti_deployment_id: Field = None,
) -> Response:
    wanted = logins.LoginRequest(
        iss or "", login_hint or "", target_link_uri or "", lti_message_hint, client_id,
        lti_deployment_id,
    )  # fmt: skip
    return _login(request, session, settings, wanted)


def _login(
    request: Request, session: SessionDep, settings: Settings, wanted: logins.LoginRequest
) -> Response:
    try:
        redirect = logins.start(session, settings, wanted)
    except DomainError as error:
        return _refused(request, error)
    response = RedirectResponse(redirect.url, status_code=302)
    # Binds the state to this browser where third-party cookies are allowed: the launch comes
    # back as a cross-site POST, which only a SameSite=None cookie accompanies.
    response.set_cookie(
        STATE_COOKIE, redirect.state, max_age=int(logins.STATE_LIFETIME.total_seconds()),
        path="/lti/tool/", httponly=True, samesite="none" if settings.uses_https else "lax",
        secure=settings.uses_https,
    )  # fmt: skip
    return response


@protocol_router.post("/launch")
def launch(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    id_token: Field = None,
    state: Field = None,
) -> Response:
    form = launches.LaunchForm(
        id_token, state, request.cookies.get(STATE_COOKIE), client_ip(request),
        request.headers.get("user-agent", ""),
    )  # fmt: skip
    try:
        launched = launches.launch(session, settings, form)
    except DomainError as error:
        return _refused(request, error)
    old_token = request.cookies.get(SESSION_COOKIE)
    if old_token:
        auth.end_session(session, old_token)
    response = RedirectResponse(launched.landing, status_code=303)
    response.set_cookie(
        SESSION_COOKIE, launched.session_token, max_age=settings.session_days * 86400,
        httponly=True, samesite="lax", secure=settings.uses_https,
    )  # fmt: skip
    response.delete_cookie(STATE_COOKIE, path="/lti/tool/")
    return response


def _refused(request: Request, error: DomainError) -> Response:
    """The refusal as a page in the reader's language; nothing the request wrote is kept."""
    status = 400
    if isinstance(error, Unauthenticated):
        status = 401
    elif isinstance(error, Forbidden):
        status = 403
    elif isinstance(error, ServiceUnavailable):
        status = 503
    context = {"status": status, "code": error.code, "detail": error.detail}
    return render(request, "lti/tool_refused.html", context, status=status)


routers = [router]
