"""A registrar's decisions on waiting results: record without conversion with a reason,
refuse, or try again; a decided result stays decided; nobody else decides."""

from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.credits.models import CreditEntry
from app.credits.service import ledger
from tests.credits.transfer_world import Mobility, mobility

RESULTS = "/api/v1/transfer-results"


def _waiting(client: TestClient, w: Mobility) -> int:
    w.external_id("KZ-9")
    body = client.post(
        RESULTS,
        json=w.result("отлично", learner_id=None, external_id="KZ-9"),
        headers=w.partner_headers(w.host),
    ).json()
    assert body["status"] == "pending"
    return int(body["id"])


def test_a_registrar_records_a_waiting_result_without_conversion(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = mobility(db, settings)
    result_id = _waiting(client, w)
    decided = client.post(
        f"{RESULTS}/{result_id}/decision",
        json={
            "action": "record",
            "reason": "Agreement signed on paper",
            "home_course_id": w.course.id,
        },
        headers=w.user_headers(w.registrar),
    )
    assert decided.status_code == 200, decided.text
    body = decided.json()
    assert body["status"] == "recognised"
    assert body["decided_by_id"] == w.registrar.id
    assert body["converted_grade"] is None
    [entry] = ledger.in_force(db, [w.learner.id])[w.learner.id]
    assert (entry.grade, entry.scale_code) == ("отлично", "ru-5")
    assert entry.course_id == w.course.id
    assert entry.credits == Decimal(5)
    assert entry.reason == "Agreement signed on paper"


def test_a_refused_result_writes_no_credits_and_stays_refused(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = mobility(db, settings)
    result_id = _waiting(client, w)
    path = f"{RESULTS}/{result_id}/decision"
    registrar = w.user_headers(w.registrar)
    no_reason = client.post(path, json={"action": "refuse", "reason": " "}, headers=registrar)
    assert no_reason.status_code == 422
    refused = client.post(
        path, json={"action": "refuse", "reason": "Not in the programme"}, headers=registrar
    )
    assert refused.json()["status"] == "refused"
    again = client.post(
        path, json={"action": "record", "reason": "changed my mind"}, headers=registrar
    )
    assert again.status_code == 409
    assert again.json()["code"] == "transfer_decided"
    assert list(db.scalars(select(CreditEntry).where(CreditEntry.user_id == w.learner.id))) == []


def test_trying_again_without_an_agreement_is_a_conflict_and_changes_nothing(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = mobility(db, settings)
    result_id = _waiting(client, w)
    response = client.post(
        f"{RESULTS}/{result_id}/decision",
        json={"action": "convert"},
        headers=w.user_headers(w.registrar),
    )
    assert response.status_code == 409
    assert response.json()["code"] == "transfer_still_waiting"
    read = client.get(f"{RESULTS}/{result_id}", headers=w.user_headers(w.registrar)).json()
    assert read["status"] == "pending"


def test_only_the_home_registrar_decides(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = mobility(db, settings)
    result_id = _waiting(client, w)
    path = f"{RESULTS}/{result_id}/decision"
    body = {"action": "record", "reason": "why not"}
    assert client.post(path, json=body, headers=w.user_headers(w.learner)).status_code == 403
    assert client.post(path, json=body, headers=w.partner_headers(w.host)).status_code == 403
    assert client.post(path, json=body, headers=w.partner_headers(w.elsewhere)).status_code == 404
    # The learner reads their result, waiting.
    mine = client.get(f"{RESULTS}/{result_id}", headers=w.user_headers(w.learner))
    assert mine.json()["status"] == "pending"


def test_recorded_without_a_home_course_it_is_a_unit_with_the_hosts_credits(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = mobility(db, settings)
    result_id = _waiting(client, w)
    decided = client.post(
        f"{RESULTS}/{result_id}/decision",
        json={"action": "record", "reason": "Elective outside the programme"},
        headers=w.user_headers(w.registrar),
    )
    assert decided.status_code == 200
    [entry] = ledger.in_force(db, [w.learner.id])[w.learner.id]
    assert entry.course_id is None
    assert (entry.unit_code, entry.credits) == ("KZ-PS-501", Decimal(6))
    assert entry.institution_id == w.host.id


def test_a_registrar_posting_a_result_names_the_host(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = mobility(db, settings)
    registrar = w.user_headers(w.registrar)
    missing = client.post(RESULTS, json=w.result(), headers=registrar)
    assert missing.status_code == 422
    assert missing.json()["code"] == "invalid"
    named = client.post(RESULTS, json=w.result(host_institution_id=w.host.id), headers=registrar)
    assert named.status_code == 201
    assert named.json()["waiting_reason"] == "no_agreement"
