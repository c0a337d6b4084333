"""Password hashing, opaque tokens, JWTs and CSRF tokens. No domain knowledge here."""

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Mapping
from datetime import timedelta
from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from jose import JWTError, jwt

from app.core.config import Settings
from app.core.db import utcnow

_hasher = PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A valid hash to verify against when the account does not exist, so that the response
    time does not tell whether an e-mail address is registered. Made on first use: hashing
    is slow on purpose, and every worker would pay for it at start-up."""
    return _hasher.hash(secrets.token_urlsafe(16))


class InvalidToken(Exception):
    """A token that is malformed, expired, tampered with or signed with another algorithm."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return (
            _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
        )
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    """An unguessable opaque token (session ids, refresh tokens, reset links, secrets)."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What we store for an opaque token: a leaked table does not reveal usable tokens."""
    return hashlib.sha256(token.encode()).hexdigest()


def _signing_keys(settings: Settings) -> dict[str, str]:
    keys = {kid: key.get_secret_value() for kid, key in settings.jwt_previous_keys.items()}
    keys[settings.jwt_key_id] = settings.signing_key
    return keys


def encode_access_token(settings: Settings, subject: str, scopes: list[str]) -> tuple[str, int]:
    """A short-lived signed access token; returns it with its lifetime in seconds."""
    lifetime = timedelta(minutes=settings.access_token_minutes)
    now = utcnow()
    claims = {
        "sub": subject,
        "scope": " ".join(scopes),
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
        "jti": uuid.uuid4().hex,
        "typ": "access",
    }
    token = jwt.encode(
        claims,
        settings.signing_key,
        algorithm=settings.jwt_algorithm,
        headers={"kid": settings.jwt_key_id},
    )
    return token, int(lifetime.total_seconds())


# python-jose checks `exp` only when present; a token without one would never expire.
_REQUIRED_CLAIMS = {"require_exp": True, "require_iat": True, "require_sub": True}


def decode_access_token(settings: Settings, token: str) -> dict[str, Any]:
    """Verify signature, expiry and type; a token without `exp`, `iat` or `sub` is refused.
    The algorithm comes from our settings, never from the token's header; the header's `kid`
    only selects which of our keys to try."""
    try:
        header = jwt.get_unverified_header(token)
        key = _signing_keys(settings).get(str(header.get("kid", "")))
        if key is None:
            raise InvalidToken("unknown signing key")
        claims: dict[str, Any] = jwt.decode(
            token, key, algorithms=[settings.jwt_algorithm], options=_REQUIRED_CLAIMS
        )
    except JWTError as exc:
        raise InvalidToken(str(exc)) from exc
    if claims.get("typ") != "access" or not isinstance(claims.get("sub"), str):
        raise InvalidToken("not an access token")
    return claims


def csrf_token_for(settings: Settings, session_key: str) -> str:
    """The CSRF token bound to a browser session (or pre-session) key."""
    return hmac.new(settings.signing_key.encode(), session_key.encode(), "sha256").hexdigest()


def csrf_token_matches(settings: Settings, session_key: str, submitted: str) -> bool:
    return bool(submitted) and hmac.compare_digest(csrf_token_for(settings, session_key), submitted)


def token_subject(settings: Settings, headers: Mapping[bytes, bytes]) -> str | None:
    """The subject ("user:12", "client:3") of a valid bearer token in raw request headers, or
    None: for middleware that must know the caller before the routes do."""
    scheme, _, token = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    try:
        return str(decode_access_token(settings, token.strip())["sub"])
    except InvalidToken:
        return None
