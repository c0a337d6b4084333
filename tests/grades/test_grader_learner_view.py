"""A learner's own grades: only released grades whose item's hidden-until date has passed,
with their feedback; nothing about an unreleased grade; the course result once released."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.grades.service.record import record_grade
from tests.grades.grader_setup import Gradebook, api_headers, as_browser, gradebook

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def book(db: Session, settings: Settings) -> Gradebook:
    book = gradebook(db, settings)
    book.learner("Alice Keomany", book.group_a, "alice@example.org")
    return book


def _mine(client: TestClient, book: Gradebook) -> tuple[str, dict]:
    learner = book.learners[0]
    page = as_browser(client, book, learner).get(f"/courses/{book.course.code}/my-grades")
    api = client.get(
        f"/api/v1/courses/{book.course.id}/my-grades", headers=api_headers(book, learner)
    )
    assert page.status_code == api.status_code == 200
    return page.text, api.json()


@pytest.mark.time_machine(NOW)
def test_nothing_shows_before_release(client: TestClient, book: Gradebook):
    learner = book.learners[0]
    record_grade(book.db, book.quiz, learner.id, Decimal("7.25"), by_user_id=None,
                 release=False, feedback_html="<p>Secret feedback</p>")  # fmt: skip

    page, api = _mine(client, book)

    assert "No grade has been released to you yet." in page
    assert "Check yourself" not in page
    assert "7.25" not in page
    assert "Secret feedback" not in page
    assert api["grades"] == []
    assert api["total"] is None


@pytest.mark.time_machine(NOW)
def test_released_grade_shows_with_its_feedback_and_the_course_result(
    client: TestClient, book: Gradebook
):
    learner = book.learners[0]
    record_grade(book.db, book.quiz, learner.id, Decimal("7.5"), by_user_id=None,
                 release=True, feedback_html="<p>Well argued</p>")  # fmt: skip

    page, api = _mine(client, book)

    assert "Check yourself" in page
    assert "7.5" in page
    assert "<p>Well argued</p>" in page
    assert [g["points"] for g in api["grades"]] == ["7.50"]
    assert api["grades"][0]["feedback_html"] == "<p>Well argued</p>"
    assert api["total"] is not None
    assert "Course result" in page


@pytest.mark.time_machine(NOW)
def test_a_released_grade_stays_hidden_until_its_date(client: TestClient, book: Gradebook):
    learner = book.learners[0]
    book.quiz.hidden_until = NOW + timedelta(days=1)
    record_grade(book.db, book.quiz, learner.id, Decimal("3.5"), by_user_id=None, release=True)
    record_grade(book.db, book.manual, learner.id, Decimal(12), by_user_id=None, release=True)

    page, api = _mine(client, book)

    assert "Check yourself" not in page
    assert "3.5" not in page
    assert [g["title"] for g in api["grades"]] == ["Oral"]
    # the course total would tell the hidden grade: it waits for the date too
    assert api["total"] is None
    assert "Course result" not in page


def test_staff_and_outsiders_have_no_my_grades_page(client: TestClient, book: Gradebook):
    as_browser(client, book, book.teacher)

    assert client.get(f"/courses/{book.course.code}/my-grades").status_code == 404


def test_the_course_page_links_students_to_their_grades_and_teachers_to_the_table(
    client: TestClient, book: Gradebook
):
    student_page = as_browser(client, book, book.learners[0]).get(f"/courses/{book.course.code}")
    teacher_page = as_browser(client, book, book.teacher).get(f"/courses/{book.course.code}")

    assert f'href="/courses/{book.course.code}/my-grades"' in student_page.text
    assert f'href="/courses/{book.course.code}/grades"' not in student_page.text
    assert f'href="/courses/{book.course.code}/grades"' in teacher_page.text
    assert f'href="/courses/{book.course.code}/my-grades"' not in teacher_page.text
