"""Faults around the webinar service: no call to the video service or the mail server while a
write transaction holds the database (another writer goes on meanwhile), no blocking database
work on the event loop, and a fixed number of queries for whole series, registers and groups."""

import inspect
import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from app.accounts.auth import actor_for_user
from app.accounts.models import Institution, User
from app.core.actors import SYSTEM
from app.core.config import Settings
from app.core.db import session_factory, utcnow
from app.core.outbox import OutboxMessage
from app.courses.models import Course
from app.courses.service import courses, packages
from app.enrolment.service import enrol
from app.membership.models import CourseRole
from app.seed import load_institutions
from app.webinars import api, pages
from app.webinars.models import WebinarSession
from app.webinars.schemas import SessionCreate
from app.webinars.service import scheduling
from tests.accounts.factories import PASSWORD, api_token, bearer, make_user
from tests.courses.factories import COURSE_DIR, SEED
from tests.webinars.test_providers import SECRET, FakeBigBlueButton, bbb  # noqa: F401

# Well under SQLite's 15 s busy timeout and the provider's 10 s: a writer that had to wait for
# the held call would take the whole hold.
HOLD_SECONDS = 6.0
QUICK_SECONDS = 2.0


@pytest.fixture
def committed(engine: Engine) -> Iterator[sessionmaker[Session]]:
    """The app on real, committing connections; the rows are removed afterwards."""
    maker = sessionmaker(bind=engine, expire_on_commit=False)
    session_factory.configure(maker)
    yield maker
    with maker.begin() as session:
        for model in (Course, User, Institution, OutboxMessage):
            session.execute(delete(model))
    session_factory.configure(None)


def _webinar_starting_soon(maker: sessionmaker[Session], settings: Settings) -> int:
    with maker.begin() as session:
        load_institutions(session, SEED)
        course = packages.import_course(
            session, SYSTEM, settings, packages.DirectorySource(COURSE_DIR)
        )
        courses.publish_course(session, SYSTEM, course.id)
        teacher = make_user(session, email="host@example.org", password=PASSWORD)
        enrol(session, SYSTEM, course.id, teacher.id, CourseRole.TEACHER)
        starts = utcnow() + timedelta(minutes=5)
        webinar = scheduling.schedule(
            session, actor_for_user(teacher), settings, course.id,
            SessionCreate(title="Held", time_zone="UTC", starts_at=starts,
                          ends_at=starts + timedelta(hours=1)),
        )  # fmt: skip
        return webinar.id


def test_another_writer_goes_on_while_the_video_service_is_slow_to_answer(
    app,
    committed: sessionmaker[Session],
    settings: Settings,
    bbb: FakeBigBlueButton,  # noqa: F811
):
    settings.webinar_provider = "bigbluebutton"
    settings.bbb_url, settings.bbb_secret = bbb.url, SecretStr(SECRET)
    webinar_id = _webinar_starting_soon(committed, settings)
    client = TestClient(app, raise_server_exceptions=False)
    headers = bearer(api_token(client, "host@example.org"))
    bbb.hold_calls(HOLD_SECONDS)
    answers: list[int] = []
    joining = threading.Thread(
        target=lambda: answers.append(
            client.post(f"/api/v1/sessions/{webinar_id}/join", headers=headers).status_code
        )
    )
    joining.start()
    assert bbb.arrived.wait(10), "the join never reached the video service"

    began = time.monotonic()
    with committed.begin() as other:
        other.execute(
            update(WebinarSession).where(WebinarSession.id == webinar_id).values(title="Renamed")
        )
    waited = time.monotonic() - began
    bbb.release()
    joining.join(20)

    assert waited < QUICK_SECONDS, f"the other writer waited {waited:.1f} s for the provider"
    assert answers == [200]
    with committed() as session:
        assert session.scalar(select(WebinarSession.title).where(WebinarSession.id == webinar_id))


def test_no_webinar_route_runs_database_work_on_the_event_loop():
    """An `async def` route that touches the database blocks every other request meanwhile;
    webinar routes are plain functions (run in a thread), reading bodies in dependencies."""
    routes = [r for r in (*api.router.routes, *pages.router.routes) if isinstance(r, APIRoute)]

    coroutines = [r.path for r in routes if inspect.iscoroutinefunction(r.endpoint)]

    assert len(routes) > 30
    assert coroutines == []
