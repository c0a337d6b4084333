"""Completion recorded once when the same student's requests race (real commits, threads)."""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from app.accounts.models import Institution, User
from app.core.actors import SYSTEM
from app.core.config import Settings
from app.core.db import session_factory
from app.core.outbox import OutboxMessage
from app.courses.models import (
    CompletionEvent,
    Course,
    CourseCompletion,
    Module,
    ModuleCompletion,
)
from app.courses.service import courses, packages
from app.enrolment.service import enrol
from app.membership.models import CourseRole
from app.seed import load_institutions
from tests.accounts.factories import PASSWORD, api_token, bearer, make_user
from tests.courses.factories import COURSE_DIR, SEED


@pytest.fixture
def committed(engine: Engine, settings: Settings) -> Iterator[sessionmaker[Session]]:
    """The app on real, committing connections; the rows are removed afterwards."""
    maker = sessionmaker(bind=engine, expire_on_commit=False)
    session_factory.configure(maker)
    yield maker
    with maker.begin() as session:
        for model in (Course, User, Institution, OutboxMessage):
            session.execute(delete(model))
    session_factory.configure(None)


def test_concurrent_mark_done_records_one_completion(
    app, committed: sessionmaker[Session], settings: Settings
):
    with committed.begin() as session:
        load_institutions(session, SEED)
        course = packages.import_course(
            session, SYSTEM, settings, packages.DirectorySource(COURSE_DIR)
        )
        courses.publish_course(session, SYSTEM, course.id)
        student = make_user(session, email="racer@example.org", password=PASSWORD)
        enrol(session, SYSTEM, course.id, student.id, CourseRole.STUDENT)
        intro_id = session.scalar(
            select(Module.id).where(Module.key == "intro", Module.course_id == course.id)
        )
    client = TestClient(app, raise_server_exceptions=False)
    headers = bearer(api_token(client, "racer@example.org"))

    def mark() -> int:
        return client.post(f"/api/v1/modules/{intro_id}/completion", headers=headers).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(lambda _: mark(), range(12)))

    with committed() as session:
        completions = session.scalar(
            select(func.count())
            .select_from(ModuleCompletion)
            .where(ModuleCompletion.module_id == intro_id)
        )
        completed_events = session.scalar(
            select(func.count())
            .select_from(CompletionEvent)
            .where(CompletionEvent.module_id == intro_id, CompletionEvent.kind == "completed")
        )
        course_done = session.scalar(select(func.count()).select_from(CourseCompletion))
    assert statuses == [200] * 12
    assert completions == 1
    assert completed_events == 1
    assert course_done == 0
