"""Opening a module completed by viewing records the view even when other requests wrote
since the GET began (SQLite's read transaction could not become a writer), and a database
failure is answered (503), never hidden behind a 200: only SQLite's busy lock is skipped."""

import logging
import sqlite3
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from app.accounts.models import Institution, User
from app.core.actors import SYSTEM
from app.core.config import Settings
from app.core.db import session_factory
from app.core.outbox import OutboxMessage
from app.courses.models import ContentFile, Course, Module, ModuleCompletion
from app.courses.service import completion, content, courses, packages
from app.enrolment.service import enrol
from app.membership.models import CourseRole
from app.seed import load_institutions
from tests.accounts.factories import PASSWORD, api_token, bearer, make_user
from tests.courses.factories import COURSE_DIR, SEED


@pytest.fixture
def committed(engine: Engine) -> Iterator[sessionmaker[Session]]:
    """The app on real, committing connections; the rows are removed afterwards."""
    maker = sessionmaker(bind=engine, expire_on_commit=False)
    session_factory.configure(maker)
    yield maker
    with maker.begin() as session:
        for model in (Course, ContentFile, User, Institution, OutboxMessage):
            session.execute(delete(model))
    session_factory.configure(None)


@pytest.fixture
def reader(app, committed: sessionmaker[Session], settings: Settings):
    """A student of a published course, the id of a module completed by viewing, and the
    committing sessions (after `app`, whose harness would bind the app to the test's
    rolled-back connection)."""
    with committed.begin() as session:
        load_institutions(session, SEED)
        course = packages.import_course(
            session, SYSTEM, settings, packages.DirectorySource(COURSE_DIR)
        )
        courses.publish_course(session, SYSTEM, course.id)
        student = make_user(session, email="reader@example.org", password=PASSWORD)
        enrol(session, SYSTEM, course.id, student.id, CourseRole.STUDENT)
        module_id = session.scalar(
            select(Module.id).where(Module.key == "intro", Module.course_id == course.id)
        )
    client = TestClient(app, raise_server_exceptions=False)
    return client, bearer(api_token(client, "reader@example.org")), module_id, committed


def _completions(committed: sessionmaker[Session], module_id: int) -> int:
    with committed() as session:
        return session.scalar(
            select(func.count())
            .select_from(ModuleCompletion)
            .where(ModuleCompletion.module_id == module_id)
        )


def test_a_view_is_recorded_although_another_request_wrote_since_the_read_began(
    reader, monkeypatch: pytest.MonkeyPatch
):
    client, headers, module_id, committed = reader
    read_module = content.read_module

    def read_then_someone_else_writes(*args, **kwargs):
        access = read_module(*args, **kwargs)  # the GET's read transaction has begun
        with committed.begin() as other:
            other.execute(update(User).values(display_name="Renamed meanwhile"))
        return access

    monkeypatch.setattr(content, "read_module", read_then_someone_else_writes)

    response = client.get(f"/api/v1/modules/{module_id}", headers=headers)

    assert response.status_code == 200
    assert _completions(committed, module_id) == 1


def test_a_database_failure_while_recording_a_view_answers_503(
    reader, monkeypatch: pytest.MonkeyPatch
):
    client, headers, module_id, committed = reader

    def connection_lost(*_args, **_kwargs):
        raise OperationalError("INSERT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(completion, "_record", connection_lost)

    response = client.get(f"/api/v1/modules/{module_id}", headers=headers)

    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    assert _completions(committed, module_id) == 0


def test_only_a_busy_sqlite_database_skips_the_view_with_a_log_line(
    reader, engine: Engine, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite only: PostgreSQL has no read transaction to upgrade")
    client, headers, module_id, _ = reader

    def locked(*_args, **_kwargs):
        raise OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))

    monkeypatch.setattr(completion, "_record", locked)

    with caplog.at_level(logging.WARNING, logger="agora.completion"):
        response = client.get(f"/api/v1/modules/{module_id}", headers=headers)

    assert response.status_code == 200
    assert "not recorded: database busy" in caplog.text
