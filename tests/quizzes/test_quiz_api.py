"""The quiz API on the wire: refusals at start with their codes and nothing written, the
deadline (an answer at deadline − 1 s kept, at deadline + 1 s refused), sequential
navigation, and query budgets for the attempt page and the results list."""

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.membership.models import CourseRole
from app.quizzes.attempt_models import Attempt
from app.quizzes.quiz_schemas import SlotAdd
from app.quizzes.service import answering, attempts, slots
from tests.accounts.factories import PASSWORD, api_token, bearer, make_user, sign_in
from tests.conftest import QueryCounter
from tests.courses.factories import enrol_as
from tests.quizzes.quiz_factories import actor_of, add_question, quiz_world

NOON = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _answer(
    slot: int, value: str, page: int | None = None, next_page: int | None = None
) -> dict[str, object]:
    body: dict[str, object] = {
        "page": page or slot,
        "answers": [{"slot": slot, "fields": {"answer": value}}],
    }
    if next_page:
        body["next_page"] = next_page
    return body


@pytest.mark.time_machine(NOON, tick=False)
def test_timed_attempt_keeps_the_answer_before_the_deadline_and_refuses_the_one_after(
    client: TestClient,
    db: Session,
    settings: Settings,
    time_machine,
) -> None:
    world = quiz_world(db, settings, fixed=2, time_limit_minutes=10)
    assert world.quiz is not None
    auth = bearer(api_token(client, world.student.email))
    started = client.post(f"/api/v1/quizzes/{world.quiz.id}/attempts", headers=auth)
    assert started.status_code == 201
    attempt_id = started.json()["id"]
    deadline = NOON + timedelta(minutes=10)
    assert started.json()["deadline_at"].startswith("2026-12-01T12:10:00")
    time_machine.move_to(deadline - timedelta(seconds=1), tick=False)
    kept = client.put(
        f"/api/v1/attempts/{attempt_id}/answers", json=_answer(1, "true"), headers=auth
    )
    assert kept.status_code == 200
    time_machine.move_to(deadline + timedelta(seconds=1), tick=False)
    late = client.put(
        f"/api/v1/attempts/{attempt_id}/answers", json=_answer(2, "true"), headers=auth
    )
    assert late.status_code == 409
    assert late.json()["code"] == "attempt_time_up"
    review = client.get(f"/api/v1/attempts/{attempt_id}/review", headers=auth).json()
    assert review["state"] == "finished"
    assert review["slots"][0]["response"] == {"answer": True}
    assert review["slots"][1]["response"] == {}


@pytest.mark.time_machine(NOON, tick=False)
def test_start_refusals_have_codes_and_write_nothing(
    client: TestClient, db: Session, settings: Settings
) -> None:
    world = quiz_world(db, settings, fixed=1, opens_at=NOON + timedelta(days=1))
    assert world.quiz is not None
    auth = bearer(api_token(client, world.student.email))
    refused = client.post(f"/api/v1/quizzes/{world.quiz.id}/attempts", headers=auth)
    assert refused.status_code == 409
    assert refused.json()["code"] == "quiz_not_open"
    assert db.scalar(select(func.count(Attempt.id))) == 0


@pytest.mark.time_machine(NOON, tick=False)
def test_resume_gives_back_the_same_attempt_with_its_answers(
    client: TestClient, db: Session, settings: Settings
) -> None:
    world = quiz_world(db, settings, fixed=2)
    assert world.quiz is not None
    auth = bearer(api_token(client, world.student.email))
    first = client.post(f"/api/v1/quizzes/{world.quiz.id}/attempts", headers=auth).json()
    client.put(f"/api/v1/attempts/{first['id']}/answers", json=_answer(1, "false"), headers=auth)
    again = client.post(f"/api/v1/quizzes/{world.quiz.id}/attempts", headers=auth)
    assert again.status_code == 200
    assert again.json()["id"] == first["id"]
    assert again.json()["slots"][0]["response"] == {"answer": False}


@pytest.mark.time_machine(NOON, tick=False)
def test_sequential_navigation_refuses_an_earlier_page_over_the_api(
    client: TestClient, db: Session, settings: Settings
) -> None:
    world = quiz_world(db, settings, fixed=2, navigation="sequential")
    assert world.quiz is not None
    auth = bearer(api_token(client, world.student.email))
    attempt_id = client.post(f"/api/v1/quizzes/{world.quiz.id}/attempts", headers=auth).json()["id"]
    moved = client.put(
        f"/api/v1/attempts/{attempt_id}/answers", json=_answer(1, "true", next_page=2), headers=auth
    )
    assert moved.status_code == 200
    back = client.put(
        f"/api/v1/attempts/{attempt_id}/answers", json=_answer(1, "false"), headers=auth
    )
    assert back.status_code == 409
    assert back.json()["code"] == "sequential_navigation"


@pytest.mark.time_machine(NOON, tick=False)
def test_attempt_page_and_results_keep_their_query_budgets(
    client: TestClient, db: Session, settings: Settings, queries: QueryCounter
) -> None:
    world = quiz_world(db, settings, fixed=2, questions_per_page=0)
    assert world.quiz is not None
    teacher = actor_of(world.teacher)
    me = actor_of(world.student)
    attempt, _ = attempts.start(db, me, world.quiz.id)
    answering.submit(db, me, attempt.id)

    def measure() -> tuple[int, int]:
        sign_in(client, world.student.email)
        current, _ = attempts.start(db, me, world.quiz.id)
        db.flush()
        with queries:
            assert client.get(f"/attempts/{current.id}?page=1").status_code == 200
        page = queries.count
        answering.submit(db, me, current.id)
        sign_in(client, world.teacher.email)
        with queries:
            assert client.get(f"/quizzes/{world.quiz.id}/results").status_code == 200
        return page, queries.count

    measure()  # the first visit fills the course's cached shape: measure the steady state
    small = measure()
    for n in range(6):
        question = add_question(db, world.course, world.category, name=f"More{n}")
        slots.add_slots(db, teacher, world.quiz.id, SlotAdd(question_id=question.id))
    for _ in range(5):
        learner = make_user(db, password=PASSWORD)
        enrol_as(db, world.course, learner, CourseRole.STUDENT)
        taken, _ = attempts.start(db, actor_of(learner), world.quiz.id)
        answering.submit(db, actor_of(learner), taken.id)
    large = measure()
    assert small == large
