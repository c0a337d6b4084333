"""Recognition of prior learning, by its service: the learner files and submits, a registrar
names the jury, the chair decides per course; granted credits are in force in the ledger,
once, with the recognition as their source; refusals write nothing."""

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.actors import SYSTEM
from app.core.config import Settings
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.credits.models import CreditEntry, EntrySource
from app.credits.recognition_models import ApplicationStatus, Outcome, RecognitionApplication
from app.credits.service import ledger, recognition, recognition_jury
from app.credits.service.recognition_decision import ItemDecision
from app.credits.service.recognition_jury import Member
from tests.credits.recognition_world import RplWorld, rpl_world

D = Decimal


@pytest.fixture
def w(db: Session, settings: Settings, tmp_path: Path) -> RplWorld:
    return rpl_world(db, settings, tmp_path)


def _entries(w: RplWorld) -> int:
    return w.db.scalar(select(func.count(CreditEntry.id))) or 0


def test_credits_granted_in_full_are_in_force_with_the_recognition_as_source(w: RplWorld):
    view = w.reviewed(w.courses[0])

    decided = w.decide(view.application.id, w.full(w.courses[0]))

    [entry] = ledger.in_force(w.db, [w.learner.id])[w.learner.id]
    item = decided.application.decision.items[0]
    assert (entry.course_id, entry.credits, entry.grade) == (w.courses[0].id, D(6), None)
    assert (entry.source, entry.source_id) == (EntrySource.RECOGNITION, item.id)
    assert entry.institution_id == w.home.id
    assert decided.application.status is ApplicationStatus.DECIDED
    jury = decided.application.decision.jury_members
    assert {(m["user_id"], m["chair"]) for m in jury} == {(w.chair.id, True), (w.member.id, False)}


def test_a_partial_grant_gives_fewer_credits_and_names_what_remains(w: RplWorld):
    view = w.reviewed(w.courses[0], w.courses[1])
    partial = ItemDecision(
        w.courses[0].id, Outcome.PARTIAL, "Practice, not theory.", D("3"), "The statistics unit"
    )
    refused = ItemDecision(w.courses[1].id, Outcome.REFUSED, "No evidence of this.")

    decided = w.decide(view.application.id, partial, refused)

    [entry] = ledger.in_force(w.db, [w.learner.id])[w.learner.id]
    assert (entry.course_id, entry.credits) == (w.courses[0].id, D(3))
    items = {i.course_id: i for i in decided.application.decision.items}
    assert items[w.courses[0].id].remaining_outcomes == "The statistics unit"
    assert (items[w.courses[1].id].outcome, items[w.courses[1].id].credits) == (
        Outcome.REFUSED,
        D(0),
    )
    assert items[w.courses[1].id].credit_entry_id is None


def test_a_refusal_writes_nothing_to_the_ledger(w: RplWorld):
    view = w.reviewed(w.courses[0])

    w.decide(view.application.id, ItemDecision(w.courses[0].id, Outcome.REFUSED, "Too old."))

    assert ledger.in_force(w.db, [w.learner.id])[w.learner.id] == []


@pytest.mark.parametrize("credits", ["0", "6", "7"])
def test_a_partial_grant_lies_strictly_between_nothing_and_the_course(w: RplWorld, credits: str):
    view = w.reviewed(w.courses[0])
    item = ItemDecision(w.courses[0].id, Outcome.PARTIAL, "Some.", D(credits), "The rest")

    with pytest.raises(Invalid):
        w.decide(view.application.id, item)
    assert _entries(w) == 0


def test_every_requested_course_is_decided_once(w: RplWorld):
    view = w.reviewed(w.courses[0], w.courses[1])

    with pytest.raises(Invalid):
        w.decide(view.application.id, w.full(w.courses[0]))
    assert _entries(w) == 0


def test_a_jury_member_who_is_not_the_chair_may_not_decide(w: RplWorld):
    view = w.reviewed(w.courses[0])

    with pytest.raises(Forbidden):
        w.decide(view.application.id, w.full(w.courses[0]), by=w.member)


