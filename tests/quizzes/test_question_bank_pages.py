"""The question bank's pages: a teacher writes questions without JavaScript, each save a new
version, previews them with their answers; students never reach the bank; a refused form
writes nothing; the list keeps its query budget."""

import re
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.config import Settings
from app.courses.models import Course
from app.membership.models import CourseRole
from app.models import Base
from app.quizzes.models import QuestionType, QuestionVersion
from tests.accounts.factories import PASSWORD, make_user, page_csrf, sign_in
from tests.conftest import QueryCounter
from tests.courses.factories import enrol_as, import_hs101
from tests.quizzes.bank_factories import make_category, make_question

LIST_BUDGET = 16
pytestmark = pytest.mark.time_machine(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))


@pytest.fixture
def course(db: Session, settings: Settings) -> Course:
    return import_hs101(db, settings)


@pytest.fixture
def teacher(db: Session, course: Course, client: TestClient) -> User:
    user = make_user(db, email="teacher@example.org", password=PASSWORD)
    enrol_as(db, course, user, CourseRole.TEACHER)
    sign_in(client, user.email)
    return user


def _snapshot(db: Session) -> dict[str, list[str]]:
    return {
        t.name: sorted(repr(tuple(r)) for r in db.execute(select(t)))
        for t in Base.metadata.sorted_tables
        if t.name != "throttle_events"
    }


def _post(client: TestClient, path: str, data: dict[str, str]):
    token = page_csrf(client, "/profile")
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)


MULTICHOICE_FORM = {
    "qtype": "multichoice", "name": "Capital", "text": "Which is the capital of Laos?",
    "single": "1", "shuffle": "1", "default_mark": "2", "tags": "week-1, geography",
    "choice-0-text": "Vientiane", "choice-0-grade": "100", "choice-0-feedback": "Right.",
    "choice-1-text": "Pakse", "choice-1-grade": "0", "choice-1-feedback": "In the south.",
    "choice-2-text": "", "choice-2-grade": "0",
}  # fmt: skip


def test_a_teacher_writes_a_question_then_a_second_version(
    client: TestClient, db: Session, course: Course, teacher: User
):
    form = client.get(f"/courses/{course.code}/questions/new?qtype=multichoice")
    assert form.status_code == 200
    assert form.text.count('name="choice-') >= 6 * 3  # blank rows without JavaScript

    created = _post(client, f"/courses/{course.code}/questions/new", MULTICHOICE_FORM)
    assert created.status_code == 303
    question_id = int(re.search(r"/questions/(\d+)/preview", created.headers["location"]).group(1))
    preview = client.get(created.headers["location"])
    assert "Vientiane" in preview.text
    assert "The right answer: Vientiane" in preview.text

    checked = client.get(f"/questions/{question_id}/preview", params={"p-choice": "c2"})
    assert "Incorrect" in checked.text
    assert "In the south." in checked.text

    edit = client.get(f"/questions/{question_id}/edit")
    assert 'value="Vientiane"' in edit.text
    changed = {**MULTICHOICE_FORM, "name": "Capital city", "choice-2-text": "Luang Prabang"}
    assert _post(client, f"/questions/{question_id}/edit", changed).status_code == 303

    versions = db.scalars(
        select(QuestionVersion).where(QuestionVersion.question_id == question_id)
        .order_by(QuestionVersion.version)
    ).all()  # fmt: skip
    assert [v.name for v in versions] == ["Capital", "Capital city"]
    assert len(versions[0].definition["choices"]) == 2  # version 1 kept as it was
    assert len(versions[1].definition["choices"]) == 3
    listing = client.get(f"/courses/{course.code}/questions?tag=geography")
    assert "Capital city" in listing.text


def test_a_refused_question_form_says_why_and_writes_nothing(
    client: TestClient, db: Session, course: Course, teacher: User
):
    broken = {**MULTICHOICE_FORM, "choice-0-grade": "50"}
    before = _snapshot(db)
    refused = _post(client, f"/courses/{course.code}/questions/new", broken)
    assert refused.status_code == 400
    assert "One choice must be worth the whole mark." in refused.text
    assert 'value="Pakse"' in refused.text  # what was typed is kept
    db.expire_all()
    assert _snapshot(db) == before


def test_refused_category_forms_write_nothing(
    client: TestClient, db: Session, course: Course, teacher: User
):
    parent = make_category(db, course.id, "Week 1")
    make_question(db, course.id, category_id=parent.id)
    before = _snapshot(db)
    taken = _post(client, f"/courses/{course.code}/question-categories", {"name": "Week 1"})
    full = _post(client, f"/question-categories/{parent.id}/delete", {})
    under_itself = _post(
        client, f"/question-categories/{parent.id}", {"name": "Week 1", "parent_id": str(parent.id)}
    )
    assert (taken.status_code, full.status_code, under_itself.status_code) == (400, 400, 400)
    assert "already there" in taken.text
    assert "Only an empty category can be deleted" in full.text
    db.expire_all()
    assert _snapshot(db) == before


def test_categories_nest_and_filter_the_list(
    client: TestClient, db: Session, course: Course, teacher: User
):
    assert (
        _post(client, f"/courses/{course.code}/question-categories", {"name": "Unit A"}).status_code
        == 303
    )
    page = client.get(f"/courses/{course.code}/question-categories")
    unit_a = int(re.search(r'action="/question-categories/(\d+)"', page.text).group(1))
    _post(
        client,
        f"/courses/{course.code}/question-categories",
        {"name": "Part 1", "parent_id": str(unit_a)},
    )
    part = db.scalar(select(func.max(Base.metadata.tables["question_categories"].c.id)))
    make_question(db, course.id, name="Deep question", category_id=part)
    other = make_category(db, course.id, "Other")
    make_question(db, course.id, name="Elsewhere", category_id=other.id)
    listed = client.get(f"/courses/{course.code}/questions?category={unit_a}")
    assert "Deep question" in listed.text
    assert "Elsewhere" not in listed.text
    assert "— Part 1" in client.get(f"/courses/{course.code}/question-categories").text


