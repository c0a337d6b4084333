"""A third party verifies a document offline with the published key set and a different JOSE
library (joserfc) than the one that signs (python-jose); a tampered document is refused; a
rotated key still verifies what it signed; private keys stay out of the database."""

import base64
import json
from pathlib import Path

import pytest
from joserfc import jws as rfc_jws
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet
from sqlalchemy import select

from app.accounts.auth import actor_for_user
from app.cli import main
from app.credits.document_models import DocumentKind, SigningKey
from app.credits.document_schemas import DocumentIssue
from app.credits.service import documents, signing
from tests.credits.documents_world import DocumentsWorld, documents_world


@pytest.fixture
def w(db, settings, tmp_path: Path) -> DocumentsWorld:
    return documents_world(db, settings, tmp_path / "keys")


def _transcript(w: DocumentsWorld) -> str:
    request = DocumentIssue(kind=DocumentKind.TRANSCRIPT)
    issued = documents.issue(w.db, actor_for_user(w.learner), w.settings, w.learner.id, request)
    return issued.document.jws


def _published(client) -> KeySet:
    response = client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=300"
    return KeySet.import_key_set(response.json())


def _tampered(token: str) -> str:
    header, body, signature = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload["content"]["total_credits"] = "180"
    forged = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def test_a_third_party_verifies_a_transcript_with_joserfc_and_the_jwks(client, w):
    token = _transcript(w)

    verified = rfc_jws.deserialize_compact(token, _published(client), algorithms=["ES256"])

    payload = json.loads(verified.payload)
    assert payload["learner"]["name"] == "Aigerim Nurlanovna"
    assert payload["content"]["total_credits"] == "10.5"
    assert verified.headers()["kid"] == w.db.scalar(select(SigningKey.kid))


def test_a_tampered_transcript_is_refused_offline_and_by_agora(client, w):
    forged = _tampered(_transcript(w))

    with pytest.raises(BadSignatureError):
        rfc_jws.deserialize_compact(forged, _published(client), algorithms=["ES256"])
    answer = client.post("/api/v1/documents/verify", json={"jws": forged}).json()
    assert answer["valid"] is False
    assert answer["id"] is None


def test_a_rotated_key_still_verifies_old_transcripts_and_signs_new_ones(client, w):
    old = _transcript(w)
    new_key = signing.create_key(w.db, w.settings)
    new = _transcript(w)

    keys = _published(client)
    assert len(keys.keys) == 2
    old_kid = rfc_jws.deserialize_compact(old, keys, algorithms=["ES256"]).headers()["kid"]
    new_kid = rfc_jws.deserialize_compact(new, keys, algorithms=["ES256"]).headers()["kid"]
    assert new_kid == new_key.kid != old_kid
    assert client.post("/api/v1/documents/verify", json={"jws": old}).json()["valid"] is True


def test_private_keys_live_in_the_keys_directory_only(w):
    _transcript(w)

    key = w.db.scalar(select(SigningKey))
    assert key is not None
    assert set(key.public_jwk) == {"kty", "crv", "x", "y", "kid", "alg", "use"}
    private = w.settings.signing_keys_dir / f"{key.kid}.pem"
    assert "PRIVATE KEY" in private.read_text()
    assert private.stat().st_mode & 0o077 == 0


def test_an_unsigned_or_hmac_token_naming_our_key_is_refused(w):
    token = _transcript(w)
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    for alg in ("none", "HS256"):
        forged_header = {**header, "alg": alg}
        encoded = base64.urlsafe_b64encode(json.dumps(forged_header).encode()).rstrip(b"=")
        forged = ".".join([encoded.decode(), *token.split(".")[1:]])
        with pytest.raises(signing.SignatureInvalid):
            signing.verify(w.db, forged)


def test_agora_keys_rotate_and_list(w, capsys, monkeypatch):
    _transcript(w)
    monkeypatch.setattr("app.core.config.get_settings", lambda: w.settings)

    assert main(["keys", "rotate"]) == 0
    assert main(["keys", "list"]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert "is now current" in lines[0]
    listed = lines[1:]
    assert len(listed) == 2
    assert listed[0].split()[-1] != "current"  # the older key: retired, still listed
    assert listed[1].split()[-1] == "current"


def test_a_server_without_the_current_private_key_signs_with_a_new_one(w):
    first = signing.current_key(w.db, w.settings)
    (w.settings.signing_keys_dir / f"{first.kid}.pem").unlink()

    kid = signing.sign(w.db, w.settings, {"id": "x"})[0]

    assert kid != first.kid
    assert first.retired_at is not None


def test_a_token_naming_a_key_the_database_cannot_hold_is_invalid_not_an_error(client):
    header = base64.urlsafe_b64encode(b'{"alg":"ES256","kid":"a\\u0000b"}').rstrip(b"=")
    token = f"{header.decode()}.e30.c2ln"

    answer = client.post("/api/v1/documents/verify", json={"jws": token})

    assert answer.status_code == 200
    assert answer.json()["valid"] is False
