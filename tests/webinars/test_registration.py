"""Registration with a capacity and a waiting list that promotes automatically, also when
many students register at the same moment (real commits, threads, SQLite or PostgreSQL)."""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session, sessionmaker

from app.accounts.auth import actor_for_user
from app.accounts.models import Institution, User
from app.core.actors import SYSTEM
from app.core.config import Settings
from app.core.db import session_factory, utcnow
from app.core.errors import NotFound
from app.core.outbox import OutboxMessage
from app.courses.models import Course
from app.courses.service import courses, packages
from app.enrolment.cohorts import create_group, set_group_member
from app.enrolment.service import enrol
from app.membership.models import CourseRole
from app.seed import load_institutions
from app.webinars.models import Registration, RegistrationStatus
from app.webinars.schemas import BulkRegistration, SessionCreate, SessionUpdate
from app.webinars.service import (
    access,
    registration,
    scheduling,
)
from tests.accounts.factories import PASSWORD, api_token, bearer, make_user
from tests.conftest import QueryCounter
from tests.courses.factories import COURSE_DIR, SEED
from tests.webinars.conftest import Classroom


def _status(db: Session, session_id: int, user: User) -> RegistrationStatus:
    found = db.scalar(
        select(Registration.status).where(
            Registration.session_id == session_id, Registration.user_id == user.id
        )
    )
    assert found is not None
    return RegistrationStatus(found)


def test_when_full_the_next_student_waits_and_is_promoted_when_a_place_frees(
    classroom: Classroom,
):
    webinar = classroom.schedule(capacity=2)
    first, second, third, _ = classroom.students
    for student in (first, second, third):
        registration.register(classroom.db, classroom.actor(student), webinar.id)

    assert _status(classroom.db, webinar.id, third) is RegistrationStatus.WAITLISTED
    registration.cancel_registration(classroom.db, classroom.actor(first), webinar.id)

    assert _status(classroom.db, webinar.id, third) is RegistrationStatus.REGISTERED
    assert _status(classroom.db, webinar.id, first) is RegistrationStatus.CANCELLED
    view = access.get_webinar(classroom.db, classroom.teacher_actor, webinar.id)
    assert (view.registered, view.waitlisted) == (2, 0)


def test_raising_the_capacity_promotes_those_waiting(classroom: Classroom):

    webinar = classroom.schedule(capacity=1)
    for student in classroom.students[:3]:
        registration.register(classroom.db, classroom.actor(student), webinar.id)

    scheduling.update_webinar(
        classroom.db, classroom.teacher_actor, webinar.id, SessionUpdate(capacity=3)
    )

    statuses = [_status(classroom.db, webinar.id, s) for s in classroom.students[:3]]
    assert statuses == [RegistrationStatus.REGISTERED] * 3


def test_registering_twice_is_a_conflict_and_a_cancelled_session_takes_nobody(
    classroom: Classroom,
):
    webinar = classroom.schedule()
    student = classroom.students[0]
    registration.register(classroom.db, classroom.actor(student), webinar.id)

    with pytest.raises(registration.AlreadyRegistered):
        registration.register(classroom.db, classroom.actor(student), webinar.id)
    scheduling.cancel_webinar(classroom.db, classroom.teacher_actor, webinar.id)
    with pytest.raises(access.WebinarCancelled):
        registration.register(classroom.db, classroom.actor(classroom.students[1]), webinar.id)


def test_a_teacher_registers_a_whole_group_and_only_its_students_count(classroom: Classroom):
    webinar = classroom.schedule(capacity=2)
    group = create_group(classroom.db, SYSTEM, classroom.course.id, "Team Vientiane")
    outsider = make_user(classroom.db)
    for person in (*classroom.students[:3], classroom.teacher):
        set_group_member(classroom.db, SYSTEM, group.id, person.id, member=True)

    result = registration.register_many(
        classroom.db, classroom.teacher_actor, webinar.id, BulkRegistration(group_id=group.id)
    )

    assert (result.registered, result.waitlisted, result.skipped_not_students) == (2, 1, 1)
    assert outsider.id not in {
        line.registration.user_id
        for line in registration.registrations(classroom.db, classroom.teacher_actor, webinar.id)
    }


def test_students_of_another_course_cannot_register(classroom: Classroom):
    webinar = classroom.schedule()
    stranger = make_user(classroom.db)

    with pytest.raises(NotFound):
        registration.register(classroom.db, classroom.actor(stranger), webinar.id)


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


def test_concurrent_registrations_never_overbook(
    app, committed: sessionmaker[Session], settings: Settings
):
    capacity, people = 3, 8
    with committed.begin() as session:
        load_institutions(session, SEED)
        course = packages.import_course(
            session, SYSTEM, settings, packages.DirectorySource(COURSE_DIR)
        )
        courses.publish_course(session, SYSTEM, course.id)
        emails = [f"racer{n}@example.org" for n in range(people)]
        for email in emails:
            student = make_user(session, email=email, password=PASSWORD)
            enrol(session, SYSTEM, course.id, student.id, CourseRole.STUDENT)
        teacher = make_user(session, email="host@example.org")
        enrol(session, SYSTEM, course.id, teacher.id, CourseRole.TEACHER)
        starts = utcnow() + timedelta(days=3)
        webinar = scheduling.schedule(
            session, actor_for_user(teacher), settings, course.id,
            SessionCreate(title="Race", time_zone="UTC", starts_at=starts,
                          ends_at=starts + timedelta(hours=1), capacity=capacity),
        )  # fmt: skip
        session_id = webinar.id
    client = TestClient(app, raise_server_exceptions=False)
    tokens = [bearer(api_token(client, email)) for email in emails]

    def register(headers: dict[str, str]) -> int:
        url = f"/api/v1/sessions/{session_id}/registrations"
        return client.post(url, headers=headers).status_code

    with ThreadPoolExecutor(max_workers=people) as pool:
        codes = list(pool.map(register, tokens))

    with committed() as session:
        statuses = list(
            session.scalars(
                select(Registration.status).where(Registration.session_id == session_id)
            )
        )
    assert codes == [201] * people
    assert statuses.count(RegistrationStatus.REGISTERED) == capacity
    assert statuses.count(RegistrationStatus.WAITLISTED) == people - capacity


def test_raising_the_capacity_promotes_the_waiting_list_under_the_row_lock(
    classroom: Classroom, queries: QueryCounter
):
    webinar = classroom.schedule(capacity=1)
    first, waiting = classroom.students[:2]
    registration.register(classroom.db, classroom.actor(first), webinar.id)
    registration.register(classroom.db, classroom.actor(waiting), webinar.id)

    with queries:
        scheduling.update_webinar(
            classroom.db, classroom.teacher_actor, webinar.id, SessionUpdate(capacity=2)
        )

    promoted = classroom.db.scalar(
        select(Registration.status).where(Registration.user_id == waiting.id)
    )
    assert promoted is RegistrationStatus.REGISTERED
    if classroom.db.bind.dialect.name == "postgresql":  # SQLite serialises writers anyway
        locked = [s for s in queries.statements if "FROM webinar_sessions" in s]
        assert "FOR UPDATE" in locked[0], locked[0]
