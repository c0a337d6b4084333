"""A launch from a partner platform (LTI Core 1.3 §5.1, 1EdTech Security Framework §5.1.3):
the `state` of a login we started, unused and unexpired; the id_token signed RS256 by a key of
the platform's JWKS, from its issuer, for our client id, of a registered deployment, fresh,
carrying the nonce we sent — which is then kept, so the same token is refused again whatever
state comes with it. Then the person is matched or provisioned, enrolled if a Learner, linked
for grade passback and signed in, and lands on the course or module named.

Refusals raise before anything is kept: the request's transaction is rolled back."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from jose import jwt
from jose.exceptions import ExpiredSignatureError, JWTClaimsError, JWTError
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts import auth
from app.accounts.models import User
from app.core.addresses import UnsafeAddress, check_url
from app.core.config import Settings
from app.core.db import utcnow
from app.core.errors import Forbidden, Invalid, ServiceUnavailable, Unauthenticated
from app.core.i18n import N_
from app.lti.tool_models import LtiGradeLink, LtiLoginState, LtiPlatform, LtiUsedNonce
from app.lti.tool_service import people, remote, targets
from app.lti.tool_service.login import ForeignTarget, is_ours

LEEWAY_SECONDS = 60
MAX_TOKEN_AGE = timedelta(hours=1)
NONCE_KEPT_FOR = timedelta(days=1)
MAX_ID_TOKEN = 20_000
LTI = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_ENDPOINT = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"


class LaunchIncomplete(Invalid):
    code = "lti_launch_incomplete"
    title = N_("The launch lacks its id_token or state.")


class BadState(Unauthenticated):
    code = "lti_bad_state"
    title = N_("This launch was not started here, was already used or has expired.")


class MalformedToken(Unauthenticated):
    code = "lti_malformed_token"
    title = N_("The launch's id_token is not a signed RS256 token.")


class ForgedToken(Unauthenticated):
    code = "lti_forged_token"
    title = N_("The launch's id_token is not signed by the LMS's keys.")


class ExpiredToken(Unauthenticated):
    code = "lti_expired_token"
    title = N_("The launch's id_token has expired.")


class WrongClaims(Unauthenticated):
    code = "lti_wrong_claims"
    title = N_("The launch's id_token is not from this LMS, not for Agora, or not fresh.")


class WrongNonce(Unauthenticated):
    code = "lti_wrong_nonce"
    title = N_("The launch's id_token does not belong to this login.")


class ReplayedLaunch(Unauthenticated):
    code = "lti_replayed_launch"
    title = N_("This launch was already used.")


class DeploymentRefused(Forbidden):
    code = "lti_deployment_refused"
    title = N_("This deployment of Agora is not registered for the LMS.")


class UnsupportedMessage(Invalid):
    code = "lti_unsupported_message"
    title = N_("Agora accepts LTI 1.3.0 resource link launches only.")


class KeysUnavailable(ServiceUnavailable):
    code = "lti_keys_unavailable"
    title = N_("The LMS's public keys could not be fetched; try the launch again shortly.")


@dataclass(frozen=True)
class LaunchForm:
    id_token: str | None
    state: str | None
    browser_state: str | None  # the state cookie set at login, when the browser sent it
    ip: str
    user_agent: str


@dataclass(frozen=True)
class Launched:
    user: User
    session_token: str  # the portal session cookie's value
    landing: str  # the portal path to send the browser to


def launch(session: Session, settings: Settings, form: LaunchForm) -> Launched:
    if not form.id_token or not form.state or len(form.id_token) > MAX_ID_TOKEN:
        raise LaunchIncomplete()
    login = _consume_state(session, form.state, form.browser_state)
    platform = session.get_one(LtiPlatform, login.platform_id)
    claims = verify(settings, platform, form.id_token)
    _check_launch(platform, claims)
    _use_nonce(session, platform, login, claims)
    target_link = claims.get(f"{LTI}target_link_uri")
    target_link = target_link if isinstance(target_link, str) else login.target_link_uri
    if not is_ours(settings, target_link):
        raise ForeignTarget()
    custom = claims.get(f"{LTI}custom")
    target = targets.resolve(
        session, platform, target_link, custom if isinstance(custom, dict) else {}
    )
    user = people.person_for(session, platform, claims)
    if people.is_learner(claims):
        people.enrol_learner(session, platform, user, target.course.id)
    _link_grades(session, platform, user, target, claims)
    token = auth.start_session(session, settings, user, form.ip, form.user_agent)
    return Launched(user, token, target.landing)


def _consume_state(session: Session, state: str, browser_state: str | None) -> LtiLoginState:
    if browser_state is not None and browser_state != state:
        raise BadState()  # this browser started another login
    login = session.scalar(
        select(LtiLoginState).where(LtiLoginState.state == state[:64]).with_for_update()
    )
    now = utcnow()
    if login is None or login.used_at is not None or login.expires_at <= now:
        raise BadState()
    login.used_at = now
    return login


def verify(settings: Settings, platform: LtiPlatform, id_token: str) -> dict[str, Any]:
    """The id_token's claims once its signature, issuer, audience and times are checked."""
    try:
        header = jwt.get_unverified_header(id_token)
    except JWTError:
        raise MalformedToken() from None
    if header.get("alg") != "RS256":
        raise MalformedToken()
    kid = header.get("kid")
    for key in _platform_keys(settings, platform):
        if kid is not None and key.get("kid") not in (None, kid):
            continue
        try:
            claims: dict[str, Any] = jwt.decode(
                id_token, key, algorithms=["RS256"], audience=platform.client_id,
                issuer=platform.issuer, options=_DECODE_OPTIONS,
            )  # fmt: skip
        except ExpiredSignatureError:
            raise ExpiredToken() from None
        except JWTClaimsError:
            raise WrongClaims() from None
        except (JWTError, ValueError, TypeError, KeyError):
            continue  # not this key's signature, or not a key at all: the next one
        _check_times_and_party(platform, claims)
        return claims
    raise ForgedToken()


