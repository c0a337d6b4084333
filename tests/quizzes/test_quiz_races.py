"""Learners finishing a quiz at the same moment (threads, real commits), as at the end of an
exam: the quiz's first two submits both create its gradebook item; the one whose insert the
database refuses takes the other's item, so neither submit fails (bench/exam.py found it)."""

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
        for model in (Attempt, Course, User, Institution):
            session.execute(delete(model))
    session_factory.configure(None)


def _meet_before(monkeypatch: pytest.MonkeyPatch, target: Any, name: str, parties: int) -> None:
    """Hold the first `parties` calls of `target.name` until all have come, so each request
    has looked for the item before either creates it. On SQLite the second writer waits for
    the first's write lock before reading, so the meeting times out and each goes on alone."""
    original: Callable[..., Any] = getattr(target, name)
    barrier = Barrier(parties)
    calls = count()

    def meet(*args: Any, **kwargs: Any) -> Any:
        if next(calls) < parties:
            with suppress(BrokenBarrierError):
                barrier.wait(timeout=3)
        return original(*args, **kwargs)

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
    _meet_before(monkeypatch, results, "ensure_item", 2)

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