def test_students_never_reach_the_bank(client: TestClient, db: Session, course: Course):
    entry = make_question(db, course.id)
    student = make_user(db, email="student@example.org", password=PASSWORD)
    enrol_as(db, course, student, CourseRole.STUDENT)
    sign_in(client, student.email)
    for path in (
        f"/courses/{course.code}/questions",
        f"/questions/{entry.question.id}/preview",
        f"/questions/{entry.question.id}/edit",
        f"/courses/{course.code}/question-categories",
    ):
        assert client.get(path).status_code == 404, path


def test_every_type_has_a_working_editor(client: TestClient, course: Course, teacher: User):
    for qtype in QuestionType:
        page = client.get(f"/courses/{course.code}/questions/new?qtype={qtype.value}")
        assert page.status_code == 200, qtype
    cloze = {
        "qtype": "cloze", "name": "Gaps", "default_mark": "1",
        "text": "The capital is {1:SA:=Vientiane} and {1:MC:=Mekong~Nile} flows by.",
    }  # fmt: skip
    created = _post(client, f"/courses/{course.code}/questions/new", cloze)
    assert created.status_code == 303
    preview = client.get(created.headers["location"])
    assert 'name="p-gap-1"' in preview.text


def test_the_question_list_keeps_its_query_budget(
    client: TestClient, db: Session, course: Course, teacher: User, queries: QueryCounter
):
    def count() -> int:
        with queries:
            assert client.get(f"/courses/{course.code}/questions").status_code == 200
        return queries.count

    make_question(db, course.id, tags=["a"])
    count()
    small = count()
    for n in range(12):
        make_question(db, course.id, name=f"Q{n}", tags=["a", f"t{n}"])
    assert count() == small
    assert small <= LIST_BUDGET


def test_an_import_is_previewed_then_applied_and_a_refused_file_writes_nothing(
    client: TestClient, db: Session, course: Course, teacher: User
):
    token = page_csrf(client, "/profile")
    url = f"/courses/{course.code}/questions/import"
    gift = "$CATEGORY: Revision\n\n::Mekong:: The Mekong flows through Laos. {T}\n"
    before = _snapshot(db)
    preview = client.post(
        url, data={"csrf_token": token}, files={"file": ("q.gift", gift.encode())}
    )
    assert preview.status_code == 200
    assert "Mekong" in preview.text
    assert "Import 1 question" in preview.text
    db.expire_all()
    assert _snapshot(db) == before  # a preview writes nothing
    carried = re.search(r'name="carried" value="([^"]+)"', preview.text).group(1)
    applied = client.post(
        url, data={"csrf_token": token, "carried": carried, "format": "auto", "apply": "1"},
        follow_redirects=False,
    )  # fmt: skip
    assert applied.status_code == 303
    assert "Mekong" in client.get(f"/courses/{course.code}/questions").text

    before = _snapshot(db)
    broken = "::A:: fine {T}\n\n::B:: {=x ~y\n"
    refused = client.post(
        url, data={"csrf_token": token}, files={"file": ("q.gift", broken.encode())}
    )
    assert refused.status_code == 400
    assert "Line 3" in refused.text
    db.expire_all()
    assert _snapshot(db) == before
    export = client.get(f"/courses/{course.code}/questions/export?format=gift")
    assert export.headers["content-disposition"].startswith("attachment")
    assert "::Mekong::" in export.text


def test_a_refused_tag_or_move_writes_nothing(
    client: TestClient, db: Session, settings: Settings, course: Course, teacher: User
):
    entry = make_question(db, course.id, tags=["kept"])
    elsewhere = make_category(db, import_hs101(db, settings, code="HS-AWAY").id, "Away")
    before = _snapshot(db)
    bad_tag = _post(client, f"/questions/{entry.question.id}/tags", {"tag": "a,b"})
    bad_move = _post(
        client, f"/questions/{entry.question.id}/move", {"category_id": str(elsewhere.id)}
    )
    assert (bad_tag.status_code, bad_move.status_code) == (400, 400)
    assert "without commas" in bad_tag.text
    db.expire_all()
    assert _snapshot(db) == before
    assert (
        _post(client, f"/questions/{entry.question.id}/tags", {"tag": "revision"}).status_code
        == 303
    )
    page = client.get(f"/questions/{entry.question.id}/edit")
    assert "revision" in page.text


@pytest.mark.parametrize("language", ["fr", "ru", "ar"])
def test_the_bank_pages_read_in_each_language(
    client: TestClient, db: Session, course: Course, language: str
):
    user = make_user(db, email=f"t-{language}@example.org", password=PASSWORD, language=language)
    enrol_as(db, course, user, CourseRole.TEACHER)
    entry = make_question(db, course.id, tags=["x"])
    sign_in(client, user.email)
    pages = [f"/courses/{course.code}/questions/new?qtype={t.value}" for t in QuestionType]
    pages += [
        f"/courses/{course.code}/questions", f"/courses/{course.code}/question-categories",
        f"/courses/{course.code}/questions/import", f"/questions/{entry.question.id}/edit",
        f"/questions/{entry.question.id}/preview?p-choice=a",
    ]  # fmt: skip
    for path in pages:
        page = client.get(path)
        assert page.status_code == 200, path
        assert "Question bank" not in page.text, path  # the link back reads in the language
