"""Our LTI keys: RS256, published at /lti/jwks.json with every retired key, apart from the
document-signing keys, and rotated by `agora keys rotate --lti` without disturbing those."""

import pytest
from jose import jwt

from app.cli import main
from app.credits.service import signing
from app.lti import keys


def _verify(token: str, key_set: dict) -> dict:
    kid = jwt.get_unverified_header(token)["kid"]
    [jwk] = [k for k in key_set["keys"] if k["kid"] == kid]
    return jwt.decode(token, jwk, algorithms=["RS256"], options={"verify_aud": False})


def test_a_token_signed_before_a_rotation_still_verifies_with_the_published_set(
    db, settings, client
):
    before = keys.sign(db, settings, {"sub": "1", "exp": 4_000_000_000})
    keys.rotate(db, settings)
    after = keys.sign(db, settings, {"sub": "2", "exp": 4_000_000_000})
    db.flush()

    published = client.get("/lti/jwks.json")

    assert published.status_code == 200
    assert published.headers["content-type"] == "application/jwk-set+json"
    key_set = published.json()
    assert [k["alg"] for k in key_set["keys"]] == ["RS256", "RS256"]
    assert "d" not in key_set["keys"][0]  # public halves only
    assert _verify(before, key_set)["sub"] == "1"
    assert _verify(after, key_set)["sub"] == "2"
    assert jwt.get_unverified_header(before)["kid"] != jwt.get_unverified_header(after)["kid"]


def test_lti_and_document_keys_rotate_apart(db, settings):
    document_key = signing.current_key(db, settings)
    lti_key = keys.rotate(db, settings)

    assert signing.current_key(db, settings).kid == document_key.kid
    assert document_key.retired_at is None
    assert signing.current_key(db, settings, keys.ALGORITHM).kid == lti_key.kid
    with pytest.raises(signing.SignatureInvalid):  # documents never accept an RS256 token
        signing.verify(db, keys.sign(db, settings, {"exp": 4_000_000_000}))


def test_agora_keys_rotate_lti(db, settings, capsys, monkeypatch):
    monkeypatch.setattr("app.core.config.get_settings", lambda: settings)
    first = keys.rotate(db, settings)
    db.commit()

    assert main(["keys", "rotate", "--lti"]) == 0

    assert "(RS256) is now current" in capsys.readouterr().out
    db.expire_all()
    assert first.retired_at is not None
    assert [k["kid"] for k in keys.key_set(db)["keys"]][1] == first.kid