def test_someone_outside_the_jury_is_told_the_application_does_not_exist(w: RplWorld):
    view = w.reviewed(w.courses[0])

    for stranger in (w.outsider, w.manager_elsewhere):
        with pytest.raises(NotFound):
            w.decide(view.application.id, w.full(w.courses[0]), by=stranger)
    assert _entries(w) == 0


def test_a_registrar_may_record_the_decision_too(w: RplWorld):
    view = w.reviewed(w.courses[0])

    w.decide(view.application.id, w.full(w.courses[0]), by=w.registrar)

    assert len(ledger.in_force(w.db, [w.learner.id])[w.learner.id]) == 1


def test_a_decision_is_final(w: RplWorld):
    view = w.reviewed(w.courses[0])
    w.decide(view.application.id, w.full(w.courses[0]))

    with pytest.raises(Conflict):
        w.decide(view.application.id, w.full(w.courses[0]))
    assert _entries(w) == 1


def test_a_course_already_credited_is_refused_as_a_request(w: RplWorld):
    view = w.reviewed(w.courses[0])
    w.decide(view.application.id, w.full(w.courses[0]))

    with pytest.raises(recognition.AlreadyCredited):
        w.filed(w.courses[0])


def test_a_course_credited_meanwhile_is_not_granted_twice(w: RplWorld):
    view = w.reviewed(w.courses[0])
    course = w.courses[0]
    unit = ledger.Unit(code=course.code, title=course.title, credits=D(6), course_id=course.id)
    ledger.append(
        w.db, SYSTEM, unit, ledger.AwardedGrade(grade="15"), user_id=w.learner.id,
        source=EntrySource.COURSE_RESULT, source_id=course.id, on=date(2026, 11, 2),
    )  # fmt: skip

    with pytest.raises(recognition.AlreadyCredited):
        w.decide(view.application.id, w.full(course))
    assert _entries(w) == 1


def test_a_course_in_another_open_application_is_not_asked_for_twice(w: RplWorld):
    w.filed(w.courses[0])

    with pytest.raises(recognition.AlreadyRequested):
        w.filed(w.courses[0])


def test_only_a_programme_the_learner_is_enrolled_in_takes_an_application(w: RplWorld):
    with pytest.raises(Invalid):
        recognition.create(w.db, w.actor(w.outsider), w.programme.id, [w.courses[0].id], "x")
    assert w.db.scalar(select(func.count(RecognitionApplication.id))) == 0


def test_only_the_programmes_courses_are_asked_for(w: RplWorld):
    other = w.courses[0]
    w.programme.courses = w.programme.courses[1:]
    w.db.flush()

    with pytest.raises(Invalid):
        w.filed(other)


def test_submitting_needs_a_course_and_an_experience(w: RplWorld):
    empty = recognition.create(w.db, w.actor(w.learner), w.programme.id, [], "")

    with pytest.raises(Invalid):
        recognition.submit(w.db, w.actor(w.learner), empty.application.id)


def test_a_submitted_application_no_longer_changes_but_may_be_withdrawn(w: RplWorld):
    view = w.submitted(w.courses[0])
    learner = w.actor(w.learner)

    with pytest.raises(recognition.NotADraft):
        recognition.update(w.db, learner, view.application.id, [w.courses[1].id], "Other")
    withdrawn = recognition.withdraw(w.db, learner, view.application.id)

    assert withdrawn.application.status is ApplicationStatus.WITHDRAWN
    with pytest.raises(recognition.ApplicationClosed):
        recognition.withdraw(w.db, learner, view.application.id)


def test_a_decided_application_cannot_be_withdrawn(w: RplWorld):
    view = w.reviewed(w.courses[0])
    w.decide(view.application.id, w.full(w.courses[0]))

    with pytest.raises(recognition.ApplicationClosed):
        recognition.withdraw(w.db, w.actor(w.learner), view.application.id)


