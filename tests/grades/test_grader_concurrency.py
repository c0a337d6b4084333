"""Two teachers override the same grade from the same version at the same moment, on real
committing connections: one succeeds, every other gets 409, and the first change is kept."""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from app.accounts.auth import user_scopes_allowed
from app.accounts.models import Institution, User
from app.core.actors import SYSTEM
from app.core.config import Settings
from app.core.db import session_factory
from app.core.outbox import OutboxMessage
from app.core.security import encode_access_token
from app.courses.models import Course
from app.courses.service import courses, packages
from app.enrolment.service import enrol
from app.grades.models import Grade, GradeChange, ItemSource
from app.grades.service.record import ensure_item, record_grade
from app.membership.models import CourseRole
from app.seed import load_institutions
from tests.accounts.factories import bearer, make_user
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


def test_concurrent_overrides_from_one_version_give_one_200_and_409s(
    app, committed: sessionmaker[Session], settings: Settings
):
    with committed.begin() as session:
        load_institutions(session, SEED)
        course = packages.import_course(
            session, SYSTEM, settings, packages.DirectorySource(COURSE_DIR)
        )
        courses.publish_course(session, SYSTEM, course.id)
        teachers = [make_user(session, email=f"racer{n}@example.org") for n in range(4)]
        learner = make_user(session, email="learner@example.org")
        for teacher in teachers:
            enrol(session, SYSTEM, course.id, teacher.id, CourseRole.TEACHER)
        enrol(session, SYSTEM, course.id, learner.id, CourseRole.STUDENT)
        item = ensure_item(
            session, course_id=course.id, source=ItemSource.QUIZ, source_id=91001,
            title="Quiz", max_points=Decimal(10),
        )  # fmt: skip
        grade = record_grade(session, item, learner.id, Decimal(5), by_user_id=None, release=True)
        grade_id, version = grade.id, grade.version
        headers = [
            bearer(encode_access_token(settings, f"user:{t.id}", sorted(user_scopes_allowed(t)))[0])
            for t in teachers
        ]
    client = TestClient(app, raise_server_exceptions=False)

    def override(n: int) -> int:
        body = {"version": version, "points": str(6 + n), "reason": f"Teacher {n}"}
        return client.put(f"/api/v1/grades/{grade_id}", json=body, headers=headers[n]).status_code

    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(override, range(4)))

    with committed() as session:
        stored = session.get_one(Grade, grade_id)
        overrides = session.scalars(
            select(GradeChange.reason).where(
                GradeChange.grade_id == grade_id, GradeChange.reason != ""
            )
        ).all()
        changes = session.scalar(
            select(func.count()).select_from(GradeChange).where(GradeChange.grade_id == grade_id)
        )
    assert sorted(statuses) == [200, 409, 409, 409]
    winner = statuses.index(200)
    assert stored.override_points == Decimal(6 + winner)
    assert stored.override_reason == f"Teacher {winner}"
    assert stored.version == version + 1
    assert overrides == [f"Teacher {winner}"]
    assert changes == 2
