"""Asking for one's erasure and carrying it out: the person asks on their page or over the API;
the officer finds the request, opens the person's page and confirms by typing their address.
A refused form is shown again with its message and writes nothing."""

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Select, Table, select

from app.core.actors import PlatformRole
from app.core.db import Base
from app.privacy.models import ErasureRequest
from tests.accounts.factories import PASSWORD
from tests.conftest import csrf_from
from tests.privacy.privacy_world import EMAIL, NAME, PrivacyWorld, browser_of, headers_for

pytestmark = pytest.mark.time_machine(datetime(2026, 12, 7, 9, tzinfo=UTC), tick=False)


def _everything(w: PrivacyWorld) -> dict[str, list[str]]:
    """Every row, but the refusals the audit trail records on purpose (and sign-in attempts)."""
    w.db.expire_all()
    return {
        table.name: sorted(repr(tuple(row)) for row in w.db.execute(_kept(table)))
        for table in Base.metadata.sorted_tables
        if table.name != "throttle_events"
    }


def _kept(table: Table) -> Select[Any]:
    if table.name == "audit_log" and "outcome" in table.columns:
        return select(table).where(table.c.outcome != "refused")
    return select(table)


def test_a_person_asks_for_their_erasure_on_their_page(client: TestClient, w: PrivacyWorld):
    browser = browser_of(client, w.person)
    page = browser.get("/profile/personal-data")

    asked = browser.post(
        "/profile/personal-data/erasure-request",
        follow_redirects=False,
        data={"reason": "I left the programme.", "csrf_token": csrf_from(page.text)},
    )
    assert asked.status_code == 303
    shown = browser.get(asked.headers["location"]).text
    assert "a privacy officer will carry it out" in shown
    assert 'action="/profile/personal-data/erasure-request"' not in shown
    request = w.db.scalar(select(ErasureRequest).where(ErasureRequest.person_id == w.person.id))
    assert request is not None
    assert request.reason == "I left the programme."
    assert request.asked_by_id == w.person.id
    assert request.carried_out_at is None


def test_asking_twice_is_refused_and_writes_nothing(client: TestClient, w: PrivacyWorld):
    headers = headers_for(client, w.person)
    first = client.post("/api/v1/me/erasure-request", headers=headers, json={})
    assert first.status_code == 201
    browser = browser_of(client, w.person)
    token = csrf_from(browser.get("/profile/personal-data").text)
    before = _everything(w)

    again = client.post("/api/v1/me/erasure-request", headers=headers, json={"reason": "Again"})
    page = browser.post(
        "/profile/personal-data/erasure-request", data={"reason": "Again", "csrf_token": token}
    )

    assert again.status_code == 409
    assert again.json()["code"] == "erasure_already_requested"
    assert page.status_code == 400
    assert "has already been asked for" in page.text
    assert _everything(w) == before


def _ask(client: TestClient, w: PrivacyWorld) -> None:
    answer = client.post(
        "/api/v1/me/erasure-request",
        headers=headers_for(client, w.person),
        json={"reason": "Please erase me."},
    )
    assert answer.status_code == 201


def test_the_officer_finds_the_waiting_request_and_the_person(client: TestClient, w):
    _ask(client, w)
    browser = browser_of(client, w.officer)

    page = browser.get("/admin/privacy").text
    assert f'href="/admin/privacy/people/{w.person.id}"' in page
    assert "Please erase me." in page
    found = browser.get("/admin/privacy", params={"q": "keomanivong"}).text
    assert EMAIL in found
    person = browser.get(f"/admin/privacy/people/{w.person.id}").text
    assert "Please erase me." in person
    assert 'name="confirm_email"' in person


def test_a_wrong_address_shows_the_form_again_and_erases_nothing(client: TestClient, w):
    _ask(client, w)
    browser = browser_of(client, w.officer)
    url = f"/admin/privacy/people/{w.person.id}"
    token = csrf_from(browser.get(url).text)
    before = _everything(w)

    refused = browser.post(
        f"{url}/erase",
        data={
            "confirm_email": "vilayvanh@example.org",
            "reason": "Asked by mail",
            "csrf_token": token,
        },
    )

    assert refused.status_code == 400
    assert "Type the person's e-mail address exactly" in refused.text
    assert "Asked by mail" in refused.text
    assert _everything(w) == before


def test_the_officer_carries_out_the_erasure_on_the_page(client: TestClient, w: PrivacyWorld):
    _ask(client, w)
    browser = browser_of(client, w.officer)
    url = f"/admin/privacy/people/{w.person.id}"
    token = csrf_from(browser.get(url).text)

    done = browser.post(
        f"{url}/erase",
        follow_redirects=False,
        data={"confirm_email": f" {EMAIL.upper()} ", "csrf_token": token},
    )

    assert done.status_code == 303
    page = browser.get(done.headers["location"]).text
    assert "The person was erased." in page
    assert f"Erased person {w.person.id}" in page
    assert "Erased on" in browser.get(url).text
    request = w.db.scalar(select(ErasureRequest).where(ErasureRequest.person_id == w.person.id))
    assert request is not None
    assert request.carried_out_by_id == w.officer.id
    assert request.reason == "Please erase me."
    client.cookies.clear()
    login = client.get("/login")
    refused = client.post(
        "/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": csrf_from(login.text)}
    )
    assert refused.status_code == 400


def test_a_staff_account_is_erased_by_an_admin_officer_only(client: TestClient, w):
    w.person.platform_role = PlatformRole.INSTITUTION_MANAGER
    w.db.flush()
    browser = browser_of(client, w.officer)
    url = f"/admin/privacy/people/{w.person.id}"
    page = browser.get(url)
    assert "You may not erase this person" in page.text
    before = _everything(w)

    refused = browser.post(
        f"{url}/erase", data={"confirm_email": EMAIL, "csrf_token": csrf_from(page.text)}
    )

    assert refused.status_code == 403
    assert _everything(w) == before


def test_erasure_over_the_api_is_confirmed_and_listed(client: TestClient, w: PrivacyWorld):
    headers = headers_for(client, w.officer)
    url = f"/api/v1/users/{w.person.id}/erasure"

    wrong = client.post(url, headers=headers, json={"confirm_email": "x@example.org"})
    assert wrong.status_code == 422
    assert wrong.json()["code"] == "erasure_confirmation_mismatch"
    done = client.post(url, headers=headers, json={"confirm_email": EMAIL, "reason": "By phone"})
    assert done.status_code == 200, done.text
    assert done.json()["carried_out_by_id"] == w.officer.id
    again = client.post(url, headers=headers, json={"confirm_email": EMAIL})
    assert again.status_code == 409
    assert again.json()["code"] == "already_erased"
    listed = client.get(
        "/api/v1/erasure-requests", headers=headers, params={"waiting": "false"}
    ).json()["items"]
    assert [(r["person_name"], r["reason"]) for r in listed] == [
        (f"Erased person {w.person.id}", "By phone"),
    ]
    assert NAME not in done.text


def test_only_officers_read_the_requests(client: TestClient, w: PrivacyWorld):
    _ask(client, w)

    refused = client.get("/api/v1/erasure-requests", headers=headers_for(client, w.admin))
    listed = client.get("/api/v1/erasure-requests", headers=headers_for(client, w.officer))

    assert refused.status_code == 403
    assert [row["person_email"] for row in listed.json()["items"]] == [EMAIL]
