"""Document signing with ES256 (ECDSA on P-256) JWS. A private key is a PEM file named after
its `kid` under SIGNING_KEYS_DIR, made on first need and never stored anywhere else; its public
JWK is a row of `signing_keys`, so every app server publishes every key. Rotating makes a new
current key and retires the old one of its algorithm, which stays published: what it signed
still verifies. LTI launches use the same store with RS256 keys (`app/lti/keys.py`)."""

import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jose import jwk, jws
from jose.exceptions import JOSEError
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.core.db import utcnow
from app.credits.document_models import SigningKey

ALGORITHM = "ES256"
# What a verifier accepts, whatever a token's header claims: never "none", never HMAC.
ACCEPTED_ALGORITHMS = [ALGORITHM]


class SignatureInvalid(ValueError):
    """A JWS that is malformed, names an unknown key, or whose signature does not match."""


@dataclass(frozen=True)
class VerifiedPayload:
    kid: str
    payload: dict[str, Any]


def _key_file(settings: Settings, kid: str) -> Path:
    return settings.signing_keys_dir / f"{kid}.pem"


def _new_private_key(algorithm: str) -> ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey:
    if algorithm == "RS256":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP256R1())


def create_key(session: Session, settings: Settings, algorithm: str = ALGORITHM) -> SigningKey:
    """A new current key: its private half written (owner-only) under the keys directory,
    its public JWK stored; every earlier key of its algorithm is retired but stays published."""
    private = _new_private_key(algorithm)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    kid = secrets.token_hex(8)
    settings.signing_keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = _key_file(settings, kid)
    path.touch(mode=0o600, exist_ok=False)
    path.write_bytes(pem)
    public = jwk.construct(pem.decode(), algorithm).public_key().to_dict()
    now = utcnow()
    for older in session.scalars(
        select(SigningKey).where(SigningKey.retired_at.is_(None), SigningKey.algorithm == algorithm)
    ):
        older.retired_at = now
    key = SigningKey(
        kid=kid,
        algorithm=algorithm,
        public_jwk={**public, "kid": kid, "alg": algorithm, "use": "sig"},
        created_at=now,
    )
    session.add(key)
    session.flush()
    return key


def current_key(session: Session, settings: Settings, algorithm: str = ALGORITHM) -> SigningKey:
    """The newest key of the algorithm in service whose private half this server holds; a new
    one otherwise."""
    for key in session.scalars(
        select(SigningKey)
        .where(SigningKey.retired_at.is_(None), SigningKey.algorithm == algorithm)
        .order_by(SigningKey.created_at.desc(), SigningKey.id.desc())
    ):
        if _key_file(settings, key.kid).is_file():
            return key
    return create_key(session, settings, algorithm)


def private_pem(settings: Settings, key: SigningKey) -> str:
    """The private half of a key this server holds (see `holds_private_key`)."""
    return _key_file(settings, key.kid).read_text()


def sign(session: Session, settings: Settings, payload: dict[str, Any]) -> tuple[str, str]:
    """The payload as a compact JWS signed with the current key: (kid, token)."""
    key = current_key(session, settings)
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    token = jws.sign(
        body.encode(),
        private_pem(settings, key),
        headers={"kid": key.kid, "typ": "JWT"},
        algorithm=ALGORITHM,
    )
    return key.kid, token


def verify(session: Session, token: str) -> VerifiedPayload:
    """The payload of a JWS signed by one of our keys (current or retired)."""
    try:
        header = jws.get_unverified_header(token)
    except JOSEError as error:
        raise SignatureInvalid("not a JWS") from error
    kid = header.get("kid")
    # Our kids are short hex strings: anything else (a NUL the database cannot even compare
    # with) names no key of ours.
    if not isinstance(kid, str) or not kid.isalnum() or header.get("alg") != ALGORITHM:
        raise SignatureInvalid("unknown key or algorithm")
    key = session.scalar(select(SigningKey).where(SigningKey.kid == kid[:64]))
    if key is None:
        raise SignatureInvalid("unknown key")
    try:
        raw = jws.verify(token, key.public_jwk, algorithms=ACCEPTED_ALGORITHMS)
        payload = json.loads(raw)
    except (JOSEError, ValueError) as error:
        raise SignatureInvalid("signature does not match") from error
    if not isinstance(payload, dict):
        raise SignatureInvalid("payload is not an object")
    return VerifiedPayload(kid, payload)


def key_set(session: Session) -> dict[str, list[dict[str, Any]]]:
    """Every key ever used, newest first, as a JWK Set (RFC 7517)."""
    keys = session.scalars(select(SigningKey).order_by(SigningKey.id.desc()))
    return {"keys": [dict(key.public_jwk) for key in keys]}


def all_keys(session: Session) -> list[SigningKey]:
    """Every key, oldest first, for `agora keys list`."""
    return list(session.scalars(select(SigningKey).order_by(SigningKey.id)))


def holds_private_key(settings: Settings, kid: str) -> bool:
    """Whether this server can sign with the key (its private half is in the directory)."""
    return _key_file(settings, kid).is_file()
