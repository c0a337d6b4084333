"""The short-lived JWTs Agora signs for itself and reads back: the `lti_message_hint` of a
launch, the `data` of a deep linking request and the access tokens of our token endpoint. All
RS256 with our LTI key (`app.lti.keys`), checked against our own key set, each with its `typ`
so one kind is never accepted as another."""

from datetime import timedelta
from typing import Any

from jose import jwk, jwt
from jose.exceptions import JOSEError
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.core.db import utcnow
from app.lti import keys

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
SUBJECT_PREFIX = "agora-user-"


class NotOurs(Exception):
    """Not a token we signed, of another kind, for another audience, or expired."""


def issuer(settings: Settings) -> str:
    return settings.base_url.rstrip("/")


def endpoint(settings: Settings, path: str) -> str:
    return issuer(settings) + path


def token_url(settings: Settings) -> str:
    return endpoint(settings, "/lti/token")


def subject(user_id: int) -> str:
    """The `sub` a person has in every tool: stable, and not their e-mail address."""
    return f"{SUBJECT_PREFIX}{user_id}"


def user_id_of(sub: object) -> int | None:
    if not isinstance(sub, str) or not sub.startswith(SUBJECT_PREFIX):
        return None
    digits = sub.removeprefix(SUBJECT_PREFIX)
    if not digits.isdigit() or len(digits) > 10:
        return None
    return int(digits)


def sign(
    session: Session, settings: Settings, typ: str, claims: dict[str, Any], lifetime: timedelta
) -> str:
    now = utcnow()
    return keys.sign(
        session,
        settings,
        {
            "iss": issuer(settings),
            "iat": int(now.timestamp()),
            "exp": int((now + lifetime).timestamp()),
            "typ": typ,
            **claims,
        },
    )


def verify(
    session: Session, settings: Settings, token: object, typ: str, *, audience: str | None = None
) -> dict[str, Any]:
    """The claims of a token of ours of this kind, still valid; NotOurs otherwise."""
    if not isinstance(token, str) or not token or len(token) > 20_000:
        raise NotOurs("no token")
    try:
        kid = jwt.get_unverified_header(token).get("kid")
    except JOSEError:
        raise NotOurs("malformed") from None
    found = [k for k in keys.key_set(session)["keys"] if k.get("kid") == kid]
    if not found:
        raise NotOurs("unknown key")
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            jwk.construct(found[0], keys.ALGORITHM),
            algorithms=[keys.ALGORITHM],
            issuer=issuer(settings),
            audience=audience,
            options={"require_exp": True, "require_iat": True, "verify_aud": audience is not None},
        )
    except (JOSEError, ValueError, TypeError):
        raise NotOurs("invalid") from None
    if claims.get("typ") != typ:
        raise NotOurs("another kind of token")
    return claims
