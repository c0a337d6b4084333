"""Course rules at the service level: windows, open modules, course prerequisites, outcomes."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.actors import PlatformRole
from app.core.config import Settings
from app.core.db import utcnow
from app.courses.models import CompletionEvent, CompletionRule, ModuleCompletion
from app.courses.service.completion import record_outcome
from app.membership.models import CourseRole
from tests.accounts.factories import PASSWORD, api_token, bearer, make_user
from tests.courses.factories import enrol_as, import_hs101, module


def _student_headers(client: TestClient, db: Session, course, email: str = "s@example.org"):
    user = make_user(db, email=email, password=PASSWORD)
    enrol_as(db, course, user, CourseRole.STUDENT)
    return user, bearer(api_token(client, email))


def test_module_before_its_window_is_locked_with_the_opening_date(
    client: TestClient, db: Session, settings: Settings
):
    course = import_hs101(db, settings)
    intro = module(db, course, "intro")
    intro.available_from = utcnow() + timedelta(days=3)
    db.flush()
    _, headers = _student_headers(client, db, course)

    response = client.get(f"/api/v1/modules/{intro.id}", headers=headers)

    assert response.status_code == 403
    assert response.json()["detail"].startswith("Available from")


def test_module_after_its_window_is_closed(client: TestClient, db: Session, settings: Settings):
    course = import_hs101(db, settings)
    intro = module(db, course, "intro")
    intro.available_until = utcnow() - timedelta(days=1)
    db.flush()
    _, headers = _student_headers(client, db, course)

    response = client.get(f"/api/v1/modules/{intro.id}", headers=headers)

    assert response.status_code == 403
    assert response.json()["detail"].startswith("Closed since")


def test_open_module_of_a_closed_course_is_readable_by_anyone(
    client: TestClient, db: Session, settings: Settings
):
    course = import_hs101(db, settings)
    course.is_open = False
    intro, blocks = module(db, course, "intro"), module(db, course, "blocks")
    intro.is_open, intro.licence = True, "CC-BY-4.0"
    db.flush()

    assert client.get(f"/api/v1/modules/{intro.id}").status_code == 200
    assert client.get(f"/api/v1/modules/{blocks.id}").status_code == 404
    assert client.get(f"/api/v1/courses/{course.id}").status_code == 404


def test_course_prerequisites_lock_the_course_and_refuse_cycles(
    client: TestClient, db: Session, settings: Settings
):
    first = import_hs101(db, settings, code="FIRST")
    second = import_hs101(db, settings, code="SECOND")
    make_user(db, email="m@example.org", password=PASSWORD, role=PlatformRole.MANAGER)
    manager = bearer(api_token(client, "m@example.org"))
    _, student = _student_headers(client, db, second)

    linked = client.put(
        f"/api/v1/courses/{second.id}/prerequisites", json=["FIRST"], headers=manager
    )
    cycle = client.put(
        f"/api/v1/courses/{first.id}/prerequisites", json=["SECOND"], headers=manager
    )
    locked = client.get(f"/api/v1/modules/{module(db, second, 'intro').id}", headers=student)

    assert linked.json() == ["FIRST"]
    assert cycle.status_code == 422
    assert cycle.json()["code"] == "prerequisite_cycle"
    assert locked.status_code == 403
    assert "Complete the course" in locked.json()["detail"]


def test_a_pass_completes_a_module_that_asks_for_a_submission_but_not_the_reverse(
    db: Session, settings: Settings
):
    course = import_hs101(db, settings)
    student = make_user(db)
    enrol_as(db, course, student, CourseRole.STUDENT)
    submitted_rule, passed_rule = module(db, course, "blocks"), module(db, course, "who-link")
    submitted_rule.completion_rule = CompletionRule.SUBMITTED
    passed_rule.completion_rule = CompletionRule.PASSED

    by_pass = record_outcome(db, student.id, submitted_rule, CompletionRule.PASSED)
    by_submission = record_outcome(db, student.id, passed_rule, CompletionRule.SUBMITTED)

    done = set(
        db.scalars(select(ModuleCompletion.module_id).where(ModuleCompletion.user_id == student.id))
    )
    events = list(
        db.scalars(select(CompletionEvent.kind).where(CompletionEvent.user_id == student.id))
    )
    assert (by_pass, by_submission) == (True, False)
    assert done == {submitted_rule.id}
    assert "submitted" in events
