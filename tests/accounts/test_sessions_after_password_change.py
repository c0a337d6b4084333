"""After a password change or reset nobody else stays signed in: other browsers are signed out
and old refresh tokens stop working. Also: what may not be cached, and tokens without `exp`."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from jose import jwt
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.deps import SESSION_COOKIE
from app.accounts.models import RefreshToken, User, UserSession
from app.core.config import Settings
from app.core.db import utcnow
from app.core.web import static_url
from tests.accounts.factories import PASSWORD, bearer, make_user, page_csrf, sign_in
from tests.smtp import Inbox

NEW_PASSWORD = "mekong delta 2026"


@pytest.fixture
def second_browser(app) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as browser:
        yield browser


@pytest.fixture
def person(db: Session) -> User:
    return make_user(db, email="noy@example.org", password=PASSWORD)


def _password_tokens(client: TestClient, email: str, password: str = PASSWORD) -> dict[str, str]:
    data = {"grant_type": "password", "username": email, "password": password}
    response = client.post("/api/v1/auth/token", data=data)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _refresh(client: TestClient, refresh_token: str):
    data = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    return client.post("/api/v1/auth/token", data=data)


def _signed_in(browser: TestClient) -> bool:
    return browser.get("/profile", follow_redirects=False).status_code == 200


def _assert_refused_as_revoked(response) -> None:
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "invalid_grant"


def test_portal_password_change_signs_out_other_browsers_and_revokes_refresh_tokens(
    client: TestClient, second_browser: TestClient, person: User
):
    sign_in(client, person.email)
    sign_in(second_browser, person.email)
    old_refresh = _password_tokens(client, person.email)["refresh_token"]
    old_cookie = client.cookies[SESSION_COOKIE]

    changed = client.post(
        "/profile/password",
        data={
            "csrf_token": page_csrf(client, "/profile"),
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
        },
        follow_redirects=False,
    )

    assert changed.status_code == 303
    assert _signed_in(client)
    assert client.cookies[SESSION_COOKIE] != old_cookie
    assert not _signed_in(second_browser)
    _assert_refused_as_revoked(_refresh(client, old_refresh))


def test_the_old_session_id_of_the_changing_browser_stops_working(
    app, client: TestClient, person: User
):
    sign_in(client, person.email)
    old_cookie = client.cookies[SESSION_COOKIE]
    client.post(
        "/profile/password",
        data={
            "csrf_token": page_csrf(client, "/profile"),
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
        },
    )

    with TestClient(app, cookies={SESSION_COOKIE: old_cookie}) as stolen:
        assert not _signed_in(stolen)


def test_api_password_change_signs_out_every_browser_and_revokes_refresh_tokens(
    client: TestClient, second_browser: TestClient, db: Session, person: User
):
    sign_in(second_browser, person.email)
    tokens = _password_tokens(client, person.email)

    changed = client.post(
        "/api/v1/users/me/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=bearer(tokens["access_token"]),
    )

    assert changed.status_code == 204
    assert not _signed_in(second_browser)
    _assert_refused_as_revoked(_refresh(client, tokens["refresh_token"]))
    assert db.scalar(select(func.count()).select_from(UserSession)) == 0
    _password_tokens(client, person.email, NEW_PASSWORD)


def test_a_refused_password_change_signs_nobody_out(
    client: TestClient, second_browser: TestClient, person: User
):
    sign_in(client, person.email)
    sign_in(second_browser, person.email)
    tokens = _password_tokens(client, person.email)

    refused = client.post(
        "/api/v1/users/me/password",
        json={"current_password": "not the password", "new_password": NEW_PASSWORD},
        headers=bearer(tokens["access_token"]),
    )

    assert refused.status_code == 422
    assert _signed_in(client)
    assert _signed_in(second_browser)
    assert _refresh(client, tokens["refresh_token"]).status_code == 200


def test_password_reset_signs_out_every_browser_and_revokes_refresh_tokens(
    client: TestClient, second_browser: TestClient, db: Session, person: User, inbox: Inbox
):
    sign_in(client, person.email)
    sign_in(second_browser, person.email)
    old_refresh = _password_tokens(client, person.email)["refresh_token"]
    client.post("/api/v1/auth/password-reset", json={"email": person.email})
    token = inbox.reset_link().rsplit("/", 1)[1]

    confirmed = client.post(
        "/api/v1/auth/password-reset/confirm",
        json={"token": token, "new_password": NEW_PASSWORD},
    )

    assert confirmed.status_code == 204
    assert not _signed_in(client)
    assert not _signed_in(second_browser)
    _assert_refused_as_revoked(_refresh(client, old_refresh))
    live = select(func.count()).select_from(RefreshToken).where(RefreshToken.revoked_at.is_(None))
    assert db.scalar(live) == 0


# --- Cache-Control ----------------------------------------------------------------------------


def test_signed_in_pages_are_not_stored_by_any_cache(client: TestClient, person: User):
    sign_in(client, person.email)

    for path in ("/profile", "/catalogue", "/"):
        assert client.get(path).headers.get("cache-control") == "no-store", path


def test_token_responses_are_not_stored_whether_granted_or_refused(
    client: TestClient, person: User
):
    granted = client.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": person.email, "password": PASSWORD},
    )
    refused = client.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": person.email, "password": "wrong"},
    )

    assert granted.status_code == 200
    assert granted.headers["cache-control"] == "no-store"
    assert refused.status_code == 400
    assert refused.headers["cache-control"] == "no-store"


def test_public_pages_and_static_files_for_visitors_may_be_cached(client: TestClient):
    catalogue = client.get("/catalogue")
    stylesheet = client.get(static_url("agora.css"))

    assert catalogue.status_code == 200
    assert "no-store" not in catalogue.headers.get("cache-control", "")
    assert stylesheet.status_code == 200
    assert stylesheet.headers["cache-control"] == "public, max-age=31536000, immutable"


def test_a_signed_out_cookie_does_not_make_pages_private(client: TestClient):
    client.cookies.set(SESSION_COOKIE, "not-a-live-session")

    assert "no-store" not in client.get("/catalogue").headers.get("cache-control", "")


# --- access tokens ----------------------------------------------------------------------------


def test_token_without_exp_is_refused_even_with_the_right_key(
    client: TestClient, settings: Settings, person: User
):
    forever = jwt.encode(
        {
            "sub": f"user:{person.id}",
            "scope": "users:read",
            "iat": int(utcnow().timestamp()),
            "typ": "access",
        },
        settings.signing_key,
        algorithm=settings.jwt_algorithm,
        headers={"kid": settings.jwt_key_id},
    )

    response = client.get("/api/v1/users/me", headers=bearer(forever))

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "unauthenticated"
