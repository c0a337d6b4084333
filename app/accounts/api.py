"""Accounts over the API: tokens, users, institutions and partner API clients."""

import base64
import binascii
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request, status

from app.accounts import auth, service
from app.accounts.deps import SettingsDep, SignedInApiActor, client_ip
from app.accounts.schemas import (
    ApiClientCreate,
    ApiClientCreated,
    ApiClientRead,
    ApiClientUpdate,
    ApiClientUsageRead,
    InstitutionCreate,
    InstitutionRead,
    InstitutionUpdate,
    PasswordChange,
    PasswordResetConfirm,
    PasswordResetRequest,
    ProfileUpdate,
    TokenResponse,
    UserAdminUpdate,
    UserCreate,
    UserRead,
)
from app.core.db import SessionDep
from app.core.errors import Invalid
from app.core.i18n import N_
from app.core.inputs import Id
from app.core.middleware import keep_private
from app.core.pagination import Page
from app.core.routes import DeferredRoute

auth_router = APIRouter(prefix="/auth", tags=["authentication"], route_class=DeferredRoute)
users_router = APIRouter(prefix="/users", tags=["users"], route_class=DeferredRoute)
institutions_router = APIRouter(
    prefix="/institutions", tags=["institutions"], route_class=DeferredRoute
)
clients_router = APIRouter(prefix="/api-clients", tags=["API clients"], route_class=DeferredRoute)


class UnsupportedGrant(Invalid):
    code = "unsupported_grant_type"
    title = N_("grant_type must be password, client_credentials or refresh_token.")


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, _, secret = base64.b64decode(encoded).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return client_id, secret


@auth_router.post("/token", response_model=TokenResponse, dependencies=[Depends(keep_private)])
def issue_token(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    grant_type: Annotated[str, Form()],
    username: Annotated[str | None, Form()] = None,
    password: Annotated[str | None, Form()] = None,
    scope: Annotated[str | None, Form()] = None,
    refresh_token: Annotated[str | None, Form()] = None,
    client_id: Annotated[str | None, Form()] = None,
    client_secret: Annotated[str | None, Form()] = None,
) -> auth.IssuedTokens:
    """OAuth 2 token endpoint (form-encoded).

    - `password`: a person's `username` (e-mail) and `password`; returns an access token and
      a refresh token.
    - `client_credentials`: a partner system's `client_id` and `client_secret` (form fields
      or HTTP Basic); the token carries at most the scopes granted to the client.
    - `refresh_token`: exchanges a refresh token for a new pair; each refresh token works once.

    Every answer is sent with `Cache-Control: no-store`. Wrong passwords and wrong client
    secrets are limited per account or client and per address: past the limit the answer is
    429 with `Retry-After`.
    """
    if grant_type == "password" and username and password:
        return auth.password_grant(session, settings, username, password, scope, client_ip(request))
    if grant_type == "client_credentials":
        basic = _basic_credentials(request)
        cid, secret = basic if basic else (client_id or "", client_secret or "")
        return auth.client_credentials_grant(
            session, settings, cid, secret, scope, client_ip(request)
        )
    if grant_type == "refresh_token" and refresh_token:
        return auth.refresh_grant(session, settings, refresh_token)
    raise UnsupportedGrant(field="grant_type")


@auth_router.post("/revoke", status_code=status.HTTP_204_NO_CONTENT)
def revoke_token(session: SessionDep, token: Annotated[str, Form()]) -> None:
    """Revoke a refresh token and every token refreshed from it (sign-out for API users)."""
    auth.revoke_refresh_token(session, token)


@auth_router.post("/password-reset", status_code=status.HTTP_202_ACCEPTED)
def request_password_reset(
    request: Request, body: PasswordResetRequest, session: SessionDep, settings: SettingsDep
) -> None:
    """E-mail a password-reset link if the address belongs to an account. The answer is the
    same either way, and so is the limit: past a few requests an hour for one address, or
    more from one network address, the answer is 429 with `Retry-After`."""
    auth.request_password_reset(session, settings, body.email, client_ip(request))


@auth_router.post("/password-reset/confirm", status_code=status.HTTP_204_NO_CONTENT)
def confirm_password_reset(
    request: Request, body: PasswordResetConfirm, session: SessionDep, settings: SettingsDep
) -> None:
    """Choose a new password with the token from the e-mail. Each token works once; every
    session and refresh token of the account is then revoked. Repeated failed tries get 429
    with `Retry-After`."""
    auth.reset_password(session, settings, body.token, body.new_password, client_ip(request))


@users_router.get("/me", response_model=UserRead)
def read_me(session: SessionDep, actor: SignedInApiActor) -> object:
    """The signed-in user's own account (any signed-in person)."""
    return service.get_user(session, actor, actor.user_id or 0)


@users_router.patch("/me", response_model=UserRead)
def update_me(body: ProfileUpdate, session: SessionDep, actor: SignedInApiActor) -> object:
    """Change your own display name, language, time zone or country (any signed-in person)."""
    return service.update_profile(session, actor, body)


