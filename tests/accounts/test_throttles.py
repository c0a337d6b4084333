"""Every way in is rate-limited per account and per address, answers 429 with `Retry-After`,
and opens again once the window has passed. The clock is frozen so windows are exact."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.models import ApiClient, User
from app.core.config import Settings
from tests.accounts.factories import (
    PASSWORD,
    make_api_client,
    make_institution,
    make_user,
    page_csrf,
)
from tests.smtp import Inbox

SECRET = "s3cret-partner-key"
NEW_PASSWORD = "mekong delta 2026"


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(datetime(2026, 3, 9, 8, 30, tzinfo=UTC), tick=False) as traveller:
        yield traveller


@pytest.fixture
def person(db: Session) -> User:
    return make_user(db, email="thu@example.org", password=PASSWORD)


def _assert_throttled(response, code: str, retry_after: int) -> None:
    assert response.status_code == 429
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code
    assert response.headers["retry-after"] == str(retry_after)


def _ask_reset(client: TestClient, email: str):
    return client.post("/api/v1/auth/password-reset", json={"email": email})


def _confirm(client: TestClient, token: str, password: str = NEW_PASSWORD):
    return client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": password}
    )


def _client_grant(client: TestClient, client_id: str, secret: str):
    return client.post(
        "/api/v1/auth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    )


def _password_grant(client: TestClient, email: str, password: str):
    data = {"grant_type": "password", "username": email, "password": password}
    return client.post("/api/v1/auth/token", data=data)


# --- password reset requests ------------------------------------------------------------------


def test_reset_requests_for_one_address_stop_at_the_limit_and_resume_after_an_hour(
    client: TestClient, person: User, inbox: Inbox, clock: time_machine.Traveller
):
    answers = [_ask_reset(client, person.email).status_code for _ in range(3)]
    flooded = _ask_reset(client, "THU@example.org")
    clock.shift(timedelta(minutes=59))
    still = _ask_reset(client, person.email)
    clock.shift(timedelta(minutes=1))
    again = _ask_reset(client, person.email)

    assert answers == [202, 202, 202]
    _assert_throttled(flooded, "password_reset_throttled", 3600)
    _assert_throttled(still, "password_reset_throttled", 60)
    assert again.status_code == 202
    assert len(inbox.messages) == 4


def test_unknown_address_is_counted_and_refused_exactly_like_a_known_one(
    client: TestClient, person: User, inbox: Inbox, clock: time_machine.Traveller
):
    known = [_ask_reset(client, person.email) for _ in range(4)]
    unknown = [_ask_reset(client, "nobody@example.org") for _ in range(4)]

    def seen(response) -> tuple[int, str | None, str]:
        body = response.json() or {}
        return response.status_code, response.headers.get("retry-after"), body.get("code", "")

    assert [seen(r) for r in known] == [seen(r) for r in unknown]
    assert seen(known[-1]) == (429, "3600", "password_reset_throttled")
    assert {m["To"] for m in inbox.messages} == {person.email}


def test_one_network_address_asking_for_many_accounts_is_throttled(
    client: TestClient, settings: Settings, clock: time_machine.Traveller
):
    settings.password_reset_max_requests_per_ip = 4
    answers = [_ask_reset(client, f"u{n}@example.org").status_code for n in range(4)]

    assert answers == [202] * 4
    _assert_throttled(_ask_reset(client, "u9@example.org"), "password_reset_throttled", 3600)
    with TestClient(client.app, client=("192.0.2.7", 50000)) as elsewhere:
        assert _ask_reset(elsewhere, "u9@example.org").status_code == 202


# --- password reset confirmation --------------------------------------------------------------


def test_failed_reset_confirmations_are_throttled_per_address_even_for_a_good_link(
    client: TestClient, person: User, inbox: Inbox, clock: time_machine.Traveller
):
    _ask_reset(client, person.email)
    good = inbox.reset_link().rsplit("/", 1)[1]
    guesses = [_confirm(client, f"guessed-token-{n:04d}").status_code for n in range(10)]

    throttled = _confirm(client, good)
    clock.shift(timedelta(minutes=15))
    accepted = _confirm(client, good)

    assert guesses == [422] * 10
    _assert_throttled(throttled, "password_reset_confirm_throttled", 900)
    assert accepted.status_code == 204


def test_failed_reset_confirmations_are_throttled_per_account_from_any_address(
    client: TestClient, person: User, inbox: Inbox, clock: time_machine.Traveller
):
    _ask_reset(client, person.email)
    used = inbox.reset_link().rsplit("/", 1)[1]
    assert _confirm(client, used).status_code == 204
    replays = [_confirm(client, used).status_code for _ in range(5)]
    inbox.messages.clear()
    _ask_reset(client, person.email)
    fresh = inbox.reset_link().rsplit("/", 1)[1]

    with TestClient(client.app, client=("192.0.2.7", 50000)) as elsewhere:
        _assert_throttled(_confirm(elsewhere, fresh), "password_reset_confirm_throttled", 900)

    assert replays == [422] * 5


# --- client credentials -----------------------------------------------------------------------


@pytest.fixture
def partner_client(db: Session) -> ApiClient:
    return make_api_client(db, make_institution(db), ["users:read"], secret=SECRET)


def test_wrong_client_secrets_lock_the_client_until_the_window_passes(
    client: TestClient, partner_client: ApiClient, clock: time_machine.Traveller
):
    wrong = [
        _client_grant(client, partner_client.client_id, "guess").status_code for _ in range(10)
    ]
    locked = _client_grant(client, partner_client.client_id, SECRET)
    clock.shift(timedelta(minutes=10))
    later = _client_grant(client, partner_client.client_id, SECRET)
    clock.shift(timedelta(minutes=5))
    unlocked = _client_grant(client, partner_client.client_id, SECRET)

    assert wrong == [400] * 10
    _assert_throttled(locked, "client_throttled", 900)
    _assert_throttled(later, "client_throttled", 300)
    assert unlocked.status_code == 200


def test_one_address_trying_many_client_ids_is_throttled(
    client: TestClient, settings: Settings, partner_client: ApiClient, clock
):
    settings.client_max_failures_per_ip = 3
    for n in range(3):
        assert _client_grant(client, f"agc_guess{n}", "guess").status_code == 400

    _assert_throttled(
        _client_grant(client, partner_client.client_id, SECRET), "client_throttled", 900
    )


# --- password grant and portal sign-in --------------------------------------------------------


def test_password_grant_lock_says_when_to_retry_and_lifts_after_the_window(
    client: TestClient, person: User, settings: Settings, clock: time_machine.Traveller
):
    for _ in range(settings.login_max_failures_per_account):
        assert _password_grant(client, person.email, "guess").status_code == 400

    _assert_throttled(_password_grant(client, person.email, PASSWORD), "login_throttled", 900)
    clock.shift(timedelta(minutes=15))
    assert _password_grant(client, person.email, PASSWORD).status_code == 200


def _post_form(client: TestClient, path: str, form_page: str, **fields: str):
    data = {"csrf_token": page_csrf(client, form_page), **fields}
    return client.post(path, data=data, follow_redirects=False)


def test_portal_reset_page_is_throttled_with_a_friendly_message(
    client: TestClient, person: User, inbox: Inbox, clock: time_machine.Traveller
):
    for _ in range(3):
        sent = _post_form(client, "/reset-password", "/reset-password", email=person.email)
        assert sent.status_code == 200

    refused = _post_form(client, "/reset-password", "/reset-password", email=person.email)

    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "3600"
    assert "Too many password reset requests; wait an hour" in refused.text
    assert f'value="{person.email}"' in refused.text
    assert len(inbox.messages) == 3


def test_portal_new_password_page_is_throttled_with_a_friendly_message(
    client: TestClient, clock: time_machine.Traveller
):
    for n in range(10):
        path = f"/reset-password/guessed-token-{n:04d}"
        assert _post_form(client, path, path, new_password=NEW_PASSWORD).status_code == 400
    path = "/reset-password/guessed-token-last"

    refused = _post_form(client, path, path, new_password=NEW_PASSWORD)

    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "900"
    assert "Too many tries with password reset links" in refused.text


def test_portal_sign_in_lock_says_when_to_retry(
    client: TestClient, person: User, settings: Settings, clock: time_machine.Traveller
):
    for _ in range(settings.login_max_failures_per_account):
        _post_form(client, "/login", "/login", email=person.email, password="guess")

    refused = _post_form(client, "/login", "/login", email=person.email, password=PASSWORD)
    clock.shift(timedelta(minutes=15))
    accepted = _post_form(client, "/login", "/login", email=person.email, password=PASSWORD)

    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "900"
    assert "Too many failed sign-ins" in refused.text
    assert accepted.status_code == 303
