"""The marking workflow and release: each step for the roles allowed, and nothing of a marking
(grade, feedback, gradebook row, e-mail) reaching the learner before release."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.assignments.models import Resubmission, Submission
from app.grades.models import Grade
from tests.accounts.factories import page_csrf
from tests.assignments.factories import make_submission
from tests.assignments.marking_setup import Class, klass_fixture  # noqa: F401
from tests.smtp import Inbox
from tests.smtp import inbox as inbox_fixture  # noqa: F401

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SECRET = "Secret remark for the learner"


def _move(client: TestClient, klass: Class, who, submission_id: int, state: str, version: int):
    body = {"state": state, "version": version}
    return client.post(f"/api/v1/submissions/{submission_id}/marking/state",
                       headers=klass.headers(who), json=body)  # fmt: skip


def _learner_sees(client: TestClient, klass: Class, assignment_id: int) -> str:
    klass.sign_in(client, klass.students[0])
    page = client.get(f"/assignments/{assignment_id}/submission")
    assert page.status_code == 200, page.text
    api = client.get(f"/api/v1/assignments/{assignment_id}/submission",
                     headers=klass.headers(klass.students[0]))  # fmt: skip
    return page.text + api.text


@pytest.mark.time_machine(NOW)
def test_nothing_reaches_the_learner_before_release(client: TestClient, klass: Class, inbox: Inbox):
    assignment = klass.assignment(marking_workflow=True)
    amina = klass.students[0]
    attempt = make_submission(klass.db, assignment, user=amina)
    marked = client.put(f"/api/v1/submissions/{attempt.id}/marking",
                        headers=klass.headers(klass.tutor),
                        json={"version": 0, "points": "17", "feedback": SECRET})  # fmt: skip
    to_review = _move(client, klass, klass.tutor, attempt.id, "ready_for_review", 1)
    tutor_release = _move(client, klass, klass.tutor, attempt.id, "ready_for_release", 2)
    release_now = client.put(f"/api/v1/submissions/{attempt.id}/marking",
                             headers=klass.headers(klass.tutor),
                             json={"version": 2, "points": "17", "release": True})  # fmt: skip
    ready = _move(client, klass, klass.teacher, attempt.id, "ready_for_release", 2)

    assert marked.json()["state"] == "in_marking"
    assert to_review.json()["state"] == "ready_for_review"
    assert tutor_release.status_code == 403
    assert release_now.status_code == 422
    assert ready.json()["state"] == "ready_for_release"
    seen = _learner_sees(client, klass, assignment.id)
    assert SECRET not in seen
    assert "17 / 20" not in seen
    assert "17.00" not in seen
    assert klass.db.scalar(select(func.count()).select_from(Grade)) == 0
    assert inbox.messages == []

    released = client.post(f"/api/v1/assignments/{assignment.id}/release",
                           headers=klass.headers(klass.teacher))  # fmt: skip

    assert released.json() == {"released": 1}
    assert SECRET in _learner_sees(client, klass, assignment.id)
    grade = klass.db.scalar(select(Grade).where(Grade.user_id == amina.id))
    assert grade is not None
    assert grade.points == Decimal(17)
    assert grade.released_at is not None
    assert [m["To"] for m in inbox.messages] == [amina.email]


@pytest.mark.time_machine(NOW)
def test_without_the_workflow_the_marking_form_releases_when_asked(
    client: TestClient, klass: Class, inbox: Inbox
):
    assignment = klass.assignment()
    attempt = make_submission(klass.db, assignment, user=klass.students[0])
    klass.sign_in(client, klass.teacher)
    page = f"/submissions/{attempt.id}/mark"
    token = page_csrf(client, page)

    kept = client.post(page, data={"csrf_token": token, "version": "0", "points": "11",
                                   "feedback": SECRET}, follow_redirects=False)  # fmt: skip
    nothing = klass.db.scalar(select(func.count()).select_from(Grade))
    sent = client.post(page, data={"csrf_token": token, "version": "1", "points": "12",
                                   "feedback": SECRET, "release": "1"},
                       follow_redirects=False)  # fmt: skip

    assert kept.status_code == 303
    assert nothing == 0
    assert sent.status_code == 303
    assert klass.db.scalar(select(Grade.points)) == Decimal(12)
    assert len(inbox.messages) == 1
    assert "/courses/HS-101/modules/" in inbox.bodies()[0]


def test_the_release_mail_speaks_the_learners_language(
    client: TestClient, klass: Class, inbox: Inbox
):
    assignment = klass.assignment()
    attempt = make_submission(klass.db, assignment, user=klass.students[0])  # Amina reads French

    client.put(f"/api/v1/submissions/{attempt.id}/marking", headers=klass.headers(klass.teacher),
               json={"version": 0, "points": "10", "release": True})  # fmt: skip

    assert inbox.subjects() == ["Votre retour sur Essay est prêt"]


def test_a_failed_release_reopens_an_until_pass_assignment(client: TestClient, klass: Class):
    assignment = klass.assignment(
        resubmission=Resubmission.UNTIL_PASS, pass_points=Decimal(10), max_attempts=3
    )
    amina = klass.students[0]
    attempt = make_submission(klass.db, assignment, user=amina)

    client.put(f"/api/v1/submissions/{attempt.id}/marking", headers=klass.headers(klass.teacher),
               json={"version": 0, "points": "6", "release": True})  # fmt: skip

    attempts = list(
        klass.db.scalars(
            select(Submission.attempt).where(Submission.assignment_id == assignment.id)
        )
    )
    assert sorted(attempts) == [1, 2]
