"""Results from the host: recognised on receipt by the agreement and the grading tables, or
waiting for a registrar's decision; idempotent; only the host's partner system posts."""

from datetime import date
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.auth import actor_for_user
from app.core.config import Settings
from app.credits.models import CreditEntry, EntrySource
from app.credits.service import ledger, transfer
from app.credits.transfer_models import TransferResult
from tests.credits.transfer_world import mobility

RESULTS = "/api/v1/transfer-results"


def _entries(db: Session, user_id: int) -> list[CreditEntry]:
    return list(db.scalars(select(CreditEntry).where(CreditEntry.user_id == user_id)))


def test_a_matched_result_is_converted_and_recognised_on_receipt(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = mobility(db, settings)
    w.tables()
    agreement_id = w.approved(client)
    response = client.post(RESULTS, json=w.result("хорошо"), headers=w.partner_headers(w.host))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "recognised"
    assert body["agreement_id"] == agreement_id
    # Host "4" spans 20–70 %, midpoint 45 %: at home 40–100 % is "3".
    assert body["converted_grade"] == "удовлетворительно"
    assert body["rule"] == "ects-grading-table-midpoint"
    assert Decimal(body["midpoint"]) == Decimal(45)
    assert body["overlapping"] == "4, 3"

    [entry] = ledger.in_force(db, [w.learner.id])[w.learner.id]
    assert entry.source is EntrySource.TRANSFER
    assert entry.source_id == body["id"]
    assert entry.course_id == w.course.id
    assert entry.credits == Decimal(5)  # the home course's ECTS, not the host's 6
    assert (entry.grade, entry.scale_code) == ("удовлетворительно", "ru-5")
    assert entry.institution_id == w.host.id
    assert (entry.band_from, entry.band_to) == (Decimal(40), Decimal(100))


def test_a_result_without_an_agreement_waits(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = mobility(db, settings)
    w.tables()
    w.external_id("KZ-STU-77")
    response = client.post(
        RESULTS,
        json=w.result("отлично", learner_id=None, external_id="KZ-STU-77"),
        headers=w.partner_headers(w.host),
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["learner_id"] == w.learner.id
    assert (body["status"], body["waiting_reason"]) == ("pending", "no_agreement")
    assert body["converted_grade"] is None
    assert body["entry_id"] is None
    assert _entries(db, w.learner.id) == []
    pending = client.get(
        RESULTS, params={"status": "pending"}, headers=w.user_headers(w.registrar)
    ).json()
    assert [r["id"] for r in pending["items"]] == [body["id"]]


def test_a_course_not_on_the_agreement_waits(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = mobility(db, settings)
    w.tables()
    w.approved(client)
    other = w.result(host_course_code="KZ-OTHER-1")
    body = client.post(RESULTS, json=other, headers=w.partner_headers(w.host)).json()
    assert (body["status"], body["waiting_reason"]) == ("pending", "no_matching_line")
    assert _entries(db, w.learner.id) == []


def test_a_failing_grade_is_not_converted(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = mobility(db, settings)
    w.tables()
    w.approved(client)
    failed = w.result("неудовлетворительно")
    body = client.post(RESULTS, json=failed, headers=w.partner_headers(w.host)).json()
    assert (body["status"], body["waiting_reason"]) == ("pending", "not_convertible")
    assert body["converted_grade"] is None
    assert body["rule"] is None
    assert _entries(db, w.learner.id) == []


def test_without_tables_the_result_waits_and_converts_once_they_exist(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = mobility(db, settings)
    w.approved(client)
    body = client.post(RESULTS, json=w.result("4"), headers=w.partner_headers(w.host)).json()
    assert (body["status"], body["waiting_reason"]) == ("pending", "no_grading_table")
    w.tables()
    decided = client.post(
        f"{RESULTS}/{body['id']}/decision",
        json={"action": "convert"},
        headers=w.user_headers(w.registrar),
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "recognised"
    assert decided.json()["converted_grade"] == "удовлетворительно"


def test_the_same_result_twice_is_stored_once(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = mobility(db, settings)
    w.tables()
    w.approved(client)
    host = w.partner_headers(w.host)
    first = client.post(RESULTS, json=w.result(), headers=host)
    again = client.post(RESULTS, json=w.result(), headers=host)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert db.scalar(select(func.count(TransferResult.id))) == 1
    assert len(_entries(db, w.learner.id)) == 1


def test_a_partner_of_another_institution_can_neither_post_nor_read(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = mobility(db, settings)
    w.tables()
    w.approved(client)
    stored = client.post(RESULTS, json=w.result(), headers=w.partner_headers(w.host)).json()
    intruder = w.partner_headers(w.elsewhere)
    posted = client.post(RESULTS, json=w.result(completed_on="2027-01-21"), headers=intruder)
    assert posted.status_code == 404
    assert client.get(f"{RESULTS}/{stored['id']}", headers=intruder).status_code == 404
    assert client.get(RESULTS, headers=intruder).json()["items"] == []
    assert db.scalar(select(func.count(TransferResult.id))) == 1


def test_a_host_cannot_post_for_a_learner_it_does_not_know(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = mobility(db, settings)
    response = client.post(RESULTS, json=w.result(), headers=w.partner_headers(w.host))
    assert response.status_code == 404
    unknown_id = w.result(learner_id=None, external_id="NOBODY")
    assert client.post(RESULTS, json=unknown_id, headers=w.partner_headers(w.host)).status_code == (
        404
    )
    assert db.scalar(select(func.count(TransferResult.id))) == 0


def test_a_host_token_without_write_scope_is_refused(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = mobility(db, settings)
    w.approved(client)
    reader = w.partner_headers(w.host, "credits:read")
    assert client.post(RESULTS, json=w.result(), headers=reader).status_code == 403
    assert db.scalar(select(func.count(TransferResult.id))) == 0


def test_receive_result_is_what_elmo_calls(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = mobility(db, settings)
    w.tables()
    w.approved(client)
    registrar = actor_for_user(w.registrar)  # a home registrar importing the host's ELMO file
    result = transfer.HostResult(
        learner_id=w.learner.id,
        host_institution_id=w.host.id,
        host_course_code="KZ-PS-501",
        title="Patient safety in clinical practice",
        credits=Decimal(6),
        grade="5",
        scale_code="ru-5",
        isced_code="0413",
        eqf_level=7,
        completed_on=date(2027, 1, 20),
        via="elmo",
    )
    row = transfer.receive_result(db, registrar, result)
    assert row.via == "elmo"
    assert row.status == "recognised"
    # Host "5" spans 0–20 %, midpoint 10 %: at home 0–10 % is "5", the better grade on a tie.
    assert row.converted_grade == "отлично"
    assert transfer.receive_result(db, registrar, result).id == row.id


def test_the_home_partner_system_posts_results_naming_an_existing_host(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = mobility(db, settings)
    home_system = w.partner_headers(w.home)
    nowhere = client.post(RESULTS, json=w.result(host_institution_id=999_999), headers=home_system)
    assert nowhere.status_code == 422
    assert db.scalar(select(func.count(TransferResult.id))) == 0
    named = client.post(RESULTS, json=w.result(host_institution_id=w.host.id), headers=home_system)
    assert named.status_code == 201
    assert named.json()["host_institution_id"] == w.host.id


def test_a_result_sent_before_the_approval_is_recognised_when_both_sides_approve(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = mobility(db, settings)
    w.tables()
    agreement_id = w.draft(client)
    path = f"/api/v1/learning-agreements/{agreement_id}"
    client.post(f"{path}/proposal", headers=w.user_headers(w.learner))
    early = client.post(RESULTS, json=w.result(), headers=w.partner_headers(w.host)).json()
    assert (early["status"], early["waiting_reason"]) == ("pending", "no_agreement")
    client.post(f"{path}/home-approval", headers=w.user_headers(w.registrar))
    assert _entries(db, w.learner.id) == []
    client.post(f"{path}/host-approval", headers=w.partner_headers(w.host))
    later = client.get(f"{RESULTS}/{early['id']}", headers=w.user_headers(w.registrar)).json()
    assert later["status"] == "recognised"
    assert later["agreement_id"] == agreement_id
    assert later["converted_grade"] == "удовлетворительно"
    assert len(_entries(db, w.learner.id)) == 1


def test_a_result_matches_the_approved_agreement_that_lists_its_course(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = mobility(db, settings)
    w.tables()
    first = w.approved(client)
    second = client.post(
        "/api/v1/learning-agreements",
        json={
            "learner_id": w.learner.id, "host_institution_id": w.host.id,
            "programme_id": w.programme.id, "period_from": "2027-02-01",
            "period_to": "2027-06-30",
        },
        headers=w.user_headers(w.registrar),
    ).json()["id"]  # fmt: skip
    path = f"/api/v1/learning-agreements/{second}"
    line = {"host_course_code": "KZ-SPRING", "host_course_title": "Spring course",
            "host_credits": "4", "home_course_id": w.course.id}  # fmt: skip
    client.post(f"{path}/lines", json=line, headers=w.user_headers(w.registrar))
    client.post(f"{path}/proposal", headers=w.user_headers(w.registrar))
    client.post(f"{path}/home-approval", headers=w.user_headers(w.registrar))
    client.post(f"{path}/host-approval", headers=w.partner_headers(w.host))
    body = client.post(RESULTS, json=w.result(), headers=w.partner_headers(w.host)).json()
    assert body["status"] == "recognised"
    assert body["agreement_id"] == first


def test_a_result_path_that_is_not_a_number_is_no_result(
    client: TestClient, db: Session, settings: Settings
) -> None:
    w = mobility(db, settings)
    response = client.get(f"{RESULTS}/latest", headers=w.user_headers(w.registrar))
    assert response.status_code in (404, 405)
