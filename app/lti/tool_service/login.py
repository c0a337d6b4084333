"""The OIDC third-party-initiated login a partner platform starts (LTI Core 1.3 §4.1, 1EdTech
Security Framework §5.1.1): the registration is chosen by `iss` (and `client_id` when sent),
the target must be one of Agora's addresses, and a single-use `state` and `nonce` are kept ten
minutes for the launch that comes back to `/lti/tool/launch`."""

import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode, urlsplit, urlunsplit

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.core.db import utcnow
from app.core.errors import Invalid
from app.core.i18n import N_
from app.lti.tool_models import LtiLoginState, LtiPlatform

STATE_LIFETIME = timedelta(minutes=10)
MAX_PARAMETER = 2000


class UnknownPlatform(Invalid):
    code = "lti_unknown_platform"
    title = N_("No LMS with this issuer and client id is registered with Agora.")


class AmbiguousPlatform(Invalid):
    code = "lti_ambiguous_platform"
    title = N_("Several LMS registrations share this issuer: the login must name its client_id.")


class LoginIncomplete(Invalid):
    code = "lti_login_incomplete"
    title = N_("The LTI login request lacks iss, login_hint or target_link_uri.")


class ForeignTarget(Invalid):
    code = "lti_foreign_target"
    title = N_("The launch's target is not an Agora address.")


class UnknownDeployment(Invalid):
    code = "lti_unknown_deployment"
    title = N_("This deployment of Agora is not registered for the LMS.")


@dataclass(frozen=True)
class LoginRequest:
    iss: str
    login_hint: str
    target_link_uri: str
    lti_message_hint: str | None = None
    client_id: str | None = None
    lti_deployment_id: str | None = None


@dataclass(frozen=True)
class LoginRedirect:
    url: str  # the platform's authorisation endpoint, with the authentication request
    state: str


def launch_url(settings: Settings) -> str:
    return f"{settings.base_url.rstrip('/')}/lti/tool/launch"


def is_ours(settings: Settings, address: str) -> bool:
    """An address on this Agora (same scheme, host and port), whatever the path."""
    base = settings.base_url.rstrip("/")
    return address == base or address.startswith(f"{base}/")


def start(session: Session, settings: Settings, request: LoginRequest) -> LoginRedirect:
    """Answer a platform's login initiation with the authentication request to send the
    browser to; nothing is kept unless every check passes."""
    for value in (request.iss, request.login_hint, request.target_link_uri):
        if not value or len(value) > MAX_PARAMETER:
            raise LoginIncomplete()
    platform = find_platform(session, request.iss, request.client_id)
    if not is_ours(settings, request.target_link_uri):
        raise ForeignTarget(field="target_link_uri")
    deployment = request.lti_deployment_id
    if deployment is not None and deployment not in platform.deployment_ids:
        raise UnknownDeployment(field="lti_deployment_id")
    now = utcnow()
    session.execute(delete(LtiLoginState).where(LtiLoginState.expires_at < now))
    state = LtiLoginState(
        state=secrets.token_urlsafe(32), nonce=secrets.token_urlsafe(32),
        platform_id=platform.id, target_link_uri=request.target_link_uri,
        expires_at=now + STATE_LIFETIME,
    )  # fmt: skip
    session.add(state)
    session.flush()
    parameters = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": platform.client_id,
        "redirect_uri": launch_url(settings),
        "login_hint": request.login_hint,
        "state": state.state,
        "nonce": state.nonce,
    }
    if request.lti_message_hint is not None:
        parameters["lti_message_hint"] = request.lti_message_hint
    return LoginRedirect(_with_query(platform.auth_login_url, parameters), state.state)


def find_platform(session: Session, issuer: str, client_id: str | None) -> LtiPlatform:
    stmt = select(LtiPlatform).where(LtiPlatform.issuer == issuer).order_by(LtiPlatform.id)
    if client_id:
        stmt = stmt.where(LtiPlatform.client_id == client_id)
    found = session.scalars(stmt.limit(2)).all()
    if not found:
        raise UnknownPlatform(field="iss")
    if len(found) > 1:
        raise AmbiguousPlatform(field="client_id")
    return found[0]


def _with_query(address: str, parameters: dict[str, str]) -> str:
    parts = urlsplit(address)
    query = "&".join(q for q in (parts.query, urlencode(parameters)) if q)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))
