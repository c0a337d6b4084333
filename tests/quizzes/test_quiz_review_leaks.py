"""No API response or page carries a right answer, a mark or a feedback the review options do
not yet allow, for every question type registered: the attempt page and API, the submit and
review answers, the review page and the module page, while the options show nothing until the
quiz closes; once it closes the review shows them."""

import json
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.quizzes.models import QuestionType
from app.quizzes.questions.types import for_type
from app.quizzes.quiz_schemas import QuizSettings, SlotAdd
from app.quizzes.service import quizzes, slots
from tests.accounts.factories import api_token, bearer, sign_in
from tests.quizzes.quiz_factories import actor_of, add_question, quiz_module, quiz_world
from tests.quizzes.test_no_answer_leaks import STRATEGIES

NOON = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
CLOSES = NOON + timedelta(days=1)
GENERAL = "EXPLAINzqx"
ONLY_AFTER_CLOSE = {
    "during": [], "immediately": [], "open": [],
    "closed": ["response", "correctness", "marks", "specific_feedback", "general_feedback",
               "right_answer", "overall_feedback"],
}  # fmt: skip
_keys = count(1)


def _leaks(texts: list[str], secrets: list[str]) -> list[str]:
    return [secret for secret in secrets for text in texts if secret in text]


@pytest.mark.parametrize("qtype", list(QuestionType))
@pytest.mark.time_machine(NOON, tick=False)
def test_nothing_shows_before_the_review_options_allow(
    qtype: QuestionType, client: TestClient, db: Session, settings: Settings
) -> None:
    for_type(qtype)  # every type is registered and has a strategy: none is left out
    assert qtype.value in STRATEGIES
    world = quiz_world(db, settings, fixed=0)
    teacher = actor_of(world.teacher)
    sign_in(client, world.student.email)
    auth = bearer(api_token(client, world.student.email))

    @hsettings(
        max_examples=3, deadline=None, database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )  # fmt: skip
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        definition, secrets = data.draw(STRATEGIES[qtype.value])
        module = quiz_module(db, settings, world.course, key=f"leak{next(_keys)}")
        review = QuizSettings.model_validate(
            {"closes_at": CLOSES, "review": ONLY_AFTER_CLOSE, "feedback_bands": [
                {"min_percent": 0, "text": "OVERALLzqx"}]}
        )  # fmt: skip
        quiz = quizzes.update_quiz(db, teacher, module.id, review).quiz
        question = add_question(
            db, world.course, world.category, qtype=qtype,
            definition=for_type(qtype).validate(definition), name=f"N{next(_keys)}",
        )  # fmt: skip
        question_version = question.id
        slots.add_slots(db, teacher, quiz.id, SlotAdd(question_id=question_version, mark=1))
        db.flush()
        hidden = [*secrets, GENERAL, "OVERALLzqx", '"fraction"']
        shown: list[str] = []
        started = client.post(f"/api/v1/quizzes/{quiz.id}/attempts", headers=auth)
        assert started.status_code == 201, started.text
        attempt_id = started.json()["id"]
        shown.append(started.text)
        shown.append(client.get(f"/api/v1/attempts/{attempt_id}", headers=auth).text)
        shown.append(client.get(f"/attempts/{attempt_id}?page=1").text)
        shown.append(client.post(f"/api/v1/attempts/{attempt_id}/submit", headers=auth).text)
        shown.append(client.get(f"/api/v1/attempts/{attempt_id}/review", headers=auth).text)
        shown.append(client.get(f"/attempts/{attempt_id}/review").text)
        shown.append(client.get(f"/courses/{world.course.code}/modules/{module.id}").text)
        payload: dict[str, Any] = json.loads(shown[4])
        assert payload["grade"] is None
        assert all(
            slot["mark"] is None and slot["right_answer"] is None for slot in payload["slots"]
        )
        assert _leaks(shown, hidden) == []

    check()


@pytest.mark.time_machine(NOON, tick=False)
def test_after_close_the_review_shows_what_it_allows(
    client: TestClient,
    db: Session,
    settings: Settings,
    time_machine,
) -> None:
    world = quiz_world(db, settings, fixed=0)
    module = quiz_module(db, settings, world.course, key="closing")
    teacher = actor_of(world.teacher)
    data = QuizSettings.model_validate({"closes_at": CLOSES, "review": ONLY_AFTER_CLOSE})
    quiz = quizzes.update_quiz(db, teacher, module.id, data).quiz
    question = add_question(db, world.course, world.category, name="Sky")
    slots.add_slots(db, teacher, quiz.id, SlotAdd(question_id=question.id))
    db.flush()
    auth = bearer(api_token(client, world.student.email))
    attempt_id = client.post(f"/api/v1/quizzes/{quiz.id}/attempts", headers=auth).json()["id"]
    answer = {"page": 1, "answers": [{"slot": 1, "fields": {"answer": "false"}}]}
    assert (
        client.put(f"/api/v1/attempts/{attempt_id}/answers", json=answer, headers=auth).status_code
        == 200
    )
    client.post(f"/api/v1/attempts/{attempt_id}/submit", headers=auth)
    time_machine.move_to(CLOSES + timedelta(minutes=1), tick=False)
    auth = bearer(api_token(client, world.student.email))  # the first token has expired
    review = client.get(f"/api/v1/attempts/{attempt_id}/review", headers=auth).json()
    assert review["grade"] == "0.00"
    assert review["slots"][0]["right_answer"] == "True"
    assert "FBF-Sky" in review["slots"][0]["feedback_html"]
    assert "EXPLAIN-Sky" in review["slots"][0]["general_feedback_html"]
