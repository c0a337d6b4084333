"""The grader table, its CSV and the learner's own grades keep a constant number of SQL
queries whatever the class size (5 learners, then 40), and stay within a budget."""

from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.grades.service.record import record_grade
from tests.conftest import QueryCounter
from tests.grades.grader_setup import Gradebook, api_headers, as_browser, gradebook

GRADER_PAGE_BUDGET = 20
MY_GRADES_BUDGET = 16


def _grow(book: Gradebook, count: int) -> None:
    for n in range(count):
        learner = book.learner(f"Learner {n}", book.group_a if n % 2 else book.group_b)
        record_grade(book.db, book.quiz, learner.id, Decimal(n % 10), by_user_id=None, release=True)
        record_grade(
            book.db, book.manual, learner.id, Decimal(n % 20), by_user_id=None, release=n % 3 == 0
        )


def test_grader_table_csv_and_api_queries_do_not_grow_with_the_class(
    client: TestClient, db: Session, settings: Settings, queries: QueryCounter
):
    book = gradebook(db, settings)
    headers = api_headers(book, book.teacher)
    code, course_id = book.course.code, book.course.id
    paths = {
        "page": f"/courses/{code}/grades",
        "group": f"/courses/{code}/grades?group={book.group_a.id}",
        "csv": f"/courses/{code}/grades.csv",
        "api": f"/api/v1/courses/{course_id}/grader",
    }

    def counts() -> dict[str, int]:
        found = {}
        for name, path in paths.items():
            as_browser(client, book, book.teacher)
            with queries:
                response = client.get(path, headers=headers if name == "api" else {})
                assert response.status_code == 200, path
            found[name] = queries.count
        return found

    _grow(book, 5)
    counts()  # the first read creates the gradebook's root category
    small = counts()
    _grow(book, 35)
    large = counts()

    assert small == large
    assert max(large.values()) <= GRADER_PAGE_BUDGET, large


def test_my_grades_queries_do_not_grow_with_the_class(
    client: TestClient, db: Session, settings: Settings, queries: QueryCounter
):
    book = gradebook(db, settings)
    _grow(book, 5)
    learner = book.learners[0]

    def count() -> int:
        as_browser(client, book, learner)
        with queries:
            assert client.get(f"/courses/{book.course.code}/my-grades").status_code == 200
        return queries.count

    small = count()
    _grow(book, 35)

    assert count() == small <= MY_GRADES_BUDGET
