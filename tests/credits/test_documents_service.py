"""Issuing documents: what a transcript, a diploma supplement and a certificate say, who may
issue them, superseding and revoking."""

from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.accounts.auth import actor_for_user
from app.core.actors import SYSTEM
from app.core.errors import Forbidden, NotFound
from app.credits.document_models import DocumentKind, IssuedDocument
from app.credits.document_schemas import DocumentIssue
from app.credits.service import documents
from app.membership.models import Enrolment, EnrolmentStatus
from tests.accounts.factories import make_user
from tests.credits.documents_world import DocumentsWorld, documents_world


@pytest.fixture
def w(db, settings, tmp_path: Path) -> DocumentsWorld:
    return documents_world(db, settings, tmp_path / "keys")


def _issue(w: DocumentsWorld, kind: str = "transcript", **extra: object) -> documents.Issued:
    request = DocumentIssue.model_validate({"kind": kind, **extra})
    return documents.issue(w.db, actor_for_user(w.learner), w.settings, w.learner.id, request)


def test_a_transcript_groups_the_entries_in_force_by_awarding_institution(w):
    content = _issue(w).payload["content"]

    by_institution = {g["institution"]["code"]: g for g in content["institutions"]}
    assert set(by_institution) == {"GRHOME", "KZPART"}
    home = by_institution["GRHOME"]["entries"][0]
    assert home["credits"] == "6"
    assert (home["grade"], home["scale"], home["term"]) == ("14", "fr-20", "2025-26")
    assert home["band"] == {"table_id": w.table.id, "from": "20", "to": "50"}
    assert by_institution["KZPART"]["entries"][0]["grade"] == "хорошо"
    assert by_institution["KZPART"]["entries"][0]["source"] == "transfer"
    assert content["total_credits"] == "10.5"
    assert [r["cumulative"] for r in content["grading_tables"][0]["rows"]] == ["20", "50", "100"]


def test_the_payload_names_issuer_learner_date_and_verification_link(w):
    issued = _issue(w)

    payload = issued.payload
    assert payload["issuer"]["name"] == w.book.home.name
    assert payload["learner"] == {"id": w.learner.id, "name": "Aigerim Nurlanovna"}
    assert payload["id"] == issued.document.public_id
    assert payload["verify_url"] == f"http://testserver/verify/{issued.document.public_id}"


def test_a_diploma_supplement_adds_the_programme(w):
    content = _issue(w, "diploma_supplement", programme="DOC-LIC").payload["content"]

    assert content["programme"]["title"] == "Licence in health"
    assert content["programme"]["eqf_level"] == 6
    assert content["programme"]["credits"] == "60"
    assert content["standing"] == {"earned": "10.5", "required": "60", "eligible": False}
    assert content["total_credits"] == "10.5"  # the transferred unit counts toward it


def test_a_certificate_needs_a_completed_course_that_awards_no_credit(w):
    with pytest.raises(documents.CourseNotCompleted):
        _issue(w, "certificate", course_id=w.free_course.id)
    with pytest.raises(documents.CourseAwardsCredits):
        _issue(w, "certificate", course_id=w.book.course.id)

    w.complete_free_course()
    content = _issue(w, "certificate", course_id=w.free_course.id).payload["content"]

    assert content["course"]["workload_hours"] == 12
    assert content["attended_hours"] == "0"
    assert content["outcomes"] == ["Explain a health system's functions"]
    assert content["completed_on"] is not None


def test_a_completed_enrolment_also_earns_the_certificate(w):
    w.db.add(Enrolment(user_id=w.learner.id, course_id=w.free_course.id, role="student",
                       status=EnrolmentStatus.COMPLETED))  # fmt: skip
    w.db.flush()

    assert _issue(w, "certificate", course_id=w.free_course.id).document.course_id


def test_a_new_transcript_supersedes_the_previous_one_only(w):
    first = _issue(w)
    supplement = _issue(w, "diploma_supplement", programme="DOC-LIC")
    second = _issue(w)

    w.db.refresh(first.document)
    assert first.document.superseded_by_id == second.document.id
    assert second.document.superseded_by_id is None
    assert supplement.document.superseded_by_id is None


def test_another_learner_may_not_issue_and_an_outsider_is_told_nobody_is_there(w):
    other = make_user(w.db, institution=w.book.home)
    count = w.db.scalar(select(func.count()).select_from(IssuedDocument))
    request = DocumentIssue(kind=DocumentKind.TRANSCRIPT)

    with pytest.raises(NotFound):
        documents.issue(w.db, actor_for_user(other), w.settings, w.learner.id, request)
    assert w.db.scalar(select(func.count()).select_from(IssuedDocument)) == count


def test_a_registrar_issues_and_revokes_once(w):
    registrar = actor_for_user(w.registrar)
    request = DocumentIssue(kind=DocumentKind.TRANSCRIPT)
    issued = documents.issue(w.db, registrar, w.settings, w.learner.id, request)

    revoked = documents.revoke(w.db, registrar, issued.document.public_id, "Issued in error")

    assert revoked.document.revoked_reason == "Issued in error"
    with pytest.raises(documents.DocumentAlreadyRevoked):
        documents.revoke(w.db, registrar, issued.document.public_id, "Again")
    with pytest.raises(Forbidden):
        documents.revoke(w.db, actor_for_user(w.learner), issued.document.public_id, "Mine")


def test_documents_are_listed_newest_first_with_their_successor(w):
    first = _issue(w)
    second = _issue(w)

    listed = documents.documents_of(w.db, SYSTEM, w.learner.id)

    assert [i.document.id for i in listed] == [second.document.id, first.document.id]
    assert listed[1].superseded_by == second.document.public_id
