"""A double submission (threads, real commits): one person's two submissions at once, each
having read the invitation unanswered, store one response; the other is 409
`already_responded`."""

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
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
from app.core.security import hash_password
from app.courses.models import Course
from app.surveys.models import Survey, SurveyResponse
from app.surveys.service import responding
from tests.accounts.factories import PASSWORD, api_token, bearer
from tests.surveys.factories import built_survey, world


@pytest.fixture
def committed(engine: Engine) -> Iterator[sessionmaker[Session]]:
    """The app on real, committing connections; the rows are removed afterwards."""
    maker = sessionmaker(bind=engine, expire_on_commit=False)
    session_factory.configure(maker)
    yield maker
    with maker.begin() as session:
        for model in (Survey, OutboxMessage, Course, User, Institution):
            session.execute(delete(model))
    session_factory.configure(None)


def _meet_after(monkeypatch: pytest.MonkeyPatch, name: str, parties: int) -> None:
    """Hold both requests once they have read the invitation, so each has seen it unanswered
    before either writes (on SQLite the second waits for the first's write lock instead)."""
    original: Callable[..., Any] = getattr(responding, name)
    barrier = Barrier(parties)

    def meet(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        with suppress(BrokenBarrierError):
            barrier.wait(timeout=3)
        return result

    monkeypatch.setattr(responding, name, meet)


def test_two_submissions_at_once_store_one_response(
    app: Any, committed: sessionmaker[Session], settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    with committed.begin() as session:
        w = world(session, settings, students=1)
        built = built_survey(w)
        survey_id, choice = built.survey.id, built.choice
        student = w.students[0]
        student.password_hash = hash_password(PASSWORD)
    client = TestClient(app, raise_server_exceptions=False)
    headers = bearer(api_token(client, student.email))
    _meet_after(monkeypatch, "survey_to_answer", 2)

    def submit(_: int) -> int:
        path = f"/api/v1/surveys/{survey_id}/responses"
        return client.post(path, headers=headers, json={"answers": {str(choice): 0}}).status_code

    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = sorted(pool.map(submit, range(2)))

    with committed() as session:
        stored = session.scalar(select(func.count()).where(SurveyResponse.survey_id == survey_id))
    assert statuses == [201, 409]
    assert stored == 1
