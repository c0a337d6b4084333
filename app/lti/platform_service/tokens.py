"""Our OAuth 2 token endpoint for the services tools call (1EdTech Security Framework §4.1):
the client credentials grant with a JWT client assertion (RFC 7523) signed RS256 by the tool's
key, issued and subjected by its client id, for our token URL (or our issuer), unexpired, with
a `jti` used once. It grants the scopes asked for that the tool's registration allows, as an
access token of ours (RS256, one hour, for our token URL). Every service request is checked
against it here."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.core.db import utcnow
from app.core.errors import Forbidden, Invalid, Unauthenticated
from app.core.i18n import N_
from app.lti.platform_models import LtiTool, LtiUsedAssertion
from app.lti.platform_schemas import ServiceScope
from app.lti.platform_service import ours, tool_keys

GRANT = "client_credentials"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ACCESS = "lti_access_token"
LIFETIME = timedelta(hours=1)
MAX_ASSERTION_LIFETIME = timedelta(hours=1)


class InvalidRequest(Invalid):
    code = "invalid_request"
    title = N_("The token request lacks a parameter or repeats one.")


class UnsupportedGrant(Invalid):
    code = "unsupported_grant_type"
    title = N_("Only the client_credentials grant with a JWT client assertion is supported.")


class InvalidClient(Unauthenticated):
    code = "invalid_client"
    title = N_("The client assertion is not valid for a registered tool.")


class InvalidScope(Invalid):
    code = "invalid_scope"
    title = N_("None of the scopes asked for is allowed to this tool.")


class InvalidToken(Unauthenticated):
    code = "invalid_token"
    title = N_("The access token is missing, expired or not ours.")


class InsufficientScope(Forbidden):
    code = "insufficient_scope"
    title = N_("The access token does not carry the scope this request needs.")


@dataclass(frozen=True)
class TokenRequest:
    grant_type: str | None
    client_assertion_type: str | None
    client_assertion: str | None
    scope: str | None


@dataclass(frozen=True)
class Granted:
    access_token: str
    expires_in: int
    scope: str


@dataclass(frozen=True)
class Caller:
    """A tool calling a service with one of our access tokens."""

    tool: LtiTool
    scopes: frozenset[str]

    def require(self, *any_of: ServiceScope) -> None:
        if not any(scope.value in self.scopes for scope in any_of):
            raise InsufficientScope()


def grant(session: Session, settings: Settings, wanted: TokenRequest) -> Granted:
    if wanted.grant_type != GRANT:
        raise UnsupportedGrant() if wanted.grant_type else InvalidRequest()
    if wanted.client_assertion_type != ASSERTION_TYPE or not wanted.client_assertion:
        raise InvalidRequest()
    if not wanted.scope:
        raise InvalidRequest()
    tool = _tool_of(session, wanted.client_assertion)
    claims = _verify(settings, tool, wanted.client_assertion)
    asked = set(wanted.scope.split())
    scopes = sorted(s for s in tool.scopes if s in asked and s in set(ServiceScope))
    if not scopes:
        raise InvalidScope()
    _use_jti(session, tool, claims)
    token = ours.sign(
        session, settings, ACCESS,
        {"sub": tool.client_id, "aud": ours.token_url(settings), "tool": tool.id,
         "scope": " ".join(scopes)},
        LIFETIME,
    )  # fmt: skip
    return Granted(token, int(LIFETIME.total_seconds()), " ".join(scopes))


def _tool_of(session: Session, assertion: str) -> LtiTool:
    try:
        claims = tool_keys.unverified_claims(assertion)
    except tool_keys.Refused:
        raise InvalidClient() from None
    client_id = claims.get("iss")
    if not isinstance(client_id, str) or claims.get("sub") != client_id:
        raise InvalidClient()
    tool = session.scalar(select(LtiTool).where(LtiTool.client_id == client_id))
    if tool is None:
        raise InvalidClient()
    return tool


def _verify(settings: Settings, tool: LtiTool, assertion: str) -> dict[str, Any]:
    audiences = (ours.token_url(settings), ours.issuer(settings))
    try:
        claims = tool_keys.verify(settings, tool, assertion, audiences=audiences)
    except (tool_keys.Refused, tool_keys.KeyUnavailable):
        raise InvalidClient() from None
    jti = claims.get("jti")
    if claims.get("sub") != tool.client_id or not isinstance(jti, str) or not 0 < len(jti) <= 255:
        raise InvalidClient()
    exp = datetime.fromtimestamp(int(claims["exp"]), UTC)
    if exp - utcnow() > MAX_ASSERTION_LIFETIME:  # a long-lived assertion is a standing key
        raise InvalidClient()
    return claims


def _use_jti(session: Session, tool: LtiTool, claims: dict[str, Any]) -> None:
    now = utcnow()
    session.execute(delete(LtiUsedAssertion).where(LtiUsedAssertion.expires_at < now))
    used = session.scalar(
        select(LtiUsedAssertion.id).where(
            LtiUsedAssertion.tool_id == tool.id, LtiUsedAssertion.jti == claims["jti"]
        )
    )
    if used is not None:
        raise InvalidClient(N_("This client assertion was already used."))
    expires = datetime.fromtimestamp(int(claims["exp"]), UTC) + timedelta(minutes=1)
    try:
        with session.begin_nested():  # the same assertion sent twice at once: one wins
            session.add(
                LtiUsedAssertion(
                    tool_id=tool.id, jti=claims["jti"], used_at=now, expires_at=expires
                )
            )
    except IntegrityError:
        raise InvalidClient(N_("This client assertion was already used.")) from None


def caller(session: Session, settings: Settings, authorization: str | None) -> Caller:
    """The tool whose access token the request carries (`Authorization: Bearer …`)."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidToken()
    try:
        claims = ours.verify(
            session, settings, token.strip(), ACCESS, audience=ours.token_url(settings)
        )
    except ours.NotOurs:
        raise InvalidToken() from None
    tool_id = claims.get("tool")
    tool = session.get(LtiTool, tool_id) if isinstance(tool_id, int) else None
    if tool is None or claims.get("sub") != tool.client_id:
        raise InvalidToken()
    granted = set(str(claims.get("scope", "")).split())
    # A scope removed from the registration since the token was granted no longer counts.
    return Caller(tool, frozenset(granted & set(tool.scopes)))
