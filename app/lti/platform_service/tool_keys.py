"""Checking a JWT a tool signed (a deep linking response, a client assertion): RS256 only, by
the key registered for the tool, or by the key of its JWKS that the token's `kid` names. The
JWKS is fetched through the SSRF guard the webhooks use (public addresses only, loopback when
tests allow it, the checked address connected to, no redirect followed)."""

import json
from typing import Any

from jose import jwk, jwt
from jose.exceptions import ExpiredSignatureError, JOSEError

from app.core.addresses import UnsafeAddress, resolve_destination, send
from app.core.config import Settings
from app.lti import keys
from app.lti.platform_models import LtiTool

USER_AGENT = "Agora-LTI-Platform/1"
MAX_TOKEN = 20_000


class KeyUnavailable(Exception):
    """The tool's JWKS could not be fetched or holds no usable key."""


class Refused(Exception):
    """Not signed by the tool, malformed, or expired (`expired`)."""

    def __init__(self, reason: str, *, expired: bool = False) -> None:
        super().__init__(reason)
        self.expired = expired


def unverified_claims(token: object) -> dict[str, Any]:
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN:
        raise Refused("no token")
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.get_unverified_claims(token)
    except JOSEError:
        raise Refused("malformed") from None
    if header.get("alg") != keys.ALGORITHM or not isinstance(claims, dict):
        raise Refused("not RS256")
    return claims


def public_key(key: str) -> Any:
    """A registered key, PEM or one JWK as JSON, as a key object; ValueError if neither."""
    text = key.strip()
    try:
        material: Any = json.loads(text) if text.startswith("{") else text
        return jwk.construct(material, keys.ALGORITHM)
    except (JOSEError, ValueError, TypeError, KeyError) as error:
        raise ValueError(str(error)) from None


def _fetch_key_set(settings: Settings, url: str) -> list[dict[str, Any]]:
    try:
        destination = resolve_destination(
            url,
            allow_http=settings.webhooks_allow_http,
            allow_loopback=settings.webhooks_allow_loopback,
        )
    except UnsafeAddress as refused:
        raise KeyUnavailable(refused.detail) from None
    from httpx import HTTPError  # loaded on first use: serving pages must not need it

    headers = {"user-agent": USER_AGENT, "accept": "application/json"}
    try:
        answer = send(
            destination, method="GET", content=b"", headers=headers,
            timeout=settings.webhook_timeout_seconds,
        )  # fmt: skip
    except HTTPError as failure:
        raise KeyUnavailable(type(failure).__name__) from None
    if answer.status_code != 200:
        raise KeyUnavailable(f"HTTP {answer.status_code}")
    try:
        found = json.loads(answer.content).get("keys")
    except (ValueError, AttributeError):
        raise KeyUnavailable("not a JWK Set") from None
    if not isinstance(found, list):
        raise KeyUnavailable("not a JWK Set")
    return [k for k in found if isinstance(k, dict)]


def key_for(settings: Settings, tool: LtiTool, token: str) -> Any:
    if tool.public_key:
        try:
            return public_key(tool.public_key)
        except ValueError:
            raise KeyUnavailable("the registered key is not usable") from None
    if not tool.jwks_url:
        raise KeyUnavailable("no key registered")
    try:
        kid = jwt.get_unverified_header(token).get("kid")
    except JOSEError:
        raise Refused("malformed") from None
    candidates = [
        k
        for k in _fetch_key_set(settings, tool.jwks_url)
        if k.get("kty") == "RSA" and k.get("alg", keys.ALGORITHM) == keys.ALGORITHM
    ]
    chosen = [k for k in candidates if k.get("kid") == kid] if kid else candidates[:1]
    if not chosen:
        raise Refused("no key of the tool's JWKS has this kid")
    try:
        return jwk.construct(chosen[0], keys.ALGORITHM)
    except (JOSEError, ValueError, TypeError, KeyError):
        raise KeyUnavailable("the JWKS key is not usable") from None


def verify(
    settings: Settings, tool: LtiTool, token: str, *, audiences: tuple[str, ...]
) -> dict[str, Any]:
    """The claims, if the token is signed by the tool, issued by its client id, for one of the
    audiences, with `exp` and `iat`, and not expired (a minute's leeway for clocks)."""
    key = key_for(settings, tool, token)
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[keys.ALGORITHM],
            issuer=tool.client_id,
            options={"require_exp": True, "require_iat": True, "verify_aud": False, "leeway": 60},
        )
    except ExpiredSignatureError:
        raise Refused("expired", expired=True) from None
    except (JOSEError, ValueError, TypeError):
        raise Refused("signature or claims invalid") from None
    audience = claims.get("aud")
    named = [audience] if isinstance(audience, str) else audience
    if not isinstance(named, list) or not any(a in audiences for a in named):
        raise Refused("for another audience")
    return claims
