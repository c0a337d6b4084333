"""The RS256 keys Agora signs LTI messages with (id_tokens as a platform, client assertions as
a tool), kept in the same store as document-signing keys: private halves as files under
SIGNING_KEYS_DIR, public JWKs in `signing_keys`. Rotating makes a new current key; the retired
one stays published at /lti/jwks.json, so what it signed still verifies."""

from typing import Any

from jose import jwt
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.credits.document_models import SigningKey
from app.credits.service import signing

ALGORITHM = "RS256"


def sign(
    session: Session,
    settings: Settings,
    claims: dict[str, Any],
    *,
    headers: dict[str, Any] | None = None,
) -> str:
    """The claims as a compact JWT signed with the current LTI key (its `kid` in the header)."""
    key = signing.current_key(session, settings, ALGORITHM)
    token: str = jwt.encode(
        claims,
        signing.private_pem(settings, key),
        algorithm=ALGORITHM,
        headers={**(headers or {}), "kid": key.kid},
    )
    return token


def key_set(session: Session) -> dict[str, list[dict[str, Any]]]:
    """Every LTI key ever used, newest first, as a JWK Set (RFC 7517)."""
    keys = session.scalars(
        select(SigningKey).where(SigningKey.algorithm == ALGORITHM).order_by(SigningKey.id.desc())
    )
    return {"keys": [dict(key.public_jwk) for key in keys]}


def rotate(session: Session, settings: Settings) -> SigningKey:
    """A new current LTI key; the previous one is retired and stays published."""
    return signing.create_key(session, settings, ALGORITHM)
