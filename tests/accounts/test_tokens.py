"""API authentication: password and client-credentials grants, refresh rotation, JWT checks."""

import ast
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from jose import jwt
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import RefreshToken, ThrottleEvent
from app.core.actors import PlatformRole
from app.core.config import Settings
from app.core.db import utcnow
from tests.accounts.factories import (
    PASSWORD,
    api_token,
    bearer,
    make_api_client,
    make_institution,
    make_user,
)

APP_DIR = Path(__file__).resolve().parents[2] / "app"


def test_password_grant_gives_a_token_that_identifies_the_user(client: TestClient, db: Session):
    user = make_user(db, email="malee@example.org", password=PASSWORD)
    token = api_token(client, "MALEE@example.org")

    me = client.get("/api/v1/users/me", headers=bearer(token))

    assert me.status_code == 200
    assert me.json()["id"] == user.id


def test_wrong_password_is_refused_with_a_problem_document(client: TestClient, db: Session):
    make_user(db, email="malee@example.org", password=PASSWORD)

    response = client.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": "malee@example.org", "password": "nope"},
    )

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "invalid_credentials"
    assert "access_token" not in response.text


def test_inactive_user_cannot_get_a_token(client: TestClient, db: Session):
    make_user(db, email="gone@example.org", password=PASSWORD, active=False)

    response = client.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": "gone@example.org", "password": PASSWORD},
    )

    assert response.status_code == 400


def test_account_locks_after_repeated_failures_even_with_the_right_password(
    client: TestClient, db: Session, settings: Settings
):
    make_user(db, email="target@example.org", password=PASSWORD)
    wrong = {"grant_type": "password", "username": "target@example.org", "password": "guess"}
    for _ in range(settings.login_max_failures_per_account):
        assert client.post("/api/v1/auth/token", data=wrong).status_code == 400

    right = {**wrong, "password": PASSWORD}
    response = client.post("/api/v1/auth/token", data=right)

    assert response.status_code == 429
    assert response.json()["code"] == "login_throttled"


def test_one_address_guessing_many_accounts_is_throttled(
    client: TestClient, db: Session, settings: Settings
):
    settings.login_max_failures_per_ip = 3
    make_user(db, email="victim@example.org", password=PASSWORD)
    for n in range(3):
        data = {"grant_type": "password", "username": f"u{n}@example.org", "password": "x"}
        client.post("/api/v1/auth/token", data=data)

    data = {"grant_type": "password", "username": "victim@example.org", "password": PASSWORD}
    assert client.post("/api/v1/auth/token", data=data).status_code == 429


def test_successful_sign_in_clears_the_failure_count(client: TestClient, db: Session):
    make_user(db, email="typo@example.org", password=PASSWORD)
    wrong = {"grant_type": "password", "username": "typo@example.org", "password": "oops"}
    client.post("/api/v1/auth/token", data=wrong)
    api_token(client, "typo@example.org")

    failures = db.scalar(
        select(func.count())
        .select_from(ThrottleEvent)
        .where(ThrottleEvent.account == "typo@example.org")
    )
    assert failures == 0


@pytest.fixture
def token_user(db: Session):
    return make_user(db, email="jwt@example.org", password=PASSWORD)


def _claims(user_id: int, **overrides: object) -> dict[str, object]:
    now = utcnow()
    claims: dict[str, object] = {
        "sub": f"user:{user_id}",
        "scope": "users:read",
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=5)).timestamp()),
        "typ": "access",
    }
    claims.update(overrides)
    return claims


def test_expired_token_is_refused(client: TestClient, settings: Settings, token_user):
    past = int((utcnow() - timedelta(minutes=1)).timestamp())
    token = jwt.encode(
        _claims(token_user.id, exp=past),
        settings.signing_key,
        algorithm="HS256",
        headers={"kid": settings.jwt_key_id},
    )

    response = client.get("/api/v1/users/me", headers=bearer(token))

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_tampered_token_is_refused(client: TestClient, token_user):
    token = api_token(client, "jwt@example.org")
    header, payload, signature = token.split(".")
    forged = ".".join(
        [header, payload, signature[:-4] + ("AAAA" if signature[-4:] != "AAAA" else "BBBB")]
    )

    assert client.get("/api/v1/users/me", headers=bearer(forged)).status_code == 401