_DECODE_OPTIONS = {
    "require_exp": True,
    "require_iat": True,
    "require_aud": True,
    "require_iss": True,
    "require_sub": True,
    "leeway": LEEWAY_SECONDS,
}


def _platform_keys(settings: Settings, platform: LtiPlatform) -> list[dict[str, Any]]:
    """The platform's signing keys, fetched once per launch through the SSRF guard."""
    try:
        answer = remote.call(settings, platform.jwks_url)
        found = answer.json() if answer.ok else None
    except remote.RemoteFailed:
        raise KeysUnavailable() from None
    keys = found.get("keys") if isinstance(found, dict) else None
    if not isinstance(keys, list):
        raise KeysUnavailable()
    return [
        key
        for key in keys
        if isinstance(key, dict)
        and key.get("kty") == "RSA"
        and key.get("use", "sig") == "sig"
        and key.get("alg", "RS256") == "RS256"
    ]


def _check_times_and_party(platform: LtiPlatform, claims: dict[str, Any]) -> None:
    now = utcnow().timestamp()
    issued = claims.get("iat")
    if not isinstance(issued, int | float) or isinstance(issued, bool):
        raise WrongClaims()
    if issued > now + LEEWAY_SECONDS or issued < now - MAX_TOKEN_AGE.total_seconds():
        raise WrongClaims()
    audience = claims.get("aud")
    several = isinstance(audience, list) and len(audience) > 1
    party = claims.get("azp")
    if (several or party is not None) and party != platform.client_id:
        raise WrongClaims()
    subject = claims.get("sub")
    if not isinstance(subject, str) or not 0 < len(subject) <= 255:
        raise WrongClaims()


def _check_launch(platform: LtiPlatform, claims: dict[str, Any]) -> None:
    if claims.get(f"{LTI}deployment_id") not in platform.deployment_ids:
        raise DeploymentRefused()
    if claims.get(f"{LTI}message_type") != "LtiResourceLinkRequest":
        raise UnsupportedMessage()
    if claims.get(f"{LTI}version") != "1.3.0":
        raise UnsupportedMessage()
    link = claims.get(f"{LTI}resource_link")
    if not isinstance(link, dict) or not isinstance(link.get("id"), str) or not link["id"]:
        raise UnsupportedMessage()


def _use_nonce(
    session: Session, platform: LtiPlatform, login: LtiLoginState, claims: dict[str, Any]
) -> None:
    nonce = claims.get("nonce")
    if not isinstance(nonce, str) or not nonce or len(nonce) > 255:
        raise WrongNonce()
    now = utcnow()
    session.execute(delete(LtiUsedNonce).where(LtiUsedNonce.expires_at < now))
    used = select(LtiUsedNonce.id).where(
        LtiUsedNonce.platform_id == platform.id, LtiUsedNonce.nonce == nonce
    )
    if session.scalar(used) is not None:
        raise ReplayedLaunch()
    if nonce != login.nonce:
        raise WrongNonce()
    try:
        with session.begin_nested():
            session.add(
                LtiUsedNonce(platform_id=platform.id, nonce=nonce, expires_at=now + NONCE_KEPT_FOR)
            )
    except IntegrityError:  # the same token launched twice at once: one wins
        raise ReplayedLaunch() from None


def _link_grades(
    session: Session,
    platform: LtiPlatform,
    user: User,
    target: targets.Target,
    claims: dict[str, Any],
) -> None:
    """Where this person's grade goes back to, when the platform offers AGS."""
    endpoint = claims.get(AGS_ENDPOINT)
    if not isinstance(endpoint, dict):
        return
    lineitem = _address(endpoint.get("lineitem"))
    lineitems = _address(endpoint.get("lineitems"))
    if lineitem is None and lineitems is None:
        return
    offered = endpoint.get("scope")
    scopes = (
        [s[:200] for s in offered if isinstance(s, str)][:10] if isinstance(offered, list) else []
    )
    resource_link: dict[str, Any] = claims[f"{LTI}resource_link"]
    link_id = str(resource_link["id"])[:255]
    link = session.scalar(
        select(LtiGradeLink).where(
            LtiGradeLink.platform_id == platform.id,
            LtiGradeLink.user_id == user.id,
            LtiGradeLink.resource_link_id == link_id,
        )
    )
    if link is None:
        link = LtiGradeLink(platform_id=platform.id, user_id=user.id, resource_link_id=link_id)
        session.add(link)
    title = resource_link.get("title")
    link.course_id = target.course.id
    link.module_id = target.module.id if target.module else None
    link.subject = str(claims["sub"])
    link.resource_link_title = title[:300] if isinstance(title, str) else ""
    link.lineitem_url = lineitem or (link.lineitem_url if link.lineitems_url == lineitems else None)
    link.lineitems_url = lineitems
    link.scopes = scopes
    link.updated_at = utcnow()
    session.flush()


def _address(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        check_url(value, allow_http=True, allow_loopback=True)  # checked again when called
    except UnsafeAddress:
        return None
    return value
