"""A partner system reads the released, visible grades of its own institution's learners,
page by page, in a constant number of queries; another institution's partner reads nothing."""

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.core.config import Settings
from tests.conftest import QueryCounter
from tests.grades.core_setup import Book, book, partner_headers

pytestmark = pytest.mark.time_machine(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _graded(db: Session, settings: Settings) -> tuple[Book, list[int]]:
    b = book(db, settings)
    ours, theirs = b.learner(b.home), b.learner(b.other)
    quiz, exam = b.item("Quiz", 10, 1), b.item("Exam", 20, 2)
    hidden = b.item("Viva", 20, 3)
    hidden.hidden_until = NOW + timedelta(days=3)
    for learner in (ours, theirs):
        b.grade(quiz, learner, "7")
        b.grade(exam, learner, "12", release=False)
        b.grade(hidden, learner, "15")
    return b, [ours.id, theirs.id, quiz.id]


def test_a_partner_reads_only_its_learners_released_visible_grades(
    client: TestClient, db: Session, settings: Settings
) -> None:
    b, (ours, _theirs, quiz) = _graded(db, settings)
    headers = partner_headers(b, b.home, ["grades:read"])
    response = client.get(f"/api/v1/courses/{b.course.id}/grades", headers=headers)
    assert response.status_code == 200, response.text
    grades = response.json()["items"]
    assert [(g["user_id"], g["item_id"], g["points"]) for g in grades] == [(ours, quiz, "7.00")]
    results = client.get(f"/api/v1/courses/{b.course.id}/results", headers=headers).json()
    assert [r["user_id"] for r in results] == [ours]


def test_a_partner_of_another_institution_reads_no_grade(
    client: TestClient, db: Session, settings: Settings
) -> None:
    b, _ids = _graded(db, settings)
    headers = partner_headers(b, b.other, ["grades:read"])
    for path in ("grades", "results", "grade-items"):
        response = client.get(f"/api/v1/courses/{b.course.id}/{path}", headers=headers)
        assert response.status_code == 404, path


def test_a_partner_without_the_scope_is_refused(
    client: TestClient, db: Session, settings: Settings
) -> None:
    b, _ids = _graded(db, settings)
    headers = partner_headers(b, b.home, ["courses:read"])
    response = client.get(f"/api/v1/courses/{b.course.id}/grades", headers=headers)
    assert response.status_code == 403


def test_the_grades_list_pages_with_a_cursor(
    client: TestClient, db: Session, settings: Settings
) -> None:
    b = book(db, settings)
    quiz = b.item("Quiz", 10, 1)
    learners = [b.learner(b.home) for _ in range(3)]
    for learner in learners:
        b.grade(quiz, learner, "5")
    headers = partner_headers(b, b.home, ["grades:read"])
    base = f"/api/v1/courses/{b.course.id}/grades?limit=2"
    first = client.get(base, headers=headers).json()
    second = client.get(f"{base}&cursor={first['next_cursor']}", headers=headers).json()
    seen = [g["user_id"] for g in first["items"] + second["items"]]
    assert seen == [learner.id for learner in learners]
    assert second["next_cursor"] is None
    bad = client.get(f"{base}&cursor=%%%", headers=headers)
    assert bad.status_code == 422


def _grades_queries(
    client: TestClient, db: Session, settings: Settings, queries: QueryCounter, size: int
) -> int:
    b = book(db, settings)
    quiz, exam = b.item("Quiz", 10, 1), b.item("Exam", 20, 2)
    for _ in range(size):
        learner = b.learner(b.home)
        b.grade(quiz, learner, "5")
        b.grade(exam, learner, "15")
    headers = partner_headers(b, b.home, ["grades:read"])
    with queries:
        response = client.get(f"/api/v1/courses/{b.course.id}/grades", headers=headers)
    assert len(response.json()["items"]) == 2 * size
    return queries.count


def test_the_grades_list_keeps_its_queries_as_the_class_grows(
    client: TestClient, db: Session, settings: Settings, queries: QueryCounter
) -> None:
    small = _grades_queries(client, db, settings, queries, 2)
    db.rollback()
    large = _grades_queries(client, db, settings, queries, 12)
    assert large == small
