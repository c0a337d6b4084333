"""Recognition pages: the learner files, uploads evidence, submits and reads the decision;
the registrar lists and names the jury; the chair records the decision. A refused form is
shown again with its message and writes nothing."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.credits.models import CreditEntry
from app.credits.recognition_models import (
    ApplicationStatus,
    RecognitionApplication,
    RecognitionEvidence,
    RecognitionJuryMember,
)
from app.credits.service import ledger
from tests.conftest import QueryCounter
from tests.credits.recognition_world import RplWorld, rpl_world

MINE = "/me/credits/recognition"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def w(db: Session, settings: Settings, tmp_path: Path) -> RplWorld:
    return rpl_world(db, settings, tmp_path)


def _count(w: RplWorld, model: type) -> int:
    return w.db.scalar(select(func.count()).select_from(model)) or 0


def test_the_learner_files_uploads_and_submits_from_their_page(client: TestClient, w: RplWorld):
    browser = w.browser(client, w.learner)
    assert "Master of Quality" in browser.get(MINE).text

    started = w.post(browser, MINE, {"programme_id": str(w.programme.id)})
    assert started.status_code == 303
    page = started.headers["location"].split("?")[0]
    saved = w.post(
        browser, page, {"course_ids": [str(w.courses[0].id)], "experience": "Led *audits*."}
    )
    assert saved.status_code == 303
    uploaded = w.post(browser, page + "/evidence", {}, files={"file": ("cv.pdf", PDF)})
    assert uploaded.status_code == 303
    assert w.post(browser, page + "/submit", {}).status_code == 303

    shown = browser.get(page)
    assert shown.status_code == 200
    assert "<em>audits</em>" in shown.text
    assert "cv.pdf" in shown.text
    [application] = w.db.scalars(select(RecognitionApplication)).all()
    assert application.status is ApplicationStatus.SUBMITTED


def test_asking_for_a_credited_course_is_shown_again_and_writes_nothing(
    client: TestClient, w: RplWorld
):
    view = w.reviewed(w.courses[0])
    w.decide(view.application.id, w.full(w.courses[0]))
    draft = w.filed(w.courses[1])
    browser = w.browser(client, w.learner)

    answer = w.post(
        browser,
        f"{MINE}/{draft.application.id}",
        {"course_ids": [str(w.courses[0].id)], "experience": "Changed"},
    )

    assert answer.status_code == 409
    assert "jamais compté deux fois" in answer.text  # in her language, French
    w.db.expire_all()
    kept = w.db.get_one(RecognitionApplication, draft.application.id)
    assert kept.experience_markdown != "Changed"


def test_the_learner_reads_the_decision_with_its_reasons(client: TestClient, w: RplWorld):
    view = w.reviewed(w.courses[0])
    w.decide(view.application.id, w.full(w.courses[0]))

    page = w.browser(client, w.learner).get(f"{MINE}/{view.application.id}")

    assert "Ten years of practice cover it." in page.text
    assert "Validé en totalité" in page.text


def test_another_person_has_no_learner_page_of_the_application(client: TestClient, w: RplWorld):
    view = w.submitted(w.courses[0])

    assert w.browser(client, w.outsider).get(f"{MINE}/{view.application.id}").status_code == 404
    assert w.browser(client, w.registrar).get(f"{MINE}/{view.application.id}").status_code == 403


def test_the_registrar_names_the_jury_by_e_mail(client: TestClient, w: RplWorld):
    view = w.submitted(w.courses[0])
    browser = w.browser(client, w.registrar)
    assert (
        f'href="/credits/recognition/{view.application.id}"'
        in browser.get("/admin/credits/recognition").text
    )

    answer = w.post(
        browser,
        f"/credits/recognition/{view.application.id}/jury",
        {"member_email": [w.chair.email, w.member.email, "", "", ""], "chair": "0"},
    )

    assert answer.status_code == 303
    members = w.db.scalars(select(RecognitionJuryMember)).all()
    assert {(m.user_id, m.is_chair) for m in members} == {(w.chair.id, True), (w.member.id, False)}


def test_a_jury_of_one_is_shown_again_and_writes_nothing(client: TestClient, w: RplWorld):
    view = w.submitted(w.courses[0])
    browser = w.browser(client, w.registrar)

    answer = w.post(
        browser,
        f"/credits/recognition/{view.application.id}/jury",
        {"member_email": [w.chair.email, "", "", "", ""], "chair": "0"},
    )

    assert answer.status_code == 400
    assert "at least two members" in answer.text
    assert _count(w, RecognitionJuryMember) == 0


def test_the_chair_records_the_decision_from_the_review_page(client: TestClient, w: RplWorld):
    view = w.reviewed(w.courses[0], w.courses[1])
    browser = w.browser(client, w.chair)
    assert (
        f"/credits/recognition/{view.application.id}"
        in browser.get("/credits/recognition/jury").text
    )
    assert "Record the decision" in browser.get(f"/credits/recognition/{view.application.id}").text

    answer = w.post(
        browser,
        f"/credits/recognition/{view.application.id}/decision",
        {
            "course_id": [str(w.courses[0].id), str(w.courses[1].id)],
            "outcome": ["partial", "refused"],
            "credits": ["2,5", ""],
            "remaining": ["The statistics unit", ""],
            "reason": ["Practice only", "No evidence"],
        },
    )

    assert answer.status_code == 303
    [entry] = ledger.in_force(w.db, [w.learner.id])[w.learner.id]
    assert str(entry.credits) == "2.5"


def test_a_member_who_is_not_the_chair_sees_no_decision_form_and_may_not_post_one(
    client: TestClient, w: RplWorld
):
    view = w.reviewed(w.courses[0])
    browser = w.browser(client, w.member)
    assert (
        "Record the decision" not in browser.get(f"/credits/recognition/{view.application.id}").text
    )

    answer = w.post(
        browser,
        f"/credits/recognition/{view.application.id}/decision",
        {"course_id": [str(w.courses[0].id)], "outcome": ["full"], "credits": [""],
         "remaining": [""], "reason": ["Ok"]},
    )  # fmt: skip

    assert answer.status_code == 403
    assert _count(w, CreditEntry) == 0


def test_a_decision_without_a_reason_is_shown_again_and_writes_nothing(
    client: TestClient, w: RplWorld
):
    view = w.reviewed(w.courses[0])
    browser = w.browser(client, w.chair)

    answer = w.post(
        browser,
        f"/credits/recognition/{view.application.id}/decision",
        {"course_id": [str(w.courses[0].id)], "outcome": ["full"], "credits": [""],
         "remaining": [""], "reason": [" "]},
    )  # fmt: skip

    assert answer.status_code == 400
    assert "Give a reason" in answer.text
    assert _count(w, CreditEntry) == 0


def test_the_evidence_page_link_downloads_an_attachment_for_the_jury_only(
    client: TestClient, w: RplWorld
):
    view = w.filed(w.courses[0])
    learner = w.browser(client, w.learner)
    w.post(learner, f"{MINE}/{view.application.id}/evidence", {}, files={"file": ("cv.pdf", PDF)})
    w.post(learner, f"{MINE}/{view.application.id}/submit", {})
    [file] = w.db.scalars(select(RecognitionEvidence)).all()
    path = f"/credits/recognition/{view.application.id}/evidence/{file.id}"

    got = w.browser(client, w.registrar).get(path)
    assert got.status_code == 200
    assert got.headers["content-disposition"].startswith("attachment;")
    assert w.browser(client, w.outsider).get(path).status_code == 404


def test_the_registrar_list_page_keeps_a_constant_number_of_queries(
    client: TestClient, w: RplWorld, queries: QueryCounter
):
    browser = w.browser(client, w.registrar)

    def count() -> int:
        with queries:
            assert browser.get("/admin/credits/recognition").status_code == 200
        return queries.count

    w.submitted(w.courses[0])
    w.submitted(w.courses[1])
    few = count()
    for _ in range(2):
        learner = w.another_learner()
        for course in w.courses:
            w.submitted(course, learner=learner)
    assert count() == few


def test_the_review_page_names_the_jury_and_its_chair(client: TestClient, w: RplWorld):
    w.chair.display_name, w.member.display_name = "Claire Dupont", "Marc Levy"
    view = w.reviewed(w.courses[0])

    page = w.browser(client, w.member).get(f"/credits/recognition/{view.application.id}")

    assert "<li>Claire Dupont (chair)</li>" in page.text
    assert "<li>Marc Levy</li>" in page.text
    assert "Name the jury" not in page.text


def test_the_learner_deletes_a_draft_but_not_a_submitted_application(
    client: TestClient, w: RplWorld
):
    draft = w.filed(w.courses[0])
    submitted = w.submitted(w.courses[1])
    browser = w.browser(client, w.learner)

    deleted = w.post(browser, f"{MINE}/{draft.application.id}/delete", {})
    kept = w.post(browser, f"{MINE}/{submitted.application.id}/delete", {})

    assert deleted.status_code == 303
    assert kept.status_code == 400
    assert "Seul un brouillon de demande peut être modifié." in kept.text
    w.db.expire_all()
    assert [a.id for a in w.db.scalars(select(RecognitionApplication))] == [
        submitted.application.id
    ]


@pytest.mark.parametrize("credits", ["2.55", "two", "NaN"])
def test_credits_typed_wrong_are_shown_again_and_write_nothing(
    client: TestClient, w: RplWorld, credits: str
):
    view = w.reviewed(w.courses[0])
    browser = w.browser(client, w.chair)

    answer = w.post(
        browser,
        f"/credits/recognition/{view.application.id}/decision",
        {"course_id": [str(w.courses[0].id)], "outcome": ["partial"], "credits": [credits],
         "remaining": ["Statistics"], "reason": ["Some practice"]},
    )  # fmt: skip

    assert answer.status_code == 400
    assert "Enter a number of credits" in answer.text
    assert _count(w, CreditEntry) == 0


def test_a_jury_member_finds_the_jury_page_from_my_credits(client: TestClient, w: RplWorld):
    before = w.browser(client, w.member).get("/me/credits").text
    assert "/credits/recognition/jury" not in before  # not on any jury yet
    w.reviewed(w.courses[0])

    after = w.browser(client, w.member).get("/me/credits").text

    assert 'href="/credits/recognition/jury"' in after
