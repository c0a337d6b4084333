"""Privacy officers are named and withdrawn by platform admins, over the API and on the privacy
page; only managers may hold the grant; every manager sees who holds it."""

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.accounts.models import AuditEntry
from app.core.actors import PlatformRole
from app.privacy.models import PrivacyOfficer
from tests.conftest import csrf_from
from tests.privacy.privacy_world import PrivacyWorld, browser_of, count, headers_for, named

pytestmark = pytest.mark.time_machine(datetime(2026, 12, 7, 9, tzinfo=UTC), tick=False)


def test_an_admin_names_and_withdraws_an_officer_over_the_api(client: TestClient, w):
    manager = named(w.db, "Mina Manager", role=PlatformRole.INSTITUTION_MANAGER, institution=w.home)
    admin = headers_for(client, w.admin)

    named_once = client.put(f"/api/v1/privacy-officers/{manager.id}", headers=admin)
    again = client.put(f"/api/v1/privacy-officers/{manager.id}", headers=admin)
    assert (named_once.status_code, again.status_code) == (200, 200)
    assert named_once.json()["granted_by_id"] == w.admin.id
    listed = client.get("/api/v1/privacy-officers", headers=headers_for(client, manager)).json()
    assert {row["user_id"] for row in listed} == {w.officer.id, manager.id}
    assert client.delete(f"/api/v1/privacy-officers/{manager.id}", headers=admin).status_code == 204
    assert client.delete(f"/api/v1/privacy-officers/{manager.id}", headers=admin).status_code == 404
    actions = list(
        w.db.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.subject == f"user:{manager.id}")
            .order_by(AuditEntry.id)
        )
    )
    assert actions == ["privacy.officer.grant", "privacy.officer.withdraw"]


def test_only_a_manager_may_be_named(client: TestClient, w):
    before = count(w.db, PrivacyOfficer)
    refused = client.put(
        f"/api/v1/privacy-officers/{w.classmate.id}", headers=headers_for(client, w.admin)
    )

    assert refused.status_code == 422
    assert refused.json()["code"] == "privacy_officer_not_a_manager"
    assert count(w.db, PrivacyOfficer) == before


def test_managers_without_admin_rights_name_nobody(client: TestClient, w):
    target = named(w.db, "Mina Manager", role=PlatformRole.MANAGER)
    before = count(w.db, PrivacyOfficer)

    for caller in (w.officer, target):
        answer = client.put(
            f"/api/v1/privacy-officers/{target.id}", headers=headers_for(client, caller)
        )
        assert answer.status_code == 403
    assert (
        client.get("/api/v1/privacy-officers", headers=headers_for(client, w.classmate)).status_code
        == 403
    )
    assert count(w.db, PrivacyOfficer) == before


def test_the_admin_names_an_officer_on_the_privacy_page(client: TestClient, w: PrivacyWorld):
    manager = named(w.db, "Mina Manager", role=PlatformRole.MANAGER)
    browser = browser_of(client, w.admin)
    page = browser.get("/admin/privacy")
    assert 'action="/admin/privacy/officers"' in page.text

    done = browser.post(
        "/admin/privacy/officers",
        follow_redirects=False,
        data={"email": manager.email.upper(), "csrf_token": csrf_from(page.text)},
    )
    assert done.status_code == 303
    assert "Mina Manager" in browser.get("/admin/privacy").text
    withdrawn = browser.post(
        f"/admin/privacy/officers/{manager.id}/withdraw",
        follow_redirects=False,
        data={"csrf_token": csrf_from(page.text)},
    )
    assert withdrawn.status_code == 303
    assert w.db.scalar(select(PrivacyOfficer).where(PrivacyOfficer.user_id == manager.id)) is None


def test_a_refused_naming_shows_the_form_again_with_the_message(client: TestClient, w):
    browser = browser_of(client, w.admin)
    token = csrf_from(browser.get("/admin/privacy").text)
    before = count(w.db, PrivacyOfficer)

    unknown = browser.post(
        "/admin/privacy/officers", data={"email": "nobody@example.org", "csrf_token": token}
    )
    learner = browser.post(
        "/admin/privacy/officers", data={"email": w.classmate.email, "csrf_token": token}
    )

    assert unknown.status_code == 400
    assert "No account has this e-mail address." in unknown.text
    assert 'value="nobody@example.org"' in unknown.text
    assert learner.status_code == 400
    assert "can be a privacy officer" in learner.text
    assert count(w.db, PrivacyOfficer) == before


def test_a_manager_sees_who_the_officers_are_but_not_the_requests(client: TestClient, w):
    manager = named(w.db, "Mina Manager", role=PlatformRole.MANAGER)
    page = browser_of(client, manager).get("/admin/privacy")

    assert page.status_code == 200
    assert "Dara Officer" in page.text
    assert "Waiting erasure requests" not in page.text
    assert 'action="/admin/privacy/officers"' not in page.text


def test_a_learner_has_no_privacy_administration(client: TestClient, w):
    assert browser_of(client, w.classmate).get("/admin/privacy").status_code == 403
