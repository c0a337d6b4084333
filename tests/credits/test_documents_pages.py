"""The learner's documents page and the public verification page."""

from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.accounts.auth import actor_for_user
from app.credits.document_models import DocumentKind, IssuedDocument
from app.credits.document_schemas import DocumentIssue
from app.credits.service import documents
from tests.conftest import csrf_from
from tests.credits.documents_world import DocumentsWorld, documents_world
from tests.grades.core_setup import post_form

MINE = "/me/credits/documents"


@pytest.fixture
def w(db, settings, tmp_path: Path) -> DocumentsWorld:
    return documents_world(db, settings, tmp_path / "keys")


def _issued(w: DocumentsWorld) -> IssuedDocument:
    request = DocumentIssue(kind=DocumentKind.TRANSCRIPT)
    return documents.issue(
        w.db, actor_for_user(w.learner), w.settings, w.learner.id, request
    ).document


def test_a_learner_issues_a_transcript_and_gets_its_pdf_and_share_link(client, w):
    browser = w.browser(client, w.learner)
    page = browser.get(MINE)
    assert page.status_code == 200
    assert "Issue a transcript" in page.text

    answer = post_form(browser, w.book, MINE, {"kind": "transcript", "language": "en"})

    assert answer.status_code == 303
    document = w.db.scalar(select(IssuedDocument).where(IssuedDocument.user_id == w.learner.id))
    assert document is not None
    listed = browser.get(MINE).text
    assert f'value="http://testserver/verify/{document.public_id}"' in listed
    pdf = browser.get(f"{MINE}/{document.public_id}/pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_a_certificate_of_an_unfinished_course_is_refused_with_a_message(client, w):
    browser = w.browser(client, w.learner)
    before = w.db.scalar(select(func.count()).select_from(IssuedDocument))

    answer = post_form(
        browser, w.book, MINE,
        {"kind": "certificate", "language": "en", "course_id": str(w.free_course.id)},
    )  # fmt: skip

    assert answer.status_code == 422
    assert "once the course is completed" in answer.text
    assert w.db.scalar(select(func.count()).select_from(IssuedDocument)) == before


def test_another_persons_document_is_not_found_on_my_pages(client, w):
    document = _issued(w)
    browser = w.browser(client, w.book.teacher)

    assert browser.get(f"{MINE}/{document.public_id}/pdf").status_code == 404


def test_anyone_opening_the_link_sees_that_it_is_valid_and_who_issued_it(client, w):
    document = _issued(w)
    client.cookies.clear()

    page = client.get(f"/verify/{document.public_id}")

    assert page.status_code == 200
    assert "Valid" in page.text
    assert w.book.home.name in page.text
    assert "Aigerim Nurlanovna" in page.text
    assert "In force" in page.text


def test_a_pasted_document_is_verified_and_a_changed_one_is_invalid(client, w):
    document = _issued(w)
    client.cookies.clear()
    token = csrf_from(client.get("/verify").text)

    genuine = client.post("/verify", data={"csrf_token": token, "document": document.jws})
    forged = client.post(
        "/verify", data={"csrf_token": token, "document": document.jws[:-4] + "AAAA"}
    )

    assert "Valid" in genuine.text
    assert "Invalid" in forged.text


def test_a_revoked_document_says_so_on_the_verification_page(client, w):
    document = _issued(w)
    documents.revoke(w.db, actor_for_user(w.registrar), document.public_id, "Grade corrected")

    page = client.get(f"/verify/{document.public_id}")

    assert "Revoked on" in page.text
    assert "Grade corrected" in page.text


def test_an_unknown_link_is_invalid(client):
    page = client.get("/verify/00000000-0000-4000-8000-000000000000")

    assert page.status_code == 200
    assert "Invalid" in page.text


def test_my_documents_page_costs_the_same_queries_for_two_or_six(client, w, queries):
    browser = w.browser(client, w.learner)

    def cost() -> int:
        with queries:
            assert browser.get(MINE).status_code == 200
        return queries.count

    for _ in range(2):
        _issued(w)
    two = cost()
    for _ in range(4):
        _issued(w)
    assert cost() == two
