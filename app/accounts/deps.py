"""Who is asking: the API's bearer token or the portal's session cookie, turned into an Actor."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from app.accounts import auth, policy, usage
from app.accounts.models import User
from app.core.actors import ANONYMOUS, Actor
from app.core.config import Settings, settings_of
from app.core.db import SessionDep
from app.core.errors import Forbidden, Unauthenticated
from app.core.i18n import N_, negotiate
from app.core.middleware import keep_private
from app.core.routes import DeferredRoute
from app.core.security import (
    InvalidToken,
    csrf_token_for,
    csrf_token_matches,
    decode_access_token,
    new_token,
)

SESSION_COOKIE = "agora_session"
ANONYMOUS_COOKIE = "agora_anon"


async def request_settings(request: Request) -> Settings:  # no I/O: no thread
    return settings_of(request.app)


SettingsDep = Annotated[Settings, Depends(request_settings)]


@dataclass(frozen=True)
class Viewer:
    id: int
    display_name: str
    is_manager: bool
    time_zone: str
    sees_institutions: bool = False
    counts: Mapping[str, int] = field(default_factory=dict)


class CsrfFailed(Forbidden):
    code = "csrf_failed"
    title = N_("This form has expired or did not come from Agora; reload the page and try again.")


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


# --- API -----------------------------------------------------------------------------------


def api_actor(request: Request, session: SessionDep, settings: SettingsDep) -> Actor:
    """The bearer token's actor; no Authorization header means anonymous. A partner client's
    request is counted against its limit first."""
    header = request.headers.get("authorization")
    if not header:
        return ANONYMOUS
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated(N_("Send `Authorization: Bearer <access token>`."))
    try:
        claims = decode_access_token(settings, token.strip())
        client_id = auth.client_of_claims(claims)
        if client_id is not None:
            _count_client_request(request, settings, client_id)
        return auth.actor_for_claims(session, claims)
    except InvalidToken as exc:
        raise Unauthenticated(N_("The access token is invalid or has expired.")) from exc


def _count_client_request(request: Request, settings: Settings, client_id: int) -> None:
    """Before the request's own session reads anything: on SQLite a write's session holds the
    database's write lock from its first statement, which the count's transaction would wait
    for. Remembered first, so that a refusal for the limit counts as an error too."""
    setattr(request.state, usage.COUNTED_CLIENT, client_id)
    if not usage.count_request(settings, client_id):
        setattr(request.state, usage.COUNTED_CLIENT, None)


ApiActor = Annotated[Actor, Depends(api_actor)]


async def signed_in_api_actor(actor: ApiActor) -> Actor:
    if actor.is_anonymous:
        raise Unauthenticated(N_("This operation needs an access token."))
    return actor


SignedInApiActor = Annotated[Actor, Depends(signed_in_api_actor)]


# --- portal --------------------------------------------------------------------------------


def portal_actor(request: Request, session: SessionDep, settings: SettingsDep) -> Actor:
    """The signed-in user of the session cookie, with the page's language and CSRF token
    kept on `request.state` for rendering."""
    token = request.cookies.get(SESSION_COOKIE)
    found = auth.session_user(session, token) if token else None
    user, counts = found if found else (None, {})
    request.state.user = user
    if user is not None:
        keep_private(request)  # whatever this page shows, it is shown to this person
    # What pages show of the user, safe to render after the session has closed (error pages).
    request.state.viewer = (
        Viewer(
            user.id,
            user.display_name,
            policy.sees_administration(user),
            user.time_zone,
            policy.sees_institutions_page(user),
            counts,
        )
        if user
        else None
    )
    request.state.locale = negotiate(
        user.preferred_language if user else request.cookies.get("lang"),
        request.headers.get("accept-language"),
    )
    key = token if user and token else _anonymous_key(request)
    request.state.csrf_key = key
    request.state.csrf_token = csrf_token_for(settings, key)
    return auth.actor_for_user(user) if user else ANONYMOUS


def _anonymous_key(request: Request) -> str:
    key = request.cookies.get(ANONYMOUS_COOKIE)
    if not key:
        key = new_token()
        request.state.new_anonymous_key = key
    return key


PortalActor = Annotated[Actor, Depends(portal_actor)]


async def current_user(request: Request, _actor: PortalActor) -> User:
    user: User | None = request.state.user
    if user is None:
        raise Unauthenticated()
    return user


CurrentUser = Annotated[User, Depends(current_user)]


async def verify_csrf(request: Request, _actor: PortalActor, settings: SettingsDep) -> None:
    """Every state-changing form carries the token bound to this browser's session."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    form = await request.form()
    submitted = form.get("csrf_token")
    if not isinstance(submitted, str) or not csrf_token_matches(
        settings, request.state.csrf_key, submitted
    ):
        raise CsrfFailed()


def page_router(prefix: str = "") -> APIRouter:
    """The router every domain's pages use: out of the OpenAPI document, CSRF-checked."""
    return APIRouter(
        prefix=prefix,
        include_in_schema=False,
        dependencies=[Depends(verify_csrf)],
        route_class=DeferredRoute,
    )