def test_token_signed_by_another_key_is_refused(client: TestClient, settings: Settings, token_user):
    token = jwt.encode(
        _claims(token_user.id), "someone-elses-key", headers={"kid": settings.jwt_key_id}
    )

    assert client.get("/api/v1/users/me", headers=bearer(token)).status_code == 401


def test_alg_none_token_is_refused(client: TestClient, settings: Settings, token_user):
    import base64
    import json

    def b64(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    header = b64({"alg": "none", "typ": "JWT", "kid": settings.jwt_key_id})
    unsigned = f"{header}.{b64(_claims(token_user.id))}."

    assert client.get("/api/v1/users/me", headers=bearer(unsigned)).status_code == 401


def test_token_with_another_algorithm_is_refused_even_with_our_key(
    client: TestClient, settings: Settings, token_user
):
    token = jwt.encode(
        _claims(token_user.id),
        settings.signing_key,
        algorithm="HS512",
        headers={"kid": settings.jwt_key_id},
    )

    assert client.get("/api/v1/users/me", headers=bearer(token)).status_code == 401


def test_token_of_a_previous_key_still_works_while_that_key_is_listed(
    client: TestClient, settings: Settings, token_user
):
    settings.jwt_previous_keys = {"old-2025": SecretStr("retired-secret-still-valid-for-a-while")}
    token = jwt.encode(
        _claims(token_user.id),
        "retired-secret-still-valid-for-a-while",
        algorithm="HS256",
        headers={"kid": "old-2025"},
    )

    assert client.get("/api/v1/users/me", headers=bearer(token)).status_code == 200


def test_every_token_decode_in_the_code_names_its_algorithms():
    calls = []
    for path in APP_DIR.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "decode":
                owner = getattr(node.func, "value", None)
                if getattr(owner, "id", None) == "jwt":
                    calls.append((path.name, {kw.arg for kw in node.keywords}))

    assert calls, "expected at least one jwt.decode call"
    assert all("algorithms" in keywords for _, keywords in calls), calls


def _refresh(client: TestClient, token: str):
    return client.post(
        "/api/v1/auth/token", data={"grant_type": "refresh_token", "refresh_token": token}
    )


def _password_tokens(client: TestClient, email: str) -> dict[str, str]:
    data = {"grant_type": "password", "username": email, "password": PASSWORD}
    response = client.post("/api/v1/auth/token", data=data)
    assert response.status_code == 200
    return dict(response.json())


def test_refresh_token_rotates_and_works_once(client: TestClient, token_user):
    first = _password_tokens(client, "jwt@example.org")

    second = _refresh(client, first["refresh_token"])
    replay = _refresh(client, first["refresh_token"])

    assert second.status_code == 200
    assert second.json()["refresh_token"] != first["refresh_token"]
    assert replay.status_code == 400
    assert replay.json()["code"] == "invalid_grant"


def test_reusing_a_revoked_refresh_token_revokes_its_whole_family(
    client: TestClient, db: Session, token_user
):
    first = _password_tokens(client, "jwt@example.org")
    second = _refresh(client, first["refresh_token"]).json()

    _refresh(client, first["refresh_token"])  # a thief replays the old token

    assert _refresh(client, second["refresh_token"]).status_code == 400
    live = db.scalar(
        select(func.count())
        .select_from(RefreshToken)
        .where(RefreshToken.user_id == token_user.id, RefreshToken.revoked_at.is_(None))
    )
    assert live == 0


def test_revoked_refresh_token_is_refused(client: TestClient, token_user):
    tokens = _password_tokens(client, "jwt@example.org")

    assert (
        client.post("/api/v1/auth/revoke", data={"token": tokens["refresh_token"]}).status_code
        == 204
    )
    assert _refresh(client, tokens["refresh_token"]).status_code == 400


def test_user_token_cannot_ask_for_sensitive_scope_unless_staff(client: TestClient, db: Session):
    make_user(db, email="student@example.org", password=PASSWORD)
    data = {
        "grant_type": "password",
        "username": "student@example.org",
        "password": PASSWORD,
        "scope": "sensitive:read",
    }

    response = client.post("/api/v1/auth/token", data=data)

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_scope"


def test_client_credentials_token_carries_only_granted_scopes(client: TestClient, db: Session):
    partner = make_institution(db, "P12", "KZ")
    api_client = make_api_client(db, partner, ["users:read"])
    own_student = make_user(db, institution=partner)
    other_student = make_user(db, institution=make_institution(db, "P3", "AZ"))

    too_much = client.post(
        "/api/v1/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": api_client.client_id,
            "client_secret": "s3cret-partner-key",
            "scope": "users:read users:write",
        },
    )
    granted = client.post(
        "/api/v1/auth/token",
        data={"grant_type": "client_credentials"},
        auth=(api_client.client_id, "s3cret-partner-key"),
    )
    token = granted.json()["access_token"]

    assert too_much.status_code == 422
    assert granted.json()["scope"] == "users:read"
    assert "refresh_token" not in granted.json() or granted.json()["refresh_token"] is None
    assert client.get(f"/api/v1/users/{own_student.id}", headers=bearer(token)).status_code == 200
    assert client.get(f"/api/v1/users/{other_student.id}", headers=bearer(token)).status_code == 404
    new_user = {"email": "x@example.org", "display_name": "X"}
    assert client.post("/api/v1/users", json=new_user, headers=bearer(token)).status_code == 403


