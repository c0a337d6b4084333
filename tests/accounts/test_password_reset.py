"""Password reset through a real local SMTP server (aiosmtpd)."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import PasswordResetToken
from app.core.config import Settings
from app.core.db import utcnow
from tests.accounts.factories import PASSWORD, api_token, make_user, page_csrf, sign_in
from tests.smtp import Inbox, free_port


def _ask_for_reset(client: TestClient, email: str):
    return client.post(
        "/reset-password", data={"csrf_token": page_csrf(client, "/reset-password"), "email": email}
    )


def _choose(client: TestClient, path: str, password: str):
    return client.post(
        path,
        data={"csrf_token": page_csrf(client, path), "new_password": password},
        follow_redirects=False,
    )


def test_reset_link_arrives_by_mail_and_sets_a_new_password(
    client: TestClient, db: Session, inbox: Inbox
):
    make_user(db, email="thu@example.org", password=PASSWORD)

    asked = _ask_for_reset(client, "Thu@example.org")
    chosen = _choose(client, inbox.reset_link(), "mekong delta 2026")

    assert asked.status_code == 200
    assert inbox.messages[0]["To"] == "thu@example.org"
    assert chosen.status_code == 303
    api_token(client, "thu@example.org", "mekong delta 2026")


def test_reset_mail_is_written_in_the_users_language(client: TestClient, db: Session, inbox: Inbox):
    make_user(db, email="amina@example.org", password=PASSWORD, language="fr")

    _ask_for_reset(client, "amina@example.org")

    assert "mot de passe" in inbox.messages[0]["Subject"].lower()


def test_reset_link_works_only_once(client: TestClient, db: Session, inbox: Inbox):
    make_user(db, email="thu@example.org", password=PASSWORD)
    _ask_for_reset(client, "thu@example.org")
    link = inbox.reset_link()
    _choose(client, link, "mekong delta 2026")

    again = _choose(client, link, "someone else's choice")

    assert again.status_code == 400
    assert "not valid" in again.text
    api_token(client, "thu@example.org", "mekong delta 2026")


def test_expired_reset_link_is_refused(client: TestClient, db: Session, inbox: Inbox):
    make_user(db, email="thu@example.org", password=PASSWORD)
    _ask_for_reset(client, "thu@example.org")
    for token in db.scalars(select(PasswordResetToken)):
        token.expires_at = utcnow() - timedelta(minutes=1)
    db.flush()

    response = _choose(client, inbox.reset_link(), "mekong delta 2026")

    assert response.status_code == 400
    api_token(client, "thu@example.org", PASSWORD)


def test_unknown_address_gets_the_same_answer_and_no_mail(client: TestClient, inbox: Inbox):
    response = _ask_for_reset(client, "nobody@example.org")

    assert response.status_code == 200
    assert "If an account uses this address" in response.text
    assert inbox.messages == []


def test_reset_signs_out_every_existing_session(client: TestClient, db: Session, inbox: Inbox):
    user = make_user(db, email="thu@example.org", password=PASSWORD)
    sign_in(client, user.email)
    _ask_for_reset(client, "thu@example.org")

    _choose(client, inbox.reset_link(), "mekong delta 2026")

    assert client.get("/profile", follow_redirects=False).status_code == 303


def test_reset_over_the_api(client: TestClient, db: Session, inbox: Inbox):
    make_user(db, email="thu@example.org", password=PASSWORD)

    asked = client.post("/api/v1/auth/password-reset", json={"email": "thu@example.org"})
    token = inbox.reset_link().rsplit("/", 1)[1]
    confirmed = client.post(
        "/api/v1/auth/password-reset/confirm",
        json={"token": token, "new_password": "mekong delta 2026"},
    )
    replayed = client.post(
        "/api/v1/auth/password-reset/confirm",
        json={"token": token, "new_password": "another one again"},
    )

    assert (asked.status_code, confirmed.status_code) == (202, 204)
    assert replayed.status_code == 422
    assert replayed.json()["code"] == "reset_token_invalid"


def test_mail_server_down_is_a_clear_error_and_keeps_no_token(
    client: TestClient, db: Session, settings: Settings
):
    make_user(db, email="thu@example.org", password=PASSWORD)
    settings.smtp_host, settings.smtp_port = "127.0.0.1", free_port()

    response = client.post("/api/v1/auth/password-reset", json={"email": "thu@example.org"})

    assert response.status_code == 503
    assert db.scalar(select(PasswordResetToken)) is None


def test_at_most_three_reset_mails_an_hour(client: TestClient, db: Session, inbox: Inbox):
    make_user(db, email="thu@example.org", password=PASSWORD)

    answers = [_ask_for_reset(client, "thu@example.org").status_code for _ in range(5)]

    assert answers == [200] * 3 + [429] * 2
    assert len(inbox.messages) == 3
