"""The ledger pages: the registrars' desk and its search, a learner's ledger with its correct
and revoke forms (a refused form is shown again with its message and writes nothing), and the
learner's own history."""

from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.credits.models import EntryKind
from app.credits.service import ledger
from tests.credits.ledger_world import LedgerWorld, ledger_world

D = Decimal


@pytest.fixture
def w(db: Session, settings: Settings) -> LedgerWorld:
    return ledger_world(db, settings)


def test_the_desk_finds_learners_and_links_every_registrar_page(client: TestClient, w: LedgerWorld):
    alice = w.learner()
    alice.display_name = "Alice Vongsa"
    w.db.flush()
    browser = w.browser(client, w.registrar)

    page = browser.get("/admin/credits", params={"q": "vongsa"})

    assert page.status_code == 200
    assert f'href="/admin/learners/{alice.id}/ledger"' in page.text
    for path in ("recognition", "agreements", "double-degrees", "tables"):
        assert f'href="/admin/credits/{path}"' in page.text


def test_a_learner_has_no_registrar_desk(client: TestClient, w: LedgerWorld):
    alice = w.learner()

    assert w.browser(client, alice).get("/admin/credits").status_code == 403


def test_the_registrar_corrects_an_entry_from_the_ledger_page(client: TestClient, w: LedgerWorld):
    alice = w.learner()
    entry = w.entry(alice)
    browser = w.browser(client, w.registrar)
    page = browser.get(f"/admin/learners/{alice.id}/ledger")
    assert f"/ledger/{entry.id}/correction" in page.text

    answer = w.post(
        browser,
        f"/admin/learners/{alice.id}/ledger/{entry.id}/correction",
        {"credits": "4", "grade": "", "reason": "Wrong credits"},
    )

    assert answer.status_code == 303
    [fixed] = ledger.in_force(w.db, [alice.id])[alice.id]
    assert (fixed.kind, fixed.credits, fixed.reason) == (
        EntryKind.CORRECTION,
        D(4),
        "Wrong credits",
    )
    shown = browser.get(f"/admin/learners/{alice.id}/ledger").text
    assert "Wrong credits" in shown
    assert "Superseded" in shown


def test_a_correction_without_reason_is_shown_again_and_writes_nothing(
    client: TestClient, w: LedgerWorld
):
    alice = w.learner()
    entry = w.entry(alice)
    browser = w.browser(client, w.registrar)
    browser.get(f"/admin/learners/{alice.id}/ledger")

    answer = w.post(
        browser,
        f"/admin/learners/{alice.id}/ledger/{entry.id}/correction",
        {"credits": "4", "reason": ""},
    )

    assert answer.status_code == 400
    assert 'aria-invalid="true"' in answer.text
    assert 'value="4"' in answer.text
    assert len(ledger.history(w.db, alice.id)) == 1


def test_revoking_twice_answers_409_and_writes_one_revocation(client: TestClient, w: LedgerWorld):
    alice = w.learner()
    entry = w.entry(alice)
    browser = w.browser(client, w.registrar)
    browser.get(f"/admin/learners/{alice.id}/ledger")
    path = f"/admin/learners/{alice.id}/ledger/{entry.id}/revocation"

    first = w.post(browser, path, {"reason": "Fraud"})
    second = w.post(browser, path, {"reason": "Again"})

    assert [first.status_code, second.status_code] == [303, 409]
    assert "already been corrected or revoked" in second.text
    assert [e.kind for e in ledger.history(w.db, alice.id)] == [
        EntryKind.AWARD,
        EntryKind.REVOCATION,
    ]


def test_an_entry_of_another_learner_is_not_found_on_this_ledger(
    client: TestClient, w: LedgerWorld
):
    alice, bob = w.learner(), w.learner()
    entry = w.entry(bob)
    browser = w.browser(client, w.registrar)
    browser.get(f"/admin/learners/{alice.id}/ledger")

    answer = w.post(
        browser, f"/admin/learners/{alice.id}/ledger/{entry.id}/revocation", {"reason": "x"}
    )

    assert answer.status_code == 404
    assert len(ledger.history(w.db, bob.id)) == 1


def test_the_learner_reads_their_history_with_the_revoked_entry(client: TestClient, w: LedgerWorld):
    alice = w.learner()
    w.release(alice, "72.5")
    browser = w.browser(client, w.registrar)
    browser.get(f"/admin/learners/{alice.id}/ledger")
    [award] = ledger.history(w.db, alice.id)
    w.post(browser, f"/admin/learners/{alice.id}/ledger/{award.id}/revocation",
        {"reason": "Plagiarism established"},
    )  # fmt: skip

    page = w.browser(client, alice).get("/me/credits/history")

    assert page.status_code == 200
    assert w.book.course.code in page.text
    assert "Plagiarism established" in page.text
    assert "Revocation" in page.text


def test_a_correction_that_changes_nothing_says_so(client: TestClient, w: LedgerWorld):
    alice = w.learner()
    entry = w.entry(alice)
    browser = w.browser(client, w.registrar)
    browser.get(f"/admin/learners/{alice.id}/ledger")

    answer = w.post(
        browser,
        f"/admin/learners/{alice.id}/ledger/{entry.id}/correction",
        {"credits": "", "grade": "", "reason": "Nothing"},
    )

    assert answer.status_code == 400
    assert "Give new credits, a new grade or both." in answer.text
    assert len(ledger.history(w.db, alice.id)) == 1


def test_an_institution_registrar_finds_only_their_own_learners(client: TestClient, w: LedgerWorld):
    ours = w.learner()
    theirs = w.learner(w.book.other)
    ours.display_name = theirs.display_name = "Same Name"
    w.db.flush()

    page = w.browser(client, w.registrar).get("/admin/credits", params={"q": "same name"})

    assert f"/admin/learners/{ours.id}/ledger" in page.text
    assert f"/admin/learners/{theirs.id}/ledger" not in page.text
