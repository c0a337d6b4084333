"""Every change to grades, credits, roles, enrolments, recognition decisions and sensitive
fields is in the audit trail: who, acting for which institution, about whom, what, from which
value to which, when (UTC) and in which request."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import AuditEntry
from app.core.actors import PlatformRole
from app.core.config import Settings
from app.enrolment import bulk
from app.enrolment.models import LearnerProfile
from app.grades.models import Grade, ItemSource
from app.grades.service import items
from app.grades.setup_schemas import ItemCreate
from app.membership.models import Enrolment
from tests.accounts.audit_world import NOON, AuditWorld, audit_world, request_id
from tests.accounts.factories import make_user
from tests.conftest import QueryCounter
from tests.courses.factories import import_hs101
from tests.credits.ledger_world import LedgerWorld, ledger_world
from tests.credits.recognition_world import RplWorld, rpl_world
from tests.grades.core_setup import Book, api_headers, book

pytestmark = pytest.mark.time_machine(NOON, tick=False)


def _one(entries: list[AuditEntry]) -> AuditEntry:
    assert len(entries) == 1, [(e.action, e.subject, e.from_value, e.to_value) for e in entries]
    return entries[0]


def _entries(db: Session, action: str, **where: object) -> list[AuditEntry]:
    db.expire_all()
    stmt = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    for name, value in where.items():
        stmt = stmt.where(getattr(AuditEntry, name) == value)
    return list(db.scalars(stmt))


@pytest.fixture
def w(db: Session, settings: Settings) -> AuditWorld:
    return audit_world(db, settings)


# --- grades --------------------------------------------------------------------------------


@pytest.fixture
def b(db: Session, settings: Settings) -> Book:
    gradebook = book(db, settings)
    gradebook.teacher.institution_id = gradebook.home.id
    db.flush()
    return gradebook


def test_a_quiz_grade_and_the_teachers_override_are_recorded_from_points_to_points(
    client: TestClient, b: Book
):
    learner = b.learner()
    quiz = b.item("Quiz 1", 20, 501)
    b.grade(quiz, learner, "12.50")
    grade = b.db.scalar(select(Grade).where(Grade.user_id == learner.id))
    assert grade is not None
    headers = {**api_headers(b, b.teacher), "X-Request-ID": "override-request-0001"}

    overridden = client.put(
        f"/api/v1/grades/{grade.id}",
        json={"version": grade.version, "points": "14", "reason": "Re-marked"},
        headers=headers,
    )

    assert overridden.status_code == 200, overridden.text
    recorded = _one(_entries(b.db, "grade.record", subject=f"grade:{grade.id}"))
    assert (recorded.actor_user_id, recorded.from_value, recorded.to_value) == (None, None, "12.5")
    override = _one(_entries(b.db, "grade.override", subject=f"grade:{grade.id}"))
    assert (override.actor_user_id, override.institution_id) == (b.teacher.id, b.home.id)
    assert (override.person_id, override.from_value, override.to_value) == (
        learner.id,
        "12.5",
        "14",
    )
    assert (override.detail, override.request_id, override.at) == (
        "Re-marked",
        "override-request-0001",
        NOON,
    )
    assert override.outcome.value == "done"


def test_releasing_a_grade_is_recorded(b: Book):
    learner = b.learner()
    quiz = b.item("Quiz 2", 10, 502)

    b.grade(quiz, learner, "6", release=False)
    b.grade(quiz, learner, "6", release=True)

    grade = b.db.scalar(select(Grade).where(Grade.user_id == learner.id))
    assert grade is not None
    released = _one(_entries(b.db, "grade.release", subject=f"grade:{grade.id}"))
    assert (released.person_id, released.from_value, released.to_value) == (
        learner.id,
        "unreleased",
        "released",
    )
    assert released.request_id is None  # written outside a request


def test_a_manual_grade_set_and_then_deleted_with_its_item_is_recorded(client: TestClient, b: Book):
    learner = b.learner()
    item = items.create_item(
        b.db, _teacher(b), b.course.id,
        ItemCreate(source=ItemSource.MANUAL, title="Oral", max_points=Decimal(20)),
    )  # fmt: skip
    item_id = item.id
    headers = api_headers(b, b.teacher)
    given = client.put(
        f"/api/v1/grade-items/{item_id}/grades/{learner.id}",
        json={"version": 0, "points": "15.5", "reason": "Oral exam"},
        headers=headers,
    )
    assert given.status_code == 200, given.text
    grade_id = given.json()["id"]

    deleted = client.delete(f"/api/v1/grade-items/{item_id}", headers=headers)

    assert deleted.status_code == 204, deleted.text
    set_ = _one(_entries(b.db, "grade.set", subject=f"grade:{grade_id}"))
    assert (set_.from_value, set_.to_value, set_.actor_user_id) == (None, "15.5", b.teacher.id)
    gone = _one(_entries(b.db, "grade.delete", subject=f"grade:{grade_id}"))
    assert (gone.person_id, gone.from_value, gone.to_value) == (learner.id, "15.5", None)
    assert (gone.detail, gone.institution_id) == (f"grade_item:{item_id}", b.home.id)


def test_removing_an_override_is_recorded_back_to_the_computed_points(client: TestClient, b: Book):
    learner = b.learner()
    quiz = b.item("Quiz 3", 20, 503)
    b.grade(quiz, learner, "11")
    grade = b.db.scalar(select(Grade).where(Grade.user_id == learner.id))
    assert grade is not None
    headers = api_headers(b, b.teacher)
    path = f"/api/v1/grades/{grade.id}"
    set_ = client.put(
        path, json={"version": 2, "points": "16", "reason": "Appeal"}, headers=headers
    )

    removed = client.post(
        f"{path}/override-removal",
        json={"version": set_.json()["version"], "reason": "Appeal withdrawn"},
        headers=headers,
    )

    assert removed.status_code == 200, removed.text
    override, removal = _entries(b.db, "grade.override", subject=f"grade:{grade.id}")
    assert (override.from_value, override.to_value) == ("11", "16")
    assert (removal.from_value, removal.to_value, removal.detail) == (
        "16",
        "11",
        "Appeal withdrawn",
    )


def test_a_worksheet_import_is_recorded_per_grade_and_its_release_too(b: Book):
    from app.grades.service import worksheets

    learner = b.learner()
    learner.email = "sheet@example.org"
    item = items.create_item(
        b.db, _teacher(b), b.course.id,
        ItemCreate(source=ItemSource.MANUAL, title="Essay", max_points=Decimal(20)),
    )  # fmt: skip

    worksheets.import_worksheet(
        b.db, _teacher(b), b.course.code, "email,Essay\nsheet@example.org,13.5\n", release=True
    )
    b.db.flush()

    grade = b.db.scalar(select(Grade).where(Grade.item_id == item.id))
    assert grade is not None
    imported = _one(_entries(b.db, "grade.import", subject=f"grade:{grade.id}"))
    assert (imported.actor_user_id, imported.from_value, imported.to_value) == (
        b.teacher.id,
        None,
        "13.5",
    )
    assert _one(_entries(b.db, "grade.release", subject=f"grade:{grade.id}")).person_id == (
        learner.id
    )


def test_hiding_an_items_grades_until_a_date_is_recorded(client: TestClient, b: Book):
    item = items.create_item(
        b.db, _teacher(b), b.course.id,
        ItemCreate(source=ItemSource.MANUAL, title="Hidden", max_points=Decimal(20)),
    )  # fmt: skip

    hidden = client.patch(
        f"/api/v1/grade-items/{item.id}",
        json={"hidden_until": "2026-12-20T08:00:00Z"},
        headers=api_headers(b, b.teacher),
    )

    assert hidden.status_code == 200, hidden.text
    entry = _one(_entries(b.db, "grade_item.hide", subject=f"grade_item:{item.id}"))
    assert (entry.from_value, entry.to_value) == (None, "2026-12-20T08:00:00+00:00")


def _teacher(b: Book):
    from app.accounts.auth import actor_for_user

    return actor_for_user(b.teacher)


# --- credits -------------------------------------------------------------------------------


@pytest.fixture
def ledger(db: Session, settings: Settings) -> LedgerWorld:
    return ledger_world(db, settings)


def test_credit_awards_corrections_and_revocations_are_recorded(
    client: TestClient, ledger: LedgerWorld
):
    alice = ledger.learner()
    award = ledger.entry(alice)
    headers = {**ledger.headers(ledger.registrar), "X-Request-ID": "ledger-request-0001"}

    fixed = client.post(
        f"/api/v1/credit-entries/{award.id}/corrections",
        json={"credits": "4.5", "reason": "Wrong credits"},
        headers=headers,
    )
    revoked = client.post(
        f"/api/v1/credit-entries/{fixed.json()['id']}/revocations",
        json={"reason": "Fraud"},
        headers=headers,
    )

    assert (fixed.status_code, revoked.status_code) == (201, 201)
    awarded = _one(_entries(ledger.db, "credit.award", subject=f"credit_entry:{award.id}"))
    assert (awarded.person_id, awarded.from_value, awarded.to_value) == (
        alice.id,
        None,
        "5 ECTS, 14, 14",
    )
    corrected = _one(_entries(ledger.db, "credit.correction", person_id=alice.id))
    assert (corrected.from_value, corrected.to_value) == ("5 ECTS, 14, 14", "4.5 ECTS, 14, 14")
    assert (corrected.actor_user_id, corrected.institution_id, corrected.request_id) == (
        ledger.registrar.id,
        ledger.book.home.id,
        "ledger-request-0001",
    )
    assert "Wrong credits" in (corrected.detail or "")
    withdrawn = _one(_entries(ledger.db, "credit.revocation", person_id=alice.id))
    assert (withdrawn.from_value, withdrawn.to_value) == ("4.5 ECTS, 14, 14", "revoked")
    assert withdrawn.subject == f"credit_entry:{revoked.json()['id']}"


# --- roles ---------------------------------------------------------------------------------


def test_a_platform_role_granted_by_an_admin_is_recorded_from_role_to_role(
    client: TestClient, w: AuditWorld
):
    promoted = client.patch(
        f"/api/v1/users/{w.teacher.id}",
        json={"platform_role": "manager"},
        headers=w.headers(w.admin, "promote-request-0001"),
    )

    assert promoted.status_code == 200, promoted.text
    entry = _one(w.entries("user.update", subject=f"user:{w.teacher.id}"))
    assert (entry.actor_user_id, entry.institution_id, entry.person_id) == (
        w.admin.id,
        None,
        w.teacher.id,
    )
    assert (entry.from_value, entry.to_value) == ("platform_role=user", "platform_role=manager")
    assert entry.request_id == "promote-request-0001"


def test_a_new_account_is_recorded_with_its_role(client: TestClient, w: AuditWorld):
    created = client.post(
        "/api/v1/users",
        json={"email": "new@example.org", "display_name": "New"},
        headers=w.headers(w.manager),
    )

    assert created.status_code == 201, created.text
    entry = _one(w.entries("user.create", person_id=created.json()["id"]))
    assert (entry.actor_user_id, entry.institution_id, entry.to_value) == (
        w.manager.id,
        w.home.id,
        "user",
    )


# --- enrolments and course roles -----------------------------------------------------------


def test_an_enrolment_its_course_role_and_its_status_are_recorded(
    client: TestClient, w: AuditWorld
):
    course = import_hs101(w.db, w.settings)
    course.institution_id = w.home.id
    w.db.flush()
    headers = w.headers(w.manager, "enrol-request-0001")
    path = f"/api/v1/courses/{course.id}/enrolments"

    enrolled = client.post(path, json={"user_id": w.learner.id}, headers=headers)
    promoted = client.post(path, json={"user_id": w.learner.id, "role": "teacher"}, headers=headers)
    withdrawn = client.patch(
        f"/api/v1/enrolments/{enrolled.json()['id']}",
        json={"status": "withdrawn", "reason": "Left the programme"},
        headers=headers,
    )

    assert (enrolled.status_code, promoted.status_code, withdrawn.status_code) == (201, 201, 200)
    subject = f"enrolment:{enrolled.json()['id']}"
    created = _one(w.entries("enrolment.create", subject=subject))
    assert (created.from_value, created.to_value) == (None, "active (student)")
    assert (created.actor_user_id, created.institution_id, created.person_id) == (
        w.manager.id,
        w.home.id,
        w.learner.id,
    )
    assert created.request_id == "enrol-request-0001"
    role = _one(w.entries("enrolment.role", subject=subject))
    assert (role.from_value, role.to_value) == ("student", "teacher")
    status = _one(w.entries("enrolment.status", subject=subject))
    assert (status.from_value, status.to_value, status.detail) == (
        "active",
        "withdrawn",
        "Left the programme",
    )


def test_a_changed_scholarship_is_recorded_as_the_enrolments_terms(
    client: TestClient, w: AuditWorld
):
    course = import_hs101(w.db, w.settings)
    course.institution_id = w.home.id
    w.db.flush()
    path = f"/api/v1/courses/{course.id}/enrolments"
    headers = w.headers(w.manager)
    client.post(path, json={"user_id": w.learner.id}, headers=headers)

    funded = client.post(
        path,
        json={"user_id": w.learner.id, "funding": "scholarship", "funder_name": "DAAD"},
        headers=headers,
    )

    assert funded.status_code == 201, funded.text
    terms = _one(w.entries("enrolment.terms", person_id=w.learner.id))
    assert (terms.from_value, terms.to_value) == (
        "funding=self; funder_name=None",
        "funding=scholarship; funder_name=DAAD",
    )


def test_a_bulk_intake_records_each_new_enrolment_and_reads_nothing_for_it(
    w: AuditWorld, settings: Settings, queries: QueryCounter
):
    from app.accounts.auth import actor_for_user

    course = import_hs101(w.db, settings)
    course.institution_id = w.home.id
    w.db.flush()
    rows: list[dict[str, object]] = [
        {"external_id": f"B-{n}", "email": f"bulk{n}@example.org", "display_name": f"Bulk {n}"}
        for n in range(4)
    ]

    with queries:
        bulk.bulk_enrol(
            w.db, actor_for_user(w.manager), course.id, rows, w.home.code, settings=settings
        )
        w.db.flush()

    created = w.entries("enrolment.create", actor_user_id=w.manager.id)
    enrolled = w.db.scalars(select(Enrolment.id).where(Enrolment.course_id == course.id)).all()
    assert sorted(e.subject for e in created) == sorted(f"enrolment:{i}" for i in enrolled)
    assert {e.institution_id for e in created} == {w.home.id}
    touching = [s for s in queries.statements if "audit_log" in s]
    assert touching, "the intake wrote no audit entry"
    assert all(s.lstrip().upper().startswith("INSERT") for s in touching), touching


# --- recognition decisions -----------------------------------------------------------------


@pytest.fixture
def rpl(db: Session, settings: Settings, tmp_path: Path) -> RplWorld:
    return rpl_world(db, settings, tmp_path)


def test_a_recognition_decision_is_recorded_per_course_with_its_credits(
    client: TestClient, rpl: RplWorld
):
    course = rpl.courses[0]
    view = rpl.reviewed(course)
    application_id = view.application.id
    decision = {"items": [{"course_id": course.id, "outcome": "full", "reason": "Proven."}]}

    decided = client.post(
        f"/api/v1/credits/recognition/applications/{application_id}/decision",
        json=decision,
        headers={**rpl.headers(rpl.chair), "X-Request-ID": "decision-request-0001"},
    )

    assert decided.status_code == 201, decided.text
    entry = _one(
        _entries(rpl.db, "recognition.decide", subject=f"recognition_application:{application_id}")
    )
    assert (entry.actor_user_id, entry.institution_id, entry.person_id) == (
        rpl.chair.id,
        rpl.home.id,
        rpl.learner.id,
    )
    assert (entry.from_value, entry.to_value) == ("under_review", "RPL-C1 full (6 ECTS)")
    assert (entry.detail, entry.request_id) == ("RPL-C1: Proven.", "decision-request-0001")
    credited = _one(_entries(rpl.db, "credit.award", person_id=rpl.learner.id))
    assert credited.to_value == "6 ECTS"


# --- sensitive fields ----------------------------------------------------------------------


def test_a_sensitive_write_names_the_fields_changed_never_their_values(
    client: TestClient, w: AuditWorld
):
    permitted = make_user(
        w.db, email="registry@example.org", role=PlatformRole.MANAGER, institution=w.home
    )
    permitted.may_read_sensitive = True
    w.db.add(LearnerProfile(user_id=w.learner.id, nationality="KZ", refugee=False))
    w.db.flush()
    headers = w.headers(permitted, "sensitive-request-0001")
    path = f"/api/v1/users/{w.learner.id}/learner-profile"

    written = client.put(path, json={"nationality": "SY", "refugee": True}, headers=headers)
    read = client.get(path, headers=headers)

    assert (written.status_code, read.status_code) == (204, 200)
    entry = _one(w.entries("profile.write_sensitive", person_id=w.learner.id))
    assert (entry.detail, entry.from_value, entry.to_value) == (
        "changed: nationality, refugee",
        None,
        None,
    )
    assert (entry.actor_user_id, entry.institution_id, entry.request_id) == (
        permitted.id,
        w.home.id,
        "sensitive-request-0001",
    )
    reading = _one(w.entries("profile.read_sensitive", person_id=w.learner.id))
    assert reading.actor_user_id == permitted.id
    everything = [(e.detail or "") + (e.from_value or "") + (e.to_value or "") for e in w.entries()]
    assert not [text for text in everything if "SY" in text or "True" in text], everything


def test_rewriting_the_same_sensitive_values_says_nothing_changed(
    client: TestClient, w: AuditWorld
):
    w.db.add(LearnerProfile(user_id=w.learner.id, nationality="KZ", refugee=False))
    w.db.flush()

    same = client.put(
        f"/api/v1/users/{w.learner.id}/learner-profile",
        json={"nationality": "KZ", "refugee": False},
        headers=w.headers(w.learner),
    )

    assert same.status_code == 204
    entry = _one(w.entries("profile.write_sensitive", person_id=w.learner.id))
    assert (entry.actor_user_id, entry.detail) == (w.learner.id, "changed: nothing")


def test_entries_written_outside_a_request_have_no_request_id(w: AuditWorld):
    from app.accounts.audit import audit
    from app.core.actors import SYSTEM

    audit(w.db, SYSTEM, "test.action", "thing:1", to_value=date(2026, 12, 3))
    w.db.flush()

    entry = _one(w.entries("test.action"))
    assert (entry.request_id, entry.actor_user_id, entry.to_value) == (None, None, "2026-12-03")
    assert entry.at == NOON
    assert request_id() != request_id()  # the helper gives fresh ids
