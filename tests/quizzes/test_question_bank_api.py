"""The question bank over the API: categories nest and move, questions are validated by
type, each save is a version (the earlier ones unchanged), retire keeps the question, and the
list keeps a constant number of queries."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.courses.models import Course
from app.membership.models import CourseRole
from app.quizzes.models import QuestionVersion
from tests.accounts.factories import PASSWORD, api_token, bearer, make_user
from tests.conftest import QueryCounter
from tests.courses.factories import enrol_as, import_hs101
from tests.quizzes.bank_factories import CAPITAL, make_question


@pytest.fixture
def course(db: Session, settings: Settings) -> Course:
    return import_hs101(db, settings)


@pytest.fixture
def headers(client: TestClient, db: Session, course: Course) -> dict[str, str]:
    teacher = make_user(db, email="teacher@example.org", password=PASSWORD)
    enrol_as(db, course, teacher, CourseRole.TEACHER)
    return bearer(api_token(client, teacher.email))


def test_categories_nest_move_and_delete_only_when_empty(
    client: TestClient, course: Course, headers: dict[str, str]
):
    url = f"/api/v1/courses/{course.id}/question-categories"
    top = client.post(url, headers=headers, json={"name": "Unit 1"}).json()
    sub = client.post(url, headers=headers, json={"name": "Part A", "parent_id": top["id"]}).json()
    assert sub["depth"] == 1
    assert (
        client.post(url, headers=headers, json={"name": "Unit 1"}).json()["code"]
        == "category_name_taken"
    )
    loop = client.patch(f"/api/v1/question-categories/{top['id']}", headers=headers,
                        json={"parent_id": sub["id"]})  # fmt: skip
    assert loop.status_code == 422
    question = client.post(
        f"/api/v1/courses/{course.id}/questions", headers=headers,
        json={"qtype": "multichoice", "name": "Q", "text": "Which?", "definition": CAPITAL,
              "category_id": sub["id"]},
    )  # fmt: skip
    assert question.status_code == 201
    full = client.delete(f"/api/v1/question-categories/{sub['id']}", headers=headers)
    assert (full.status_code, full.json()["code"]) == (409, "category_not_empty")
    moved = client.patch(f"/api/v1/question-categories/{sub['id']}", headers=headers,
                         json={"parent_id": None, "name": "Part A (moved)"})  # fmt: skip
    assert (moved.json()["parent_id"], moved.json()["depth"]) == (None, 0)
    assert (
        client.delete(f"/api/v1/question-categories/{top['id']}", headers=headers).status_code
        == 204
    )


def test_a_definition_is_checked_by_its_type(
    client: TestClient, course: Course, headers: dict[str, str]
):
    url = f"/api/v1/courses/{course.id}/questions"
    broken = {
        **CAPITAL,
        "choices": [{**CAPITAL["choices"][0], "fraction": 3}, CAPITAL["choices"][1]],
    }
    refused = client.post(url, headers=headers, json={
        "qtype": "multichoice", "name": "Q", "text": "Which?", "definition": broken})  # fmt: skip
    assert refused.status_code == 422
    assert "definition.choices.0.fraction" in refused.text
    cloze = client.post(url, headers=headers, json={
        "qtype": "cloze", "name": "C", "text": "Capital: {1:SA:=Vientiane}."})  # fmt: skip
    assert cloze.status_code == 201
    current = cloze.json()["current"]
    assert "Vientiane" not in current["text_html"]  # the blanked text, never the answers
    assert current["definition"]["gaps"][0]["kind"] == "shortanswer"


def test_each_save_is_a_version_and_the_first_stays_as_it_was(
    client: TestClient, db: Session, course: Course, headers: dict[str, str]
):
    entry = make_question(db, course.id)
    first_id = entry.version.id
    url = f"/api/v1/questions/{entry.question.id}"
    changed = {**CAPITAL, "choices": [*CAPITAL["choices"], {"text": "Pakse", "fraction": 0}]}
    body = {"name": "Capital v2", "text": "Which city?", "definition": changed, "tags": ["laos"]}
    saved = client.put(url, headers=headers, json=body)
    assert saved.status_code == 200
    assert saved.json()["latest_version"] == 2
    assert saved.json()["tags"] == ["laos"]
    versions = client.get(url + "/versions", headers=headers).json()
    assert [v["version"] for v in versions] == [2, 1]
    db.expire_all()
    first = db.get(QuestionVersion, first_id)
    assert first is not None
    assert (first.name, len(first.definition["choices"])) == ("Capital of Laos", 2)
    retired = client.delete(url, headers=headers)
    assert retired.json()["retired"] is True
    listed = client.get(f"/api/v1/courses/{course.id}/questions", headers=headers).json()
    assert listed["total"] == 0
    with_retired = client.get(
        f"/api/v1/courses/{course.id}/questions?retired=true", headers=headers
    )
    assert with_retired.json()["total"] == 1
    assert db.scalar(select(QuestionVersion.id).where(QuestionVersion.id == first_id)) == first_id


def test_a_question_of_another_course_is_not_found(
    client: TestClient, db: Session, settings: Settings, course: Course, headers: dict[str, str]
):
    other = import_hs101(db, settings, code="HS-ELSEWHERE")
    entry = make_question(db, other.id)
    assert client.get(f"/api/v1/questions/{entry.question.id}", headers=headers).status_code == 404
    moved = client.put(
        f"/api/v1/questions/{make_question(db, course.id).question.id}", headers=headers,
        json={"name": "Q", "text": "T", "definition": CAPITAL,
              "category_id": entry.question.category_id},
    )  # fmt: skip
    assert moved.status_code == 422


def test_search_and_tag_filters_and_a_constant_query_count(
    client: TestClient, db: Session, course: Course, headers: dict[str, str], queries: QueryCounter
):
    url = f"/api/v1/courses/{course.id}/questions"
    make_question(db, course.id, name="Mekong river", tags=["geo"])
    make_question(db, course.id, name="Capital 100%", tags=["geo", "capital"])

    def count() -> int:
        with queries:
            assert client.get(url, headers=headers).status_code == 200
        return queries.count

    small = count()
    for n in range(10):
        make_question(db, course.id, name=f"More {n}", tags=[f"t{n}", "geo"])
    assert count() == small
    assert client.get(url, headers=headers, params={"search": "mek"}).json()["total"] == 1
    assert client.get(url, headers=headers, params={"search": "100%"}).json()["total"] == 1
    assert client.get(url, headers=headers, params={"tag": "capital"}).json()["total"] == 1
