"""Overriding a grade from the grader table: a reason is required, a writer who read an older
version gets 409 and nothing of the first change is lost, locked items refuse, every change
is in the history, and an override can be removed (back to the computed grade)."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.config import Settings
from app.core.db import utcnow
from app.grades.models import ChangeKind, CourseResult, Grade, GradeChange
from app.grades.service.record import record_grade
from tests.grades.grader_setup import (
    Gradebook,
    api_headers,
    as_browser,
    every_row,
    gradebook,
    post_form,
)

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def book(db: Session, settings: Settings) -> Gradebook:
    book = gradebook(db, settings)
    book.learner("Alice Keomany", book.group_a, "alice@example.org")
    return book


@pytest.fixture
def alice(book: Gradebook) -> User:
    return book.learners[0]


@pytest.fixture
def quiz_grade(book: Gradebook, alice: User) -> Grade:
    return record_grade(book.db, book.quiz, alice.id, Decimal(6), by_user_id=None, release=True)


def _put(client: TestClient, book: Gradebook, grade: Grade, body: dict[str, object]):
    return client.put(
        f"/api/v1/grades/{grade.id}", json=body, headers=api_headers(book, book.teacher)
    )


@pytest.mark.time_machine(NOW)
def test_override_keeps_the_computed_grade_and_the_reason(
    client: TestClient, book: Gradebook, quiz_grade: Grade
):
    body = {"version": quiz_grade.version, "points": "9", "reason": "Question 4 was ambiguous"}

    response = _put(client, book, quiz_grade, body)

    assert response.status_code == 200, response.text
    read = response.json()
    assert (read["points"], read["override_points"], read["final_points"]) == (
        "6.00",
        "9.00",
        "9.00",
    )
    assert read["override_reason"] == "Question 4 was ambiguous"
    history = client.get(
        f"/api/v1/grades/{quiz_grade.id}/history", headers=api_headers(book, book.teacher)
    ).json()
    assert [(h["kind"], h["from_points"], h["to_points"]) for h in history] == [
        ("source", None, "6.00"),
        ("override", "6.00", "9.00"),
    ]
    assert history[-1]["changed_by_name"] == book.teacher.display_name
    assert history[-1]["changed_at"].startswith("2026-12-01T09:00")


def test_override_needs_a_reason_and_writes_nothing_without_one(
    client: TestClient, book: Gradebook, quiz_grade: Grade
):
    before = every_row(book.db)

    response = _put(
        client, book, quiz_grade, {"version": quiz_grade.version, "points": "9", "reason": "  "}
    )

    assert response.status_code == 422
    assert every_row(book.db) == before


def test_a_stale_version_gets_409_and_the_first_change_is_kept(
    client: TestClient, book: Gradebook, quiz_grade: Grade
):
    read_version = quiz_grade.version
    first = _put(client, book, quiz_grade, {"version": read_version, "points": "9", "reason": "A"})
    before = every_row(book.db)

    second = _put(client, book, quiz_grade, {"version": read_version, "points": "2", "reason": "B"})

    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json()["code"] == "grade_edited_meanwhile"
    assert every_row(book.db) == before
    book.db.expire_all()
    assert book.db.get_one(Grade, quiz_grade.id).final_points == Decimal(9)


def test_points_beyond_the_maximum_are_refused(
    client: TestClient, book: Gradebook, quiz_grade: Grade
):
    response = _put(
        client, book, quiz_grade, {"version": quiz_grade.version, "points": "11", "reason": "x"}
    )

    assert response.status_code == 422
    assert response.json()["code"] == "points_out_of_range"


def test_a_locked_item_refuses_every_change(client: TestClient, book: Gradebook, quiz_grade: Grade):
    book.quiz.locked_at = utcnow()
    book.db.flush()
    before = every_row(book.db)

    response = _put(
        client, book, quiz_grade, {"version": quiz_grade.version, "points": "9", "reason": "x"}
    )

    assert response.status_code == 409
    assert response.json()["code"] == "grade_item_locked"
    assert every_row(book.db) == before


def test_removing_an_override_goes_back_to_the_computed_grade(
    client: TestClient, book: Gradebook, quiz_grade: Grade
):
    headers = api_headers(book, book.teacher)
    _put(client, book, quiz_grade, {"version": quiz_grade.version, "points": "9", "reason": "A"})
    version = quiz_grade.version + 1
    path = f"/api/v1/grades/{quiz_grade.id}/override-removal"

    without_reason = client.post(path, json={"version": version, "reason": ""}, headers=headers)
    removed = client.post(path, json={"version": version, "reason": "Re-marked"}, headers=headers)
    again = client.post(path, json={"version": version + 1, "reason": "Again"}, headers=headers)

    assert without_reason.status_code == 422
    assert removed.status_code == 200
    assert removed.json()["final_points"] == "6.00"
    assert removed.json()["override_points"] is None
    assert again.status_code == 409
    assert again.json()["code"] == "no_override"
    changes = book.db.scalars(
        select(GradeChange).where(GradeChange.grade_id == quiz_grade.id).order_by(GradeChange.id)
    ).all()
    assert [(c.kind, c.to_points, c.reason) for c in changes] == [
        (ChangeKind.SOURCE, Decimal(6), ""),
        (ChangeKind.OVERRIDE, Decimal(9), "A"),
        (ChangeKind.OVERRIDE, Decimal(6), "Re-marked"),
    ]


def test_a_manual_grade_is_created_from_version_0_and_released_on_request(
    client: TestClient, book: Gradebook, alice: User
):
    path = f"/api/v1/grade-items/{book.manual.id}/grades/{alice.id}"
    headers = api_headers(book, book.teacher)

    created = client.put(
        path,
        json={"version": 0, "points": "15.5", "reason": "Oral exam", "release": True},
        headers=headers,
    )
    stale = client.put(path, json={"version": 0, "points": "3", "reason": "Other"}, headers=headers)

    assert created.status_code == 200, created.text
    assert created.json()["points"] == "15.50"
    assert created.json()["released_at"] is not None
    assert created.json()["version"] == 1
    assert stale.status_code == 409
    # The release counts at once: the course result (and the credits after it) follow.
    result = book.db.scalar(
        select(CourseResult).where(
            CourseResult.course_id == book.course.id, CourseResult.user_id == alice.id
        )
    )
    assert result is not None
    assert result.percent is not None


def test_the_edit_page_saves_an_override_and_the_history_page_lists_it(
    client: TestClient, book: Gradebook, quiz_grade: Grade
):
    as_browser(client, book, book.teacher)
    form = client.get(f"/grades/{quiz_grade.id}/edit")
    assert form.status_code == 200
    assert f'name="version" value="{quiz_grade.version}"' in form.text

    saved = post_form(
        client,
        book,
        f"/grades/{quiz_grade.id}/edit",
        {"version": str(quiz_grade.version), "points": "8,5", "reason": "Late answer accepted"},
    )

    assert saved.status_code == 303
    assert saved.headers["location"].startswith(f"/courses/{book.course.code}/grades")
    history = client.get(f"/grades/{quiz_grade.id}/history")
    assert history.status_code == 200
    assert "Late answer accepted" in history.text
    assert "Teacher&#39;s change" in history.text or "Teacher's change" in history.text
    assert "8.5" in history.text


def test_a_refused_edit_form_shows_its_message_and_writes_nothing(
    client: TestClient, book: Gradebook, quiz_grade: Grade
):
    as_browser(client, book, book.teacher)
    path = f"/grades/{quiz_grade.id}/edit"
    version = str(quiz_grade.version)
    before = every_row(book.db)

    no_reason = post_form(client, book, path, {"version": version, "points": "8", "reason": ""})
    stale = post_form(client, book, path, {"version": "99", "points": "8", "reason": "x"})

    assert no_reason.status_code == 400
    assert "This field is required." in no_reason.text
    assert stale.status_code == 409
    assert "Someone changed this grade meanwhile" in stale.text
    assert every_row(book.db) == before


def test_a_refused_removal_and_a_refused_new_grade_write_nothing(
    client: TestClient, book: Gradebook, quiz_grade: Grade, alice: User
):
    as_browser(client, book, book.teacher)
    version = str(quiz_grade.version)
    before = every_row(book.db)

    removal = post_form(
        client,
        book,
        f"/grades/{quiz_grade.id}/override-removal",
        {"version": version, "reason": "x"},
    )
    new = post_form(
        client,
        book,
        f"/courses/{book.course.code}/grades/{book.manual.id}/{alice.id}/edit",
        {"version": "0", "points": "30", "reason": "x"},
    )

    assert removal.status_code == 409
    assert "no override to remove" in removal.text
    assert new.status_code == 400
    assert "between 0 and the item" in new.text
    assert every_row(book.db) == before


def test_a_tutor_overrides_but_a_student_cannot_see_the_form(
    client: TestClient, book: Gradebook, quiz_grade: Grade, alice: User
):
    as_browser(client, book, book.tutor)
    saved = post_form(
        client,
        book,
        f"/grades/{quiz_grade.id}/edit",
        {"version": str(quiz_grade.version), "points": "7", "reason": "Tutor"},
    )
    assert saved.status_code == 303

    as_browser(client, book, alice)
    assert client.get(f"/grades/{quiz_grade.id}/edit").status_code == 404
    assert client.get(f"/grades/{quiz_grade.id}/history").status_code == 404