def test_client_without_the_scope_cannot_read_users(client: TestClient, db: Session):
    partner = make_institution(db, "P7", "RU")
    api_client = make_api_client(db, partner, ["courses:read"])
    student = make_user(db, institution=partner)
    token = client.post(
        "/api/v1/auth/token",
        data={"grant_type": "client_credentials"},
        auth=(api_client.client_id, "s3cret-partner-key"),
    ).json()["access_token"]

    assert client.get(f"/api/v1/users/{student.id}", headers=bearer(token)).status_code == 404


def test_wrong_client_secret_is_refused(client: TestClient, db: Session):
    api_client = make_api_client(db, make_institution(db), ["users:read"])

    response = client.post(
        "/api/v1/auth/token",
        data={"grant_type": "client_credentials"},
        auth=(api_client.client_id, "guess"),
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_client"


def test_revoking_a_client_stops_its_tokens_at_once(client: TestClient, db: Session):
    manager = make_user(db, email="m@example.org", password=PASSWORD, role=PlatformRole.MANAGER)
    partner = make_institution(db, "P20", "AZ")
    api_client = make_api_client(db, partner, ["users:read"])
    client_token = client.post(
        "/api/v1/auth/token",
        data={"grant_type": "client_credentials"},
        auth=(api_client.client_id, "s3cret-partner-key"),
    ).json()["access_token"]
    assert client.get("/api/v1/institutions", headers=bearer(client_token)).status_code == 200

    revoked = client.post(
        f"/api/v1/api-clients/{api_client.id}/revoke",
        headers=bearer(api_token(client, manager.email)),
    )

    assert revoked.status_code == 200
    assert client.get("/api/v1/institutions", headers=bearer(client_token)).status_code == 401


def test_unknown_grant_type_is_a_clear_error(client: TestClient):
    response = client.post("/api/v1/auth/token", data={"grant_type": "implicit"})

    assert response.status_code == 422
    assert response.json()["code"] == "unsupported_grant_type"
