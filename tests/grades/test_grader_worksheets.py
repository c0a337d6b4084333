"""Importing an offline marking worksheet: a preview lists every change, applying writes them
(each kept as an import in the grade's history); any refused line means nothing is written;
items of assignments and quizzes are refused (they are marked in their own pages)."""

from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.actors import SYSTEM
from app.core.config import Settings
from app.enrolment.cohorts import set_group_member
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


@pytest.fixture
def book(db: Session, settings: Settings) -> Gradebook:
    book = gradebook(db, settings)
    book.learner("Alice Keomany", book.group_a, "alice@example.org")
    book.learner("Bounmy Vang", book.group_b, "bounmy@example.org")
    return book


def _upload(client: TestClient, book: Gradebook, text: str, bom: bool = False):
    data = ("\ufeff" if bom else "") + text
    files = {"file": ("marks.csv", data.encode(), "text/csv")}
    return post_form(client, book, f"/courses/{book.course.code}/grades/import", {}, files=files)


def _grade(book: Gradebook, email: str) -> Grade | None:
    user = next(u for u in book.learners if u.email == email)
    book.db.expire_all()
    return book.db.scalar(
        select(Grade).where(Grade.item_id == book.manual.id, Grade.user_id == user.id)
    )


def test_preview_lists_the_changes_and_writes_nothing(client: TestClient, book: Gradebook):
    as_browser(client, book, book.teacher)
    assert client.get(f"/courses/{book.course.code}/grades/import").status_code == 200
    before = every_row(book.db)

    preview = _upload(
        client, book, "email,Oral\nalice@example.org,14.5\nBOUNMY@example.org,9\n", bom=True
    )

    assert preview.status_code == 200, preview.text
    assert "Changes to apply" in preview.text
    assert "Alice Keomany" in preview.text
    assert "14.5" in preview.text
    assert "Bounmy Vang" in preview.text
    assert every_row(book.db) == before


def test_apply_writes_each_change_as_an_import(client: TestClient, book: Gradebook):
    alice = book.learners[0]
    record_grade(book.db, book.manual, alice.id, Decimal(10), by_user_id=None, release=False)
    as_browser(client, book, book.teacher)
    text = (
        f"Email,{book.manual.id},Name\nalice@example.org,14.5,Alice\nbounmy@example.org,,Bounmy\n"
    )

    applied = post_form(
        client,
        book,
        f"/courses/{book.course.code}/grades/import/apply",
        {"worksheet": text, "release": "true"},
    )

    assert applied.status_code == 303
    assert applied.headers["location"] == f"/courses/{book.course.code}/grades?imported=1"
    grade = _grade(book, "alice@example.org")
    assert grade is not None
    assert grade.points == Decimal("14.5")
    assert grade.released_at is not None
    assert _grade(book, "bounmy@example.org") is None  # an empty cell changes nothing
    released = book.db.scalar(
        select(CourseResult.percent).where(
            CourseResult.course_id == book.course.id, CourseResult.user_id == alice.id
        )
    )
    assert released is not None  # the released import counts in the course result at once
    last = book.db.scalars(
        select(GradeChange).where(GradeChange.grade_id == grade.id).order_by(GradeChange.id)
    ).all()[-1]
    assert (last.kind, last.from_points, last.to_points) == (
        ChangeKind.IMPORT,
        Decimal(10),
        Decimal("14.5"),
    )
    assert last.changed_by_id == book.teacher.id


def test_one_refused_line_means_nothing_is_imported(client: TestClient, book: Gradebook):
    as_browser(client, book, book.teacher)
    text = "email,Oral\nalice@example.org,14\nstranger@example.org,12\nbounmy@example.org,25\n"
    before = every_row(book.db)

    preview = _upload(client, book, text)
    applied = post_form(
        client, book, f"/courses/{book.course.code}/grades/import/apply", {"worksheet": text}
    )

    for response in (preview, applied):
        assert response.status_code == 400
        assert "nothing was imported" in response.text
        assert "Line 3" in response.text
        assert "stranger@example.org" in response.text
        assert "Line 4" in response.text
        assert "25 is not a number of points between 0 and 20" in response.text
        assert "Apply these changes" not in response.text
    assert every_row(book.db) == before


def test_items_of_quizzes_and_unknown_columns_are_refused(client: TestClient, book: Gradebook):
    as_browser(client, book, book.teacher)
    before = every_row(book.db)

    preview = _upload(client, book, "email,Check yourself,Homework\nalice@example.org,5,6\n")

    assert preview.status_code == 400
    assert "“Check yourself” is graded in its own activity" in preview.text
    assert "No grade item is called “Homework”" in preview.text
    assert every_row(book.db) == before


def test_a_file_that_is_not_utf8_is_refused(client: TestClient, book: Gradebook):
    as_browser(client, book, book.teacher)
    files = {"file": ("marks.csv", "email,Oral\né,1\n".encode("latin-1"), "text/csv")}

    response = post_form(
        client, book, f"/courses/{book.course.code}/grades/import", {}, files=files
    )

    assert response.status_code == 400
    assert "Save the worksheet as UTF-8 CSV." in response.text


def test_a_group_a_tutor_cannot_import_for_a_group_b_learner(client: TestClient, book: Gradebook):
    set_group_member(book.db, SYSTEM, book.group_a.id, book.tutor.id, member=True)
    as_browser(client, book, book.tutor)

    preview = _upload(client, book, "email,Oral\nbounmy@example.org,12\n")

    assert preview.status_code == 400
    assert "bounmy@example.org is not a learner of the course you grade" in preview.text


def test_students_cannot_reach_the_import(client: TestClient, book: Gradebook):
    as_browser(client, book, book.learners[0])

    assert client.get(f"/courses/{book.course.code}/grades/import").status_code == 404


def test_the_grader_tables_own_french_csv_can_be_filled_in_and_imported(
    client: TestClient, book: Gradebook
):
    alice, bounmy = book.learners
    record_grade(book.db, book.quiz, alice.id, Decimal(7), by_user_id=None, release=True)
    exported = client.get(
        f"/api/v1/courses/{book.course.id}/grader.csv?language=fr",
        headers=api_headers(book, book.teacher),
    ).text
    header, *lines = exported.lstrip("\ufeff").splitlines()
    assert header == "Nom,E-mail,Oral,Check yourself,Total du cours"
    filled = [header] + [
        line.replace(f"{u.email},,", f"{u.email},{12 + n},")
        for n, (u, line) in enumerate(zip((alice, bounmy), sorted(lines), strict=True))
    ]
    as_browser(client, book, book.teacher)

    preview = _upload(client, book, "\n".join(filled) + "\n", bom=True)

    assert preview.status_code == 200, preview.text
    assert "Apply these changes" in preview.text
    assert "Check yourself" not in preview.text.split("Changes to apply")[1].split("</table>")[0]


def test_changing_a_quiz_grade_in_the_worksheet_is_refused(client: TestClient, book: Gradebook):
    alice = book.learners[0]
    record_grade(book.db, book.quiz, alice.id, Decimal(7), by_user_id=None, release=True)
    as_browser(client, book, book.teacher)

    same = _upload(client, book, "email,Check yourself,Oral\nalice@example.org,7,10\n")
    changed = _upload(client, book, "email,Check yourself,Oral\nalice@example.org,9,10\n")

    assert same.status_code == 200
    assert changed.status_code == 400
    assert "Line 2" in changed.text
