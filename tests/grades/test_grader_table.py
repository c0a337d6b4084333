"""The grader table: learners × items with the course total, for staff only; a grader who
belongs to groups sees only those groups' learners (page, CSV and API alike)."""

from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.core.actors import SYSTEM, PlatformRole
from app.core.config import Settings
from app.core.spreadsheets import spreadsheet_cell
from app.enrolment.cohorts import set_group_member
from app.grades.models import GradeCategory
from app.grades.service.record import record_grade
from tests.accounts.factories import make_institution, make_user
from tests.grades.grader_setup import Gradebook, api_headers, as_browser, gradebook


@pytest.fixture
def book(db: Session, settings: Settings) -> Gradebook:
    book = gradebook(db, settings)
    alice = book.learner("Alice Keomany", book.group_a, "alice@example.org")
    bounmy = book.learner("Bounmy Vang", book.group_b, "bounmy@example.org")
    book.learner("Chanthy Loungsy", None, "chanthy@example.org")
    record_grade(db, book.quiz, alice.id, Decimal(8), by_user_id=None, release=True)
    record_grade(db, book.quiz, bounmy.id, Decimal(4), by_user_id=None, release=False)
    return book


def _in_group_a(book: Gradebook) -> None:
    set_group_member(book.db, SYSTEM, book.group_a.id, book.tutor.id, member=True)
    book.db.flush()


def test_teacher_sees_every_learner_with_points_and_total(client: TestClient, book: Gradebook):
    page = as_browser(client, book, book.teacher).get(f"/courses/{book.course.code}/grades")

    assert page.status_code == 200
    for name in ("Alice Keomany", "alice@example.org", "Bounmy Vang", "Chanthy Loungsy"):
        assert name in page.text
    assert "Check yourself" in page.text
    assert "Oral" in page.text
    assert ">8</a>" in page.text
    assert "not released" in page.text
    assert "80 <span" in page.text  # Alice's course total: 8/10 of the only graded item


def test_group_a_tutor_sees_no_group_b_learner_on_the_page_csv_or_api(
    client: TestClient, book: Gradebook
):
    _in_group_a(book)
    as_browser(client, book, book.tutor)
    page = client.get(f"/courses/{book.course.code}/grades")
    csv = client.get(f"/courses/{book.course.code}/grades.csv")
    api = client.get(
        f"/api/v1/courses/{book.course.id}/grader", headers=api_headers(book, book.tutor)
    )

    assert page.status_code == csv.status_code == api.status_code == 200
    for text in (page.text, csv.text, api.text):
        assert "Alice Keomany" in text
        assert "Bounmy Vang" not in text
        assert "bounmy@example.org" not in text
        assert "Chanthy Loungsy" not in text
    assert [row["display_name"] for row in api.json()["rows"]] == ["Alice Keomany"]
    other = client.get(f"/courses/{book.course.code}/grades?group={book.group_b.id}")
    assert other.status_code == 404


def test_group_b_learners_grade_is_hidden_from_a_group_a_tutor(client: TestClient, book: Gradebook):
    _in_group_a(book)
    bounmy = book.learners[1]
    headers = api_headers(book, book.tutor)
    grade_id = api_grade_id(client, book, bounmy.id)

    as_browser(client, book, book.tutor)
    assert client.get(f"/grades/{grade_id}/edit").status_code == 404
    assert client.get(f"/api/v1/grades/{grade_id}/history", headers=headers).status_code == 404


def api_grade_id(client: TestClient, book: Gradebook, user_id: int) -> int:
    table = client.get(
        f"/api/v1/courses/{book.course.id}/grader", headers=api_headers(book, book.teacher)
    ).json()
    row = next(r for r in table["rows"] if r["user_id"] == user_id)
    return int(next(c["grade_id"] for c in row["cells"] if c["grade_id"]))


def test_group_filter_shows_that_group_only(client: TestClient, book: Gradebook):
    page = as_browser(client, book, book.teacher).get(
        f"/courses/{book.course.code}/grades?group={book.group_b.id}"
    )

    assert "Bounmy Vang" in page.text
    assert "Alice Keomany" not in page.text
    assert "Chanthy Loungsy" not in page.text


def test_manager_sees_everyone_and_students_get_404(client: TestClient, book: Gradebook):
    manager = make_user(book.db, role=PlatformRole.MANAGER)
    assert (
        "Bounmy Vang"
        in as_browser(client, book, manager).get(f"/courses/{book.course.code}/grades").text
    )

    student = book.learners[0]
    as_browser(client, book, student)
    assert client.get(f"/courses/{book.course.code}/grades").status_code == 404
    assert client.get(f"/courses/{book.course.code}/grades.csv").status_code == 404
    headers = api_headers(book, student)
    assert (
        client.get(f"/api/v1/courses/{book.course.id}/grader", headers=headers).status_code == 404
    )


def test_items_follow_category_order(client: TestClient, book: Gradebook):
    root = GradeCategory(course_id=book.course.id, title="", position=0)
    book.db.add(root)
    book.db.flush()
    first = GradeCategory(course_id=book.course.id, parent_id=root.id, title="Week 1", position=0)
    book.db.add(first)
    book.db.flush()
    book.quiz.category_id = first.id
    book.manual.category_id = root.id
    book.manual.position = 5
    book.db.flush()

    api = client.get(
        f"/api/v1/courses/{book.course.id}/grader", headers=api_headers(book, book.teacher)
    )

    assert [item["title"] for item in api.json()["items"]] == ["Oral", "Check yourself"]


def test_csv_neutralises_a_learner_named_like_a_formula(client: TestClient, book: Gradebook):
    formula = '=HYPERLINK("http://evil.example","Click")'
    book.learner(formula, None, "formula@example.org")

    response = as_browser(client, book, book.teacher).get(f"/courses/{book.course.code}/grades.csv")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert spreadsheet_cell(formula) == "'" + formula
    lines = response.text.lstrip("\ufeff").splitlines()
    assert lines[0] == "Name,Email,Oral,Check yourself,Course total"
    assert "'=HYPERLINK(" in response.text
    assert not any(line.startswith("=") for line in lines)
    assert "Alice Keomany,alice@example.org,,8,80" in response.text


def test_api_csv_export_is_the_same_table(client: TestClient, book: Gradebook):
    response = client.get(
        f"/api/v1/courses/{book.course.id}/grader.csv?language=fr",
        headers=api_headers(book, book.teacher),
    )

    assert response.status_code == 200
    assert "Alice Keomany,alice@example.org,,8,80" in response.text


def test_an_institution_manager_sees_only_their_institutions_learners(
    client: TestClient, book: Gradebook
):
    home = make_institution(book.db, "GRD1")
    book.course.institution_id = home.id
    book.learners[0].institution_id = home.id
    manager = make_user(book.db, role=PlatformRole.INSTITUTION_MANAGER, institution=home)
    book.db.flush()

    page = as_browser(client, book, manager).get(f"/courses/{book.course.code}/grades")

    assert page.status_code == 200
    assert "Alice Keomany" in page.text
    assert "Bounmy Vang" not in page.text
