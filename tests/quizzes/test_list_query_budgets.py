"""The quiz and question-bank lists, over the API and on the pages, send as many SQL statements
for 2 rows as for 12: each is read at both sizes and must keep its named budget."""

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.core.actors import SYSTEM
from app.core.config import Settings
from app.membership.models import CourseRole
from app.quizzes.bank_schemas import QuestionUpdate
from app.quizzes.quiz_schemas import OverrideCreate, QuizSettings, SlotAdd
from app.quizzes.service import answering, attempts, bank, overrides, quizzes, slots
from tests.accounts.factories import PASSWORD, api_token, bearer, make_user, sign_in
from tests.conftest import QueryCounter
from tests.courses.factories import enrol_as
from tests.quizzes.bank_factories import CAPITAL, make_category, make_question
from tests.quizzes.quiz_factories import QuizWorld, actor_of, add_question, quiz_module, quiz_world

Q, CID = "/api/v1/quizzes/{quiz}", "/api/v1/courses/{course_id}"
BUDGETS = {
    # The quiz's slots grow with its questions.
    Q + "/slots": 7,
    # Overrides and results grow with the learners.
    Q + "/overrides": 7,
    "/quizzes/{quiz}/overrides": 24,
    Q + "/results": 8,
    # The bank's categories and one question's versions.
    CID + "/question-categories": 5,
    "/courses/{code}/question-categories": 6,
    "/api/v1/questions/{question}/versions": 6,
    # The bank exported, as Moodle XML and as GIFT, on the page and over the API.
    "/courses/{code}/questions/export?format=xml": 9,
    "/courses/{code}/questions/export?format=gift": 9,
    CID + "/questions/export": 7,
    # A learner's attempt at a quiz of as many questions (the types from the prompts).
    "/api/v1/attempts/{attempt}": 10,
    # A finished attempt's review, over the API and on its page.
    "/api/v1/attempts/{finished}/review": 11,
    "/attempts/{finished}/review": 11,
}


@dataclass
class Growing:
    """A quiz whose questions grow (slots, attempts read), and a second quiz of the same course
    whose learners grow (overrides, results)."""

    db: Session
    world: QuizWorld
    taken: int
    question: int
    attempt: int = 0
    finished: int = 0
    reader: str = ""
    grown: int = 0

    def to(self, size: int) -> None:
        w, db = self.world, self.db
        assert w.quiz is not None
        for n in range(self.grown, size):
            question = add_question(db, w.course, w.category, name=f"More {n}")
            slots.add_slots(db, SYSTEM, w.quiz.id, SlotAdd(question_id=question.id))
            make_category(db, w.course.id, name=f"Week {n + 2}")
            bank.update_question(
                db, SYSTEM, self.question,
                QuestionUpdate(name=f"Capital {n}", text="Which city?", definition=CAPITAL),
            )  # fmt: skip
            learner = make_user(db, password=PASSWORD)
            enrol_as(db, w.course, learner, CourseRole.STUDENT)
            overrides.add_override(
                db, SYSTEM, self.taken, OverrideCreate(user_id=learner.id, max_attempts=3)
            )
            taken, _ = attempts.start(db, actor_of(learner), self.taken)
            answering.submit(db, actor_of(learner), taken.id)
        self.grown = size
        # A fresh attempt of the growing quiz: it has all its questions.
        reader = make_user(db, password=PASSWORD)
        enrol_as(db, w.course, reader, CourseRole.STUDENT)
        self.attempt = attempts.start(db, actor_of(reader), w.quiz.id)[0].id
        self.reader = reader.email
        # And a finished one, which its teacher reviews.
        done = make_user(db, password=PASSWORD)
        enrol_as(db, w.course, done, CourseRole.STUDENT)
        self.finished = attempts.start(db, actor_of(done), w.quiz.id)[0].id
        answering.submit(db, actor_of(done), self.finished)
        db.flush()


@pytest.fixture
def growing(db: Session, settings: Settings) -> Growing:
    world = quiz_world(db, settings, fixed=1)
    question = make_question(db, world.course.id).question.id
    return Growing(db, world, taken=_second_quiz(db, settings, world), question=question)


def _second_quiz(db: Session, settings: Settings, world: QuizWorld) -> int:
    module = quiz_module(db, settings, world.course, key="w1-second")
    access = quizzes.update_quiz(db, SYSTEM, module.id, QuizSettings(questions_per_page=1))
    slots.add_slots(db, SYSTEM, access.quiz.id, SlotAdd(question_id=world.questions[0].id))
    db.flush()
    return access.quiz.id


@pytest.mark.parametrize("path", sorted(BUDGETS))
def test_quiz_lists_do_not_grow_with_the_data(
    client: TestClient, growing: Growing, queries: QueryCounter, path: str
) -> None:
    w = growing.world
    assert w.quiz is not None
    sign_in(client, w.teacher.email)
    teacher = bearer(api_token(client, w.teacher.email))
    counts, rows = [], []
    for size in (2, 12):
        growing.to(size)
        quiz = growing.taken if "overrides" in path or "results" in path else w.quiz.id
        url = path.format(
            quiz=quiz, course_id=w.course.id, code=w.course.code,
            question=growing.question, attempt=growing.attempt, finished=growing.finished,
        )  # fmt: skip
        headers = bearer(api_token(client, growing.reader)) if "{attempt}" in path else teacher
        if not url.startswith("/api/"):
            headers = {}
        client.get(url, headers=headers)  # warm what is cached per process
        with queries:
            answer = client.get(url, headers=headers)
        assert answer.status_code == 200, answer.text
        counts.append(queries.count)
        json = answer.headers["content-type"].startswith("application/json")
        body = answer.json() if json else None
        listed = body["slots"] if isinstance(body, dict) else body
        rows.append(len(answer.content) if listed is None else len(listed))

    assert counts == [BUDGETS[path]] * 2, counts
    assert rows[0] < rows[1], rows  # the read list (or the page) did grow
