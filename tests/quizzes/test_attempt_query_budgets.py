"""The attempt's pages keep a bounded number of SQL statements, the same for 2 questions as
for 10: the start (which reads no bank category for a quiz of fixed questions), the page, a
save (which reads the attempt once, locked, not a second time first to count its pages) and
the summary. The exam bench (bench/exam.py) measures them under load."""

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.quizzes.quiz_schemas import QuizSettings, SlotAdd
from app.quizzes.service import answering, attempts, quizzes, results, slots
from tests.accounts.factories import page_csrf, sign_in
from tests.conftest import QueryCounter
from tests.quizzes.quiz_factories import (
    QuizWorld,
    actor_of,
    add_question,
    quiz_module,
    quiz_world,
)

START_BUDGET = 15
ATTEMPT_PAGE_BUDGET = 12
SAVE_BUDGET = 13
SUMMARY_BUDGET = 12


def _one_page_quiz(db: Session, settings: Settings, world: QuizWorld, questions: int) -> int:
    """A second quiz of the world's course: `questions` true/false questions on one page."""
    course, teacher, category = world.course, world.teacher, world.category
    module = quiz_module(db, settings, course, key=f"q{questions}")
    access = quizzes.update_quiz(
        db, actor_of(teacher), module.id, QuizSettings(questions_per_page=0)
    )
    for n in range(questions):
        question = add_question(db, course, category, name=f"Big{questions}-{n}")
        slots.add_slots(db, actor_of(teacher), access.quiz.id, SlotAdd(question_id=question.id))
    db.flush()
    return access.quiz.id


def _counts(client: TestClient, queries: QueryCounter, module_path: str, quiz_id: int,
            questions: int) -> dict[str, int]:  # fmt: skip
    csrf = page_csrf(client, module_path)
    found: dict[str, int] = {}
    with queries:
        started = client.post(f"/quizzes/{quiz_id}/attempts", data={"csrf_token": csrf},
                              follow_redirects=False)  # fmt: skip
    assert started.status_code == 303
    found["start"] = queries.count
    where = started.headers["location"]
    attempt = int(where.split("/")[2].split("?")[0])
    answers = {f"s{n}-answer": "true" for n in range(1, questions + 1)}
    client.get(where)
    with queries:
        page = client.get(where)
    assert page.status_code == 200
    found["page"] = queries.count
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    form = {"csrf_token": token.group(1), "page": "1", "go": "1", **answers}
    client.post(f"/attempts/{attempt}", data=form, follow_redirects=False)
    with queries:
        saved = client.post(f"/attempts/{attempt}", data=form, follow_redirects=False)
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/attempts/{attempt}?page=1"
    found["save"] = queries.count
    with queries:
        assert client.get(f"/attempts/{attempt}?page=0").status_code == 200
    found["summary"] = queries.count
    return found


def test_start_page_save_and_summary_keep_their_budgets(
    client: TestClient, db: Session, settings: Settings, queries: QueryCounter
) -> None:
    world = quiz_world(db, settings, fixed=1)
    sign_in(client, world.student.email)
    found = {}
    for questions in (2, 10):
        quiz_id = _one_page_quiz(db, settings, world, questions)
        module_id = quizzes.managed_quiz(db, actor_of(world.teacher), quiz_id).module.id
        module_path = f"/courses/{world.course.code}/modules/{module_id}"
        found[questions] = _counts(client, queries, module_path, quiz_id, questions)
    assert found[2] == found[10]
    budgets = {
        "start": START_BUDGET,
        "page": ATTEMPT_PAGE_BUDGET,
        "save": SAVE_BUDGET,
        "summary": SUMMARY_BUDGET,
    }
    for name, budget in budgets.items():
        assert found[10][name] <= budget, (name, found[10][name])


def test_a_learners_grade_is_read_in_the_same_queries_after_one_attempt_or_three(
    db: Session, settings: Settings, queries: QueryCounter
) -> None:
    world = quiz_world(db, settings, fixed=2)
    assert world.quiz is not None
    me = actor_of(world.student)
    found = []
    for _ in range(3):
        attempt, _ = attempts.start(db, me, world.quiz.id)
        answering.submit(db, me, attempt.id)
        with queries:
            grade, latest = results.learner_grade(db, world.quiz, world.student.id)
        assert latest is not None
        assert grade is not None
        found.append(queries.count)
    assert found[0] == found[2], found
