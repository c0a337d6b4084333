"""A request refused with 403 is in the audit trail, API and pages alike: the caller, the
institution it acts for, the method and route template (never the path itself), the
refusal's code and the request id, written in a transaction of its own while the request's
own writes roll back. Visitors' refusals (401, a sign-in redirect) and hidden objects (404)
are not recorded."""

import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

import app.models  # noqa: F401  (every table, for the snapshot)
from app.accounts import audit
from app.accounts.models import AuditEntry, AuditOutcome
from app.core.config import Settings
from app.core.db import Base
from tests.accounts.audit_world import NOON, AuditWorld, audit_world
from tests.audit_snapshots import refusals, rows_of

pytestmark = pytest.mark.time_machine(NOON, tick=False)


@pytest.fixture
def w(db: Session, settings: Settings) -> AuditWorld:
    return audit_world(db, settings)


def _everything(db: Session) -> dict[str, list[str]]:
    db.expire_all()
    return {table.name: rows_of(db, table) for table in Base.metadata.sorted_tables}


def _refusal(w: AuditWorld) -> AuditEntry:
    found = w.entries(outcome=AuditOutcome.REFUSED)
    assert len(found) == 1, [(e.subject, e.actor_user_id) for e in found]
    return found[0]


def test_a_refused_api_request_is_recorded_while_what_it_asked_is_not_written(
    client: TestClient, w: AuditWorld
):
    before = _everything(w.db)

    refused = client.post(
        "/api/v1/users",
        json={"email": "intruder@example.org", "display_name": "Intruder"},
        headers=w.headers(w.teacher, "refused-request-0001"),
    )

    assert refused.status_code == 403
    assert _everything(w.db) == before
    entry = _refusal(w)
    assert (entry.action, entry.subject, entry.detail) == (
        "refused",
        "POST /api/v1/users",
        "forbidden",
    )
    assert (entry.actor_user_id, entry.actor_client_id, entry.institution_id) == (
        w.teacher.id,
        None,
        w.home.id,
    )
    assert (entry.request_id, entry.at, entry.person_id) == ("refused-request-0001", NOON, None)
    assert (entry.from_value, entry.to_value) == (None, None)


def test_a_refusal_names_the_route_template_not_the_ids_in_the_path(
    client: TestClient, w: AuditWorld
):
    refused = client.delete("/api/v1/cohorts/987/members/654", headers=w.headers(w.learner))

    assert refused.status_code == 403
    assert _refusal(w).subject == "DELETE /api/v1/cohorts/{cohort_id}/members/{user_id}"


def test_a_partner_systems_refusal_names_the_client_and_its_institution(
    client: TestClient, w: AuditWorld
):
    client_id, headers = w.client_headers(w.away, ["courses:read"], "partner-request-0001")

    refused = client.get("/api/v1/users", headers=headers)

    assert refused.status_code == 403
    entry = _refusal(w)
    assert (entry.actor_user_id, entry.actor_client_id, entry.institution_id) == (
        None,
        client_id,
        w.away.id,
    )
    assert (entry.subject, entry.request_id) == ("GET /api/v1/users", "partner-request-0001")


def test_a_refused_page_is_recorded(client: TestClient, w: AuditWorld):
    browser = w.browser(client, w.learner)

    shown = browser.get("/admin/audit", headers={"X-Request-ID": "page-request-0001"})

    assert shown.status_code == 403
    entry = _refusal(w)
    assert (entry.subject, entry.actor_user_id, entry.institution_id) == (
        "GET /admin/audit",
        w.learner.id,
        w.home.id,
    )
    assert entry.request_id == "page-request-0001"


def test_a_refused_page_form_is_recorded_and_creates_nothing(client: TestClient, w: AuditWorld):
    browser = w.browser(client, w.teacher)
    before = _everything(w.db)

    sent = browser.post(
        "/admin/users",
        data={"csrf_token": w.csrf(browser), "email": "x@example.org", "display_name": "X"},
    )

    assert sent.status_code == 403
    assert _everything(w.db) == before
    assert _refusal(w).subject == "POST /admin/users"


def test_a_form_from_elsewhere_is_recorded_with_its_code(client: TestClient, w: AuditWorld):
    browser = w.browser(client, w.manager)

    sent = browser.post("/admin/users", data={"csrf_token": "forged", "email": "x@example.org"})

    assert sent.status_code == 403
    assert (_refusal(w).subject, _refusal(w).detail) == ("POST /admin/users", "csrf_failed")


def test_visitors_and_hidden_objects_are_not_recorded(client: TestClient, w: AuditWorld):
    anonymous_api = client.get("/api/v1/audit-entries")
    anonymous_page = client.get("/admin/audit", follow_redirects=False)
    hidden = client.get("/api/v1/users/999999", headers=w.headers(w.manager))

    assert (anonymous_api.status_code, anonymous_page.status_code, hidden.status_code) == (
        401,
        303,
        404,
    )
    assert refusals(w.db) == 0


def test_a_refusal_that_cannot_be_recorded_is_still_answered_and_logged(
    client: TestClient, w: AuditWorld, monkeypatch: pytest.MonkeyPatch, caplog
):
    def unavailable() -> Session:
        raise OperationalError("INSERT", {}, Exception("database gone"))

    monkeypatch.setattr(audit, "session_factory", unavailable)

    with caplog.at_level(logging.WARNING, logger="agora.audit"):
        refused = client.get("/api/v1/users", headers=w.headers(w.learner))

    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"
    assert "could not record a refusal of GET /api/v1/users" in caplog.text
