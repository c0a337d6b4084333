"""Documents over the API: issue, list, read, PDF, revoke and the public verification."""

import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from app.credits.document_models import IssuedDocument, SigningKey
from tests.credits.documents_world import DocumentsWorld, documents_world
from tests.grades.core_setup import partner_headers


@pytest.fixture
def w(db, settings, tmp_path: Path) -> DocumentsWorld:
    return documents_world(db, settings, tmp_path / "keys")


def _issue(client, w: DocumentsWorld, **body: object) -> dict:
    response = client.post(
        f"/api/v1/users/{w.learner.id}/documents",
        json={"kind": "transcript", **body},
        headers=w.headers(w.learner),
    )
    assert response.status_code == 201, response.text
    return response.json()


def _count(w: DocumentsWorld, model: type) -> int:
    return w.db.scalar(select(func.count()).select_from(model)) or 0


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_a_learner_issues_a_transcript_and_reads_it_back_with_its_jws(client, w):
    issued = _issue(client, w)

    read = client.get(f"/api/v1/documents/{issued['id']}", headers=w.headers(w.learner)).json()
    assert read["jws"] == issued["jws"]
    assert read["jws"].count(".") == 2
    assert read["payload"]["content"]["total_credits"] == "10.5"
    assert read["verify_url"].endswith(f"/verify/{issued['id']}")
    listed = client.get(f"/api/v1/users/{w.learner.id}/documents", headers=w.headers(w.learner))
    assert [d["id"] for d in listed.json()] == [issued["id"]]


def test_the_pdf_is_an_attachment_saying_what_the_signed_payload_says(client, w):
    issued = _issue(client, w)

    response = client.get(f"/api/v1/documents/{issued['id']}/pdf", headers=w.headers(w.learner))

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("attachment")
    text = _pdf_text(response.content)
    assert "Transcript of Records" in text
    assert "Health systems" in text
    assert "Эпидемиология" in text
    assert "хорошо" in text
    assert "Aigerim Nurlanovna" in text
    assert issued["id"] in text
    assert f"/verify/{issued['id']}" in text
    assert "20–50 %" in text  # the grade-table band
    assert "Total ECTS credits: 10.5" in text


def test_the_pdf_comes_in_arabic_too(client, w):
    issued = _issue(client, w, language="ar")

    response = client.get(
        f"/api/v1/documents/{issued['id']}/pdf?lang=ar", headers=w.headers(w.learner)
    )

    assert response.status_code == 200
    assert issued["id"] in _pdf_text(response.content)


def test_an_unknown_language_is_a_422(client, w):
    issued = _issue(client, w)

    response = client.get(
        f"/api/v1/documents/{issued['id']}/pdf?lang=de", headers=w.headers(w.learner)
    )

    assert response.status_code == 422


def test_a_refused_certificate_writes_nothing(client, w):
    before = (_count(w, IssuedDocument), _count(w, SigningKey))

    response = client.post(
        f"/api/v1/users/{w.learner.id}/documents",
        json={"kind": "certificate", "course_id": w.free_course.id},
        headers=w.headers(w.learner),
    )

    assert response.status_code == 422
    assert response.json()["code"] == "course_not_completed"
    assert (_count(w, IssuedDocument), _count(w, SigningKey)) == before


def test_a_partner_reads_its_own_learners_documents_only(client, w):
    issued = _issue(client, w)
    own = partner_headers(w.book, w.book.home, ["credits:read"])
    other = partner_headers(w.book, w.book.other, ["credits:read"])

    assert client.get(f"/api/v1/documents/{issued['id']}", headers=own).status_code == 200
    assert client.get(f"/api/v1/documents/{issued['id']}", headers=other).status_code == 404
    listed = client.get(f"/api/v1/users/{w.learner.id}/documents", headers=other)
    assert listed.status_code == 404