def test_a_draft_is_hidden_from_registrars_and_a_submitted_one_is_not(w: RplWorld):
    view = w.filed(w.courses[0])
    registrar = w.actor(w.registrar)

    with pytest.raises(NotFound):
        recognition.application_view(w.db, registrar, view.application.id)
    recognition.submit(w.db, w.actor(w.learner), view.application.id)
    assert recognition.application_view(w.db, registrar, view.application.id).names_jury


def test_the_experience_is_sanitised(w: RplWorld):
    view = w.filed(w.courses[0], experience="**QA** <script>alert(1)</script>")

    assert "<strong>QA</strong>" in view.application.experience_html
    assert "<script>" not in view.application.experience_html


@pytest.mark.parametrize(
    "members",
    [
        [("chair", True)],
        [("chair", True), ("member", True)],
        [("chair", False), ("member", False)],
        [("chair", True), ("learner", False)],
        [("chair", True), ("chair", False)],
    ],
)
def test_a_jury_has_two_members_or_more_one_chair_and_not_the_applicant(
    w: RplWorld, members: list[tuple[str, bool]]
):
    view = w.submitted(w.courses[0])
    named = [Member(getattr(w, who).id, chair=chair) for who, chair in members]

    with pytest.raises(Invalid):
        recognition_jury.name_jury(w.db, w.actor(w.registrar), view.application.id, named)
    w.db.expire_all()
    assert w.db.get_one(RecognitionApplication, view.application.id).status is (
        ApplicationStatus.SUBMITTED
    )


def test_only_a_registrar_names_the_jury(w: RplWorld):
    view = w.reviewed(w.courses[0])
    members = [Member(w.member.id, chair=True), Member(w.outsider.id)]

    with pytest.raises(Forbidden):
        recognition_jury.name_jury(w.db, w.actor(w.chair), view.application.id, members)
    with pytest.raises(NotFound):
        recognition_jury.name_jury(w.db, w.actor(w.manager_elsewhere), view.application.id, members)


def test_the_learner_is_told_of_the_decision_in_their_language(w: RplWorld, monkeypatch):
    sent: list[tuple[str, str, str]] = []
    monkeypatch.setattr(
        "app.credits.service.recognition_decision.send_after_commit",
        lambda _s, _settings, to, subject, body: sent.append((to, subject, body)),
    )
    view = w.reviewed(w.courses[0])

    w.decide(view.application.id, w.full(w.courses[0]))

    [(to, subject, body)] = sent
    assert to == w.learner.email
    assert subject == "Décision de validation\u202f: Master of Quality"  # she reads French
    assert "Crédits accordés\u202f: 6 ECTS." in body
    assert f"/me/credits/recognition/{view.application.id}" in body


def test_the_jury_may_be_named_again_until_the_decision(w: RplWorld):
    view = w.reviewed(w.courses[0])
    again = [Member(w.member.id, chair=True), Member(w.outsider.id)]

    named = recognition_jury.name_jury(w.db, w.actor(w.registrar), view.application.id, again)

    seats = {(m.user_id, m.is_chair) for m in named.application.jury}
    assert seats == {(w.member.id, True), (w.outsider.id, False)}
    assert named.chair_id == w.member.id
    w.decide(view.application.id, w.full(w.courses[0]), by=w.member)
    with pytest.raises(recognition_jury.NotAwaitingJury):
        recognition_jury.name_jury(w.db, w.actor(w.registrar), view.application.id, again)


@pytest.mark.time_machine(datetime(2026, 12, 1, 23, 30, tzinfo=UTC), tick=False)
def test_the_decision_is_dated_and_its_credits_awarded_that_day(w: RplWorld):
    view = w.reviewed(w.courses[0])

    decided = w.decide(view.application.id, w.full(w.courses[0]))

    assert decided.application.decision.decided_on == date(2026, 12, 1)
    [entry] = ledger.in_force(w.db, [w.learner.id])[w.learner.id]
    assert (entry.awarded_on, entry.term) == (date(2026, 12, 1), "2026-27")
    assert entry.reason == "Ten years of practice cover it."