@users_router.post("/me/password", status_code=status.HTTP_204_NO_CONTENT)
def change_my_password(body: PasswordChange, session: SessionDep, actor: SignedInApiActor) -> None:
    """Change your password; the current one is required. Every portal session and every
    refresh token of yours is then revoked (access tokens already issued expire on their own
    within minutes)."""
    auth.change_password(session, actor, body.current_password, body.new_password)


@users_router.get("", response_model=Page[UserRead])
def list_users(
    session: SessionDep,
    actor: SignedInApiActor,
    q: Annotated[str | None, Query(max_length=100, description="Search e-mail or name")] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> object:
    """Users, 20 per page by default; follow `next_cursor` for more. Managers only."""
    users, next_cursor = service.list_users(session, actor, search=q, cursor=cursor, limit=limit)
    return {"items": users, "next_cursor": next_cursor}


@users_router.post("", response_model=UserRead, status_code=status.HTTP_201_CREATED)
def create_user(body: UserCreate, session: SessionDep, actor: SignedInApiActor) -> object:
    """Create an account. Managers create ordinary users; staff roles need an admin."""
    return service.create_user(session, actor, body)


@users_router.get("/{user_id}", response_model=UserRead)
def read_user(user_id: Id, session: SessionDep, actor: SignedInApiActor) -> object:
    """One user: yourself, or for managers and partner systems with `users:read` a person of
    their reach; 404 for anyone else."""
    return service.get_user(session, actor, user_id)


@users_router.patch("/{user_id}", response_model=UserRead)
def administer_user(
    user_id: Id, body: UserAdminUpdate, session: SessionDep, actor: SignedInApiActor
) -> object:
    """Change a user's role, active flag or institution (managers and admins)."""
    return service.administer_user(session, actor, user_id, body)


@institutions_router.get("", response_model=list[InstitutionRead])
def list_institutions(session: SessionDep, actor: SignedInApiActor) -> object:
    """Partner institutions. An API client sees only its own."""
    return service.list_institutions(session, actor)


@institutions_router.post("", response_model=InstitutionRead, status_code=201)
def create_institution(
    body: InstitutionCreate, session: SessionDep, actor: SignedInApiActor
) -> object:
    """Register a partner institution (managers)."""
    return service.create_institution(session, actor, body)


@institutions_router.get("/{institution_id}", response_model=InstitutionRead)
def read_institution(institution_id: Id, session: SessionDep, actor: SignedInApiActor) -> object:
    """One institution (signed-in people; a partner system: its own only, 404 otherwise)."""
    return service.get_institution(session, actor, institution_id)


@institutions_router.patch("/{institution_id}", response_model=InstitutionRead)
def update_institution(
    institution_id: Id, body: InstitutionUpdate, session: SessionDep, actor: SignedInApiActor
) -> object:
    """Rename an institution or change its country or grading scale (managers)."""
    return service.update_institution(session, actor, institution_id, body)


@clients_router.get("", response_model=list[ApiClientRead])
def list_api_clients(session: SessionDep, actor: SignedInApiActor) -> object:
    """Partner API clients (managers)."""
    return service.list_api_clients(session, actor)


@clients_router.get("/usage", response_model=list[ApiClientUsageRead])
def read_api_client_usage(
    session: SessionDep, settings: SettingsDep, actor: SignedInApiActor
) -> object:
    """Each partner client's traffic, per UTC minute summed: requests and error answers
    (status 400 or more, the 429s of its limit included) of the last 24 hours, requests of
    the last 30 days, the end of its newest minute, and the requests per minute it may send
    (managers; institution managers see their institution's clients)."""
    return service.api_client_usage(session, actor, settings)


@clients_router.post("", response_model=ApiClientCreated, status_code=201)
def create_api_client(
    body: ApiClientCreate, session: SessionDep, actor: SignedInApiActor
) -> object:
    """Create credentials for a partner institution's system. The secret is in this reply
    only; Agora keeps a hash. `rate_limit_per_minute` caps its requests (default: the
    platform's)."""
    client, secret = service.create_api_client(session, actor, body)
    read = ApiClientRead.model_validate(client).model_dump()
    return ApiClientCreated(**read, client_secret=secret)


@clients_router.patch("/{client_id:int}", response_model=ApiClientRead)
def update_api_client(
    client_id: Id, body: ApiClientUpdate, session: SessionDep, actor: SignedInApiActor
) -> object:
    """Change a live client's `rate_limit_per_minute` (null: the platform's default); managers
    reaching its institution. It applies from the next request."""
    return service.update_api_client(session, actor, client_id, body)


@clients_router.post("/{client_id}/revoke", response_model=ApiClientRead)
def revoke_api_client(client_id: Id, session: SessionDep, actor: SignedInApiActor) -> object:
    """Revoke a client: its tokens stop working at once (managers reaching its institution)."""
    return service.revoke_api_client(session, actor, client_id)


routers = [auth_router, users_router, institutions_router, clients_router]
