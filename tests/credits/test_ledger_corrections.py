"""Corrections and revocations by a registrar: new entries superseding the one in force, with
who and why; nothing updated in place; a revoked entry leaves what is in force but stays in
the history; what is no longer in force cannot be corrected again."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.auth import actor_for_user
from app.core.actors import PlatformRole
from app.core.config import Settings
from app.core.errors import Forbidden, NotFound
from app.credits.ledger_schemas import CorrectionCreate, RevocationCreate
from app.credits.models import EntryKind
from app.credits.service import corrections, ledger
from app.credits.service.corrections import EntrySuperseded, GradeNotOnScale
from app.credits.service.ledger import LedgerIsAppendOnly
from tests.accounts.factories import make_user
from tests.credits.ledger_world import LedgerWorld, ledger_world

D = Decimal
DAY = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def w(db: Session, settings: Settings) -> LedgerWorld:
    return ledger_world(db, settings)


def test_a_correction_supersedes_the_entry_and_keeps_who_and_why(w: LedgerWorld):
    alice = w.learner()
    original = w.entry(alice)
    registrar = actor_for_user(w.registrar)

    fixed = corrections.correct(
        w.db, registrar, original.id, CorrectionCreate(credits=D(4), grade="15", reason="Typo")
    )

    assert (fixed.kind, fixed.supersedes_id) == (EntryKind.CORRECTION, original.id)
    assert (fixed.credits, fixed.grade, fixed.grade_value) == (D(4), "15", D(15))
    assert (fixed.by_user_id, fixed.reason) == (w.registrar.id, "Typo")
    assert (fixed.unit_code, fixed.awarded_on, fixed.source) == (
        original.unit_code,
        original.awarded_on,
        original.source,
    )
    assert ledger.in_force(w.db, [alice.id])[alice.id] == [fixed]
    assert [e.id for e in ledger.history(w.db, alice.id)] == [original.id, fixed.id]
    assert (original.credits, original.grade) == (D(5), "14")  # untouched


def test_a_revoked_entry_leaves_what_is_in_force_but_stays_in_the_history(w: LedgerWorld):
    alice = w.learner()
    original = w.entry(alice)

    revocation = corrections.revoke(
        w.db, actor_for_user(w.registrar), original.id, RevocationCreate(reason="Fraud")
    )

    assert (revocation.kind, revocation.credits, revocation.grade) == (
        EntryKind.REVOCATION,
        D(0),
        None,
    )
    assert ledger.in_force(w.db, [alice.id])[alice.id] == []
    assert [e.id for e in ledger.history(w.db, alice.id)] == [original.id, revocation.id]


@pytest.mark.parametrize("second", ["correct", "revoke"])
def test_what_is_no_longer_in_force_cannot_be_corrected_or_revoked(w: LedgerWorld, second: str):
    alice = w.learner()
    original = w.entry(alice)
    registrar = actor_for_user(w.registrar)
    revocation = corrections.revoke(w.db, registrar, original.id, RevocationCreate(reason="R"))

    def again(target: int) -> object:
        if second == "correct":
            return corrections.correct(
                w.db, registrar, target, CorrectionCreate(credits=D(1), reason="x")
            )
        return corrections.revoke(w.db, registrar, target, RevocationCreate(reason="x"))

    for target in (original.id, revocation.id):
        with pytest.raises(EntrySuperseded):
            again(target)
    assert len(ledger.history(w.db, alice.id)) == 2


def test_nothing_in_the_ledger_is_changed_or_deleted_in_place(w: LedgerWorld):
    entry = w.entry(w.learner())

    entry.credits = D(60)
    with pytest.raises(LedgerIsAppendOnly):
        w.db.flush()
    w.db.rollback()


def test_a_grade_off_the_scale_is_refused(w: LedgerWorld):
    entry = w.entry(w.learner())
    registrar = actor_for_user(w.registrar)

    for grade in ("21", "bien", "-1"):
        with pytest.raises(GradeNotOnScale):
            corrections.correct(
                w.db, registrar, entry.id, CorrectionCreate(grade=grade, reason="x")
            )


def test_a_correction_must_change_credits_or_grade_and_give_a_reason():
    with pytest.raises(ValueError, match="credits"):
        CorrectionCreate(reason="why")
    with pytest.raises(ValueError, match="reason"):
        CorrectionCreate.model_validate({"credits": "3", "reason": "   "})


def test_only_registrars_within_reach_correct(w: LedgerWorld):
    alice = w.learner()
    entry = w.entry(alice)
    elsewhere = make_user(w.db, role=PlatformRole.INSTITUTION_MANAGER, institution=w.book.other)
    data = CorrectionCreate(credits=D(1), reason="x")

    with pytest.raises(NotFound):
        corrections.correct(w.db, actor_for_user(elsewhere), entry.id, data)
    with pytest.raises(Forbidden):
        corrections.correct(w.db, actor_for_user(alice), entry.id, data)
    assert len(ledger.history(w.db, alice.id)) == 1


# --- over the API -------------------------------------------------------------------------


def test_the_learner_reads_credits_in_force_and_their_total(client: TestClient, w: LedgerWorld):
    alice = w.learner()
    w.release(alice, "72.5")
    w.entry(alice, credits="3")

    body = client.get(f"/api/v1/users/{alice.id}/credits", headers=w.headers(alice)).json()

    assert body["total"] == "9.0"
    assert [(e["unit_code"], e["credits"], e["grade"]) for e in body["entries"]] == [
        ("UNIT-1", "3.0", "14"),
        (w.book.course.code, "6.0", "14.5"),
    ]


def test_a_registrar_corrects_and_revokes_over_the_api(client: TestClient, w: LedgerWorld):
    alice = w.learner()
    entry = w.entry(alice)
    headers = w.headers(w.registrar)

    fixed = client.post(
        f"/api/v1/credit-entries/{entry.id}/corrections",
        json={"credits": "4.5", "reason": "Wrong credits"},
        headers=headers,
    )
    again = client.post(
        f"/api/v1/credit-entries/{entry.id}/revocations", json={"reason": "x"}, headers=headers
    )
    revoked = client.post(
        f"/api/v1/credit-entries/{fixed.json()['id']}/revocations",
        json={"reason": "Fraud"},
        headers=headers,
    )

    assert fixed.status_code == 201, fixed.text
    assert (fixed.json()["credits"], fixed.json()["kind"]) == ("4.5", "correction")
    assert again.status_code == 409
    assert again.json()["code"] == "entry_superseded"
    assert revoked.status_code == 201
    assert (revoked.json()["credits"], revoked.json()["supersedes_id"]) == (
        "0.0",
        fixed.json()["id"],
    )
    credits = client.get(f"/api/v1/users/{alice.id}/credits", headers=headers).json()
    assert (credits["total"], credits["entries"]) == ("0.0", [])
    history = client.get(f"/api/v1/users/{alice.id}/credits/history", headers=headers).json()
    assert [e["kind"] for e in history["items"]] == ["award", "correction", "revocation"]


def test_a_refused_correction_writes_nothing(client: TestClient, w: LedgerWorld):
    alice = w.learner()
    entry = w.entry(alice)
    headers = w.headers(w.registrar)

    answers = [
        client.post(f"/api/v1/credit-entries/{entry.id}/corrections", json=body, headers=headers)
        for body in (
            {"credits": "4"},
            {"reason": "nothing to change"},
            {"grade": "25", "reason": "off the scale"},
            {"credits": "4", "reason": "x", "kind": "award"},
        )
    ]

    assert [a.status_code for a in answers] == [422, 422, 422, 422]
    assert answers[2].json()["code"] == "grade_not_on_scale"
    assert len(ledger.history(w.db, alice.id)) == 1


def test_the_history_is_paged_fifty_at_a_time(client: TestClient, w: LedgerWorld):
    alice = w.learner()
    for n in range(55):
        w.entry(alice, code=f"U-{n}")
    url = f"/api/v1/users/{alice.id}/credits/history"

    first = client.get(url, headers=w.headers(alice)).json()
    second = client.get(
        url, params={"cursor": first["next_cursor"]}, headers=w.headers(alice)
    ).json()

    assert len(first["items"]) == 50
    assert [e["unit_code"] for e in second["items"]] == [f"U-{n}" for n in range(50, 55)]
    assert second["next_cursor"] is None


def test_ledger_reads_keep_a_constant_number_of_queries(
    client: TestClient, w: LedgerWorld, queries
):
    alice = w.learner()
    counts = []
    for size in (2, 6):
        while len(w.entries(alice)) < size:
            w.entry(alice, code=f"Q-{len(w.entries(alice))}")
        alice_headers = w.headers(alice)
        with queries:
            answers = [
                client.get(f"/api/v1/users/{alice.id}/credits", headers=alice_headers),
                client.get(f"/api/v1/users/{alice.id}/credits/history", headers=alice_headers),
            ]
        counts.append(queries.count)
        for user, path in (
            (alice, "/me/credits/history"),
            (w.registrar, f"/admin/learners/{alice.id}/ledger"),
        ):
            browser = w.browser(client, user)
            with queries:
                answers.append(browser.get(path))
            counts.append(queries.count)
        assert [a.status_code for a in answers] == [200] * 4

    assert counts[:3] == counts[3:]


def test_a_corrected_grade_reads_a_decimal_comma_and_gets_its_band(w: LedgerWorld):
    w.table(DAY, [("16", "20", "20"), ("15", "30", "50"), ("14", "50", "100")])
    alice = w.learner()
    w.release(alice, "72.5")  # 14.5/20: row "14"
    [award] = w.entries(alice)

    fixed = corrections.correct(
        w.db, actor_for_user(w.registrar), award.id, CorrectionCreate(grade="15,5", reason="Exam")
    )

    assert (award.band_from, award.band_to) == (D(50), D(100))
    assert (fixed.grade, fixed.grade_value, fixed.percent) == ("15.5", D("15.5"), None)
    assert (fixed.grading_table_id, fixed.band_from, fixed.band_to) == (
        award.grading_table_id,
        D(20),
        D(50),
    )
    assert fixed.credits == award.credits


def test_a_revoked_course_award_is_awarded_again_by_a_new_passing_result(w: LedgerWorld):
    alice = w.learner()
    w.release(alice, "72.5")
    [award] = w.entries(alice)
    corrections.revoke(w.db, actor_for_user(w.registrar), award.id, RevocationCreate(reason="R"))

    w.release(alice, "85")

    [again] = ledger.in_force(w.db, [alice.id])[alice.id]
    assert (again.kind, again.grade, again.supersedes_id) == (EntryKind.AWARD, "17", None)
