"""Races of an exam (threads, real commits; bench/exam.py found them): learners finishing at
the same moment both create the quiz's gradebook item, and one learner's two starts at once
(a double click on Start) both create attempt 1. In each, the request whose insert the
database refuses takes what the other created instead of failing."""

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from itertools import count
from threading import Barrier, BrokenBarrierError
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from app.accounts.models import Institution, User
from app.core.config import Settings
from app.core.db import session_factory
from app.core.outbox import OutboxMessage
from app.courses.models import Course
from app.grades.models import Grade, GradeItem, ItemSource
from app.quizzes.attempt_models import Attempt, AttemptState
from app.quizzes.service import attempts, results
from tests.accounts.factories import api_token, bearer
from tests.quizzes.quiz_factories import actor_of, quiz_world


@pytest.fixture
def committed(engine: Engine, settings: Settings) -> Iterator[sessionmaker[Session]]:
    """The app on real, committing connections; the rows are removed afterwards."""
    maker = sessionmaker(bind=engine, expire_on_commit=False)
    session_factory.configure(maker)
    yield maker
    with maker.begin() as session:
        for model in (Attempt, Course, User, Institution, OutboxMessage):
            session.execute(delete(model))
    session_factory.configure(None)


def _meet(
    monkeypatch: pytest.MonkeyPatch, target: Any, name: str, parties: int, *, after: bool
) -> None:
    """Hold the first `parties` calls of `target.name` (before or after it runs) until all have
    come, so each request has looked before either writes. On SQLite the second writer waits
    for the first's write lock before reading, so the meeting times out and each goes on
    alone."""
    original: Callable[..., Any] = getattr(target, name)
    barrier = Barrier(parties)
    calls = count()

    def meet(*args: Any, **kwargs: Any) -> Any:
        held = next(calls) < parties
        if held and not after:
            with suppress(BrokenBarrierError):
                barrier.wait(timeout=3)
        result = original(*args, **kwargs)
        if held and after:
            with suppress(BrokenBarrierError):
                barrier.wait(timeout=3)
        return result

    monkeypatch.setattr(target, name, meet)


def test_two_first_submits_at_once_both_finish_with_one_grade_item(
    app, committed: sessionmaker[Session], settings: Settings, monkeypatch: pytest.MonkeyPatch
):
    with committed.begin() as session:
        world = quiz_world(session, settings, fixed=2)
        assert world.quiz is not None
        quiz_id = world.quiz.id
        learners = [world.student, world.other_student]
        started = [attempts.start(session, actor_of(user), quiz_id)[0].id for user in learners]
        emails = [user.email for user in learners]
    client = TestClient(app, raise_server_exceptions=False)
    tokens = [bearer(api_token(client, email)) for email in emails]
    _meet(monkeypatch, results, "ensure_item", 2, after=False)

    def submit(n: int) -> int:
        answer = client.post(f"/api/v1/attempts/{started[n]}/submit", headers=tokens[n])
        return answer.status_code

    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = list(pool.map(submit, range(2)))

    with committed() as session:
        items = session.scalars(
            select(GradeItem.id).where(
                GradeItem.source == ItemSource.QUIZ, GradeItem.source_id == quiz_id
            )
        ).all()
        grades = session.scalar(
            select(func.count()).select_from(Grade).where(Grade.item_id.in_(items))
        )
        finished = session.scalar(
            select(func.count())
            .select_from(Attempt)
            .where(Attempt.quiz_id == quiz_id, Attempt.state == AttemptState.FINISHED)
        )
    assert statuses == [200, 200]
    assert len(items) == 1
    assert grades == 2
    assert finished == 2


def test_two_starts_of_one_learner_at_once_give_one_attempt(
    app, committed: sessionmaker[Session], settings: Settings, monkeypatch: pytest.MonkeyPatch
):
    with committed.begin() as session:
        world = quiz_world(session, settings, fixed=2)
        assert world.quiz is not None
        quiz_id, email = world.quiz.id, world.student.email
    client = TestClient(app, raise_server_exceptions=False)
    headers = bearer(api_token(client, email))
    _meet(monkeypatch, attempts, "_attempts_of", 2, after=True)

    def start(_: int) -> tuple[int, int]:
        answer = client.post(f"/api/v1/quizzes/{quiz_id}/attempts", headers=headers)
        return answer.status_code, answer.json().get("id", 0)

    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(start, range(2)))

    with committed() as session:
        made = session.scalars(select(Attempt.id).where(Attempt.quiz_id == quiz_id)).all()
    assert sorted(status for status, _ in answers) == [200, 201]
    assert len(made) == 1
    assert {attempt for _, attempt in answers} == set(made)