def test_verification_by_link_says_who_issued_it_and_that_it_is_revoked(client, w):
    issued = _issue(client, w)
    revoked = client.post(
        f"/api/v1/documents/{issued['id']}/revocations",
        json={"reason": "Grade corrected"},
        headers=w.headers(w.registrar),
    )
    assert revoked.status_code == 201

    answer = client.post("/api/v1/documents/verify", json={"id": issued["verify_url"]}).json()

    assert answer["valid"] is True
    assert answer["issuer"] == w.book.home.name
    assert answer["learner"] == "Aigerim Nurlanovna"
    assert answer["revoked"] is True
    assert answer["revoked_reason"] == "Grade corrected"
    again = client.post(
        f"/api/v1/documents/{issued['id']}/revocations",
        json={"reason": "Again"},
        headers=w.headers(w.registrar),
    )
    assert again.status_code == 409


def test_verification_says_a_document_was_superseded(client, w):
    first = _issue(client, w)
    second = _issue(client, w)

    answer = client.post("/api/v1/documents/verify", json={"jws": first["jws"]}).json()

    assert answer["valid"] is True
    assert answer["superseded"] is True
    assert answer["superseded_by"] == second["id"]


@pytest.mark.parametrize(
    "body",
    [{"jws": "not.a.jws"}, {"jws": "garbage"}, {"id": "00000000-0000-4000-8000-000000000000"}],
)
def test_verification_of_something_we_did_not_issue_is_invalid(client, w, body):
    answer = client.post("/api/v1/documents/verify", json=body)

    assert answer.status_code == 200
    assert answer.json()["valid"] is False


@pytest.mark.parametrize("body", [{}, {"jws": "a.b.c", "id": "x"}, {"jws": "a.b.c", "more": 1}])
def test_verification_needs_exactly_one_of_jws_or_id(client, body):
    assert client.post("/api/v1/documents/verify", json=body).status_code == 422


def test_the_list_costs_the_same_queries_for_two_or_six_documents(client, w, queries):
    def cost() -> int:
        with queries:
            response = client.get(
                f"/api/v1/users/{w.learner.id}/documents", headers=w.headers(w.learner)
            )
        assert response.status_code == 200
        return queries.count

    for _ in range(2):
        _issue(client, w)
    two = cost()
    for _ in range(4):
        _issue(client, w)
    assert cost() == two


def test_a_diploma_supplement_pdf_shows_the_programme_and_the_standing(client, w):
    issued = _issue(client, w, kind="diploma_supplement", programme="DOC-LIC")

    response = client.get(f"/api/v1/documents/{issued['id']}/pdf", headers=w.headers(w.learner))

    text = _pdf_text(response.content)
    assert "Diploma Supplement" in text
    assert "DOC-LIC — Licence in health" in text
    assert "Credits earned: 10.5" in text
    assert "Eligible for the award: not yet" in text


def test_a_certificate_pdf_states_hours_dates_and_outcomes(client, w):
    w.complete_free_course()
    issued = _issue(client, w, kind="certificate", course_id=w.free_course.id)

    response = client.get(f"/api/v1/documents/{issued['id']}/pdf", headers=w.headers(w.learner))

    text = _pdf_text(response.content)
    assert "Certificate of completion" in text
    assert "INDUCT — Induction" in text
    assert "Workload (hours): 12" in text
    assert "Explain a health system's functions" in text


def test_a_document_comes_in_the_learners_language_and_in_english(client, w):
    w.learner.preferred_language = "fr"
    w.db.flush()
    issued = _issue(client, w)
    url = f"/api/v1/documents/{issued['id']}/pdf"

    french = _pdf_text(client.get(url, headers=w.headers(w.learner)).content)
    english = _pdf_text(client.get(url + "?lang=en", headers=w.headers(w.learner)).content)

    assert issued["language"] == "fr"
    assert "Relevé de notes" in french
    assert "Total des crédits ECTS: 10.5" in french  # the numbers as signed
    assert "Transcript of Records" in english
