"""Recognition over the API: a learner files, adds evidence and submits; a registrar names the
jury; the chair decides. Evidence is an attachment for the learner, the jury and registrars
only; lists keep a constant number of queries; refused requests write nothing."""

from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.credits.models import CreditEntry
from app.credits.recognition_models import RecognitionApplication, RecognitionEvidence
from app.credits.service import ledger
from tests.conftest import QueryCounter
from tests.credits.recognition_world import RplWorld, rpl_world

A = "/api/v1/credits/recognition/applications"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def w(db: Session, settings: Settings, tmp_path: Path) -> RplWorld:
    return rpl_world(db, settings, tmp_path)


def _count(w: RplWorld, model: type) -> int:
    return w.db.scalar(select(func.count()).select_from(model)) or 0


def _file(client: TestClient, w: RplWorld, *course_ids: int) -> dict:
    answer = client.post(
        A,
        json={
            "programme_id": w.programme.id,
            "course_ids": list(course_ids),
            "experience_markdown": "Eight years leading **audits**.",
        },
        headers=w.headers(w.learner),
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def _upload(client: TestClient, w: RplWorld, application_id: int, name: str = "cv.pdf"):
    return client.post(
        f"{A}/{application_id}/evidence",
        files={"file": (name, PDF, "application/pdf")},
        headers=w.headers(w.learner),
    )


def test_the_whole_journey_puts_the_granted_credits_in_the_ledger(client: TestClient, w: RplWorld):
    course = w.courses[0]
    filed = _file(client, w, course.id)
    assert filed["status"] == "draft"
    assert "<strong>audits</strong>" in filed["experience_html"]
    assert _upload(client, w, filed["id"]).status_code == 201
    submitted = client.post(f"{A}/{filed['id']}/submit", headers=w.headers(w.learner))
    assert submitted.json()["status"] == "submitted"
    jury = {"members": [{"user_id": w.chair.id, "chair": True}, {"user_id": w.member.id}]}
    named = client.put(f"{A}/{filed['id']}/jury", json=jury, headers=w.headers(w.registrar))
    assert named.json()["status"] == "under_review"

    decision = {"items": [{"course_id": course.id, "outcome": "full", "reason": "Proven."}]}
    decided = client.post(f"{A}/{filed['id']}/decision", json=decision, headers=w.headers(w.chair))

    assert decided.status_code == 201, decided.text
    body = decided.json()
    assert body["status"] == "decided"
    [item] = body["decision"]["items"]
    assert (item["outcome"], Decimal(item["credits"])) == ("full", Decimal(6))
    assert {m["user_id"] for m in body["decision"]["jury"]} == {w.chair.id, w.member.id}
    [entry] = ledger.in_force(w.db, [w.learner.id])[w.learner.id]
    assert entry.id == item["credit_entry_id"]


def test_a_second_request_for_a_credited_course_is_a_conflict(client: TestClient, w: RplWorld):
    view = w.reviewed(w.courses[0])
    w.decide(view.application.id, w.full(w.courses[0]))
    before = _count(w, RecognitionApplication)

    answer = client.post(
        A,
        json={"programme_id": w.programme.id, "course_ids": [w.courses[0].id]},
        headers=w.headers(w.learner),
    )

    assert answer.status_code == 409
    assert answer.json()["code"] == "already_credited"
    assert _count(w, RecognitionApplication) == before


def test_evidence_is_an_attachment_for_the_learner_jury_and_registrar(
    client: TestClient, w: RplWorld
):
    filed = _file(client, w, w.courses[0].id)
    evidence = _upload(client, w, filed["id"]).json()
    client.post(f"{A}/{filed['id']}/submit", headers=w.headers(w.learner))
    jury = {"members": [{"user_id": w.chair.id, "chair": True}, {"user_id": w.member.id}]}
    client.put(f"{A}/{filed['id']}/jury", json=jury, headers=w.headers(w.registrar))

    for reader in (w.learner, w.chair, w.member, w.registrar):
        answer = client.get(evidence["url"], headers=w.headers(reader))
        assert answer.status_code == 200
        assert answer.content == PDF
        assert answer.headers["content-disposition"].startswith("attachment;")
    for stranger in (w.outsider, w.manager_elsewhere):
        assert client.get(evidence["url"], headers=w.headers(stranger)).status_code == 404


def test_a_draft_and_its_evidence_are_the_learners_alone(client: TestClient, w: RplWorld):
    filed = _file(client, w, w.courses[0].id)
    evidence = _upload(client, w, filed["id"]).json()

    assert client.get(evidence["url"], headers=w.headers(w.registrar)).status_code == 404
    assert client.get(f"{A}/{filed['id']}", headers=w.headers(w.registrar)).status_code == 404


def test_a_file_whose_content_is_not_its_name_is_refused_and_kept_nowhere(
    client: TestClient, w: RplWorld
):
    filed = _file(client, w, w.courses[0].id)

    answer = client.post(
        f"{A}/{filed['id']}/evidence",
        files={"file": ("cv.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")},
        headers=w.headers(w.learner),
    )

    assert answer.status_code == 422
    assert answer.json()["code"] == "file_type_refused"
    assert _count(w, RecognitionEvidence) == 0


def test_a_decision_by_a_member_who_is_not_the_chair_is_forbidden_and_writes_nothing(
    client: TestClient, w: RplWorld
):
    view = w.reviewed(w.courses[0])
    decision = {"items": [{"course_id": w.courses[0].id, "outcome": "full", "reason": "Ok"}]}
    path = f"{A}/{view.application.id}/decision"

    assert client.post(path, json=decision, headers=w.headers(w.member)).status_code == 403
    assert client.post(path, json=decision, headers=w.headers(w.outsider)).status_code == 404
    assert _count(w, CreditEntry) == 0


def test_a_partial_grant_without_remaining_outcomes_is_refused(client: TestClient, w: RplWorld):
    view = w.reviewed(w.courses[0])
    item = {"course_id": w.courses[0].id, "outcome": "partial", "credits": "3", "reason": "Some"}

    answer = client.post(
        f"{A}/{view.application.id}/decision", json={"items": [item]}, headers=w.headers(w.chair)
    )

    assert answer.status_code == 422
    assert _count(w, CreditEntry) == 0


def test_partner_systems_read_no_application(client: TestClient, w: RplWorld):
    view = w.submitted(w.courses[0])
    headers = w.partner(["credits:read", "credits:write"])

    assert client.get(f"{A}/{view.application.id}", headers=headers).status_code == 404
    assert client.get(A, headers=headers).status_code == 403


def test_the_lists_show_what_each_reader_keeps(client: TestClient, w: RplWorld):
    view = w.reviewed(w.courses[0])
    w.filed(w.courses[1])  # a draft: the learner's only

    mine = client.get(A, headers=w.headers(w.learner)).json()["items"]
    jury = client.get(A, params={"listing": "jury"}, headers=w.headers(w.member)).json()["items"]
    kept = client.get(A, params={"listing": "registrar"}, headers=w.headers(w.registrar))
    elsewhere = client.get(
        A, params={"listing": "registrar"}, headers=w.headers(w.manager_elsewhere)
    )

    assert len(mine) == 2
    assert [a["id"] for a in jury] == [view.application.id]
    assert [a["id"] for a in kept.json()["items"]] == [view.application.id]
    assert elsewhere.json()["items"] == []
    refused = client.get(A, params={"listing": "registrar"}, headers=w.headers(w.chair))
    assert refused.status_code == 403


def test_the_registrar_list_keeps_a_constant_number_of_queries(
    client: TestClient, w: RplWorld, queries: QueryCounter
):
    def count() -> int:
        with queries:
            answer = client.get(A, params={"listing": "registrar"}, headers=w.headers(w.registrar))
        assert answer.status_code == 200
        return queries.count

    for course in w.courses[:2]:
        w.reviewed(course)
    few = count()
    for _ in range(2):
        learner = w.another_learner()
        for course in w.courses:
            w.reviewed(course, learner=learner)
    page = client.get(A, params={"listing": "registrar"}, headers=w.headers(w.registrar))
    assert len(page.json()["items"]) == 8
    assert count() == few


def test_a_draft_is_changed_its_file_removed_and_the_application_withdrawn(
    client: TestClient, w: RplWorld
):
    filed = _file(client, w, w.courses[0].id)
    evidence = _upload(client, w, filed["id"]).json()
    one = f"{A}/{filed['id']}"
    headers = w.headers(w.learner)

    changed = client.put(
        one,
        json={"course_ids": [w.courses[1].id, w.courses[2].id], "experience_markdown": "New"},
        headers=headers,
    )
    removed = client.delete(f"{one}/evidence/{evidence['id']}", headers=headers)
    client.post(f"{one}/submit", headers=headers)
    withdrawn = client.post(f"{one}/withdraw", headers=headers)

    assert [r["code"] for r in changed.json()["requests"]] == ["RPL-C2", "RPL-C3"]
    assert removed.status_code == 204
    assert client.get(one, headers=headers).json()["evidence"] == []
    assert withdrawn.json()["status"] == "withdrawn"
    again = client.post(f"{one}/withdraw", headers=headers)
    assert (again.status_code, again.json()["code"]) == (409, "application_closed")
