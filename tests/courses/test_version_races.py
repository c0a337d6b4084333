"""Two teachers change one course at the same moment (threads, real commits): the course's
version is raised once per committed change, so the second writer is refused instead of
overwriting the first, and no two structures of the course share a version."""

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from threading import Barrier, BrokenBarrierError
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from app.accounts.models import Institution, User
from app.core.actors import SYSTEM
from app.core.config import Settings
from app.core.db import session_factory
from app.core.outbox import OutboxMessage
from app.courses.models import Course, Module, Section
from app.courses.schemas import ModuleCreate
from app.courses.service import completion, content, courses, packages
from app.enrolment.service import enrol
from app.membership.models import CourseRole
from app.seed import load_institutions
from tests.accounts.factories import PASSWORD, api_token, bearer, make_user, page_csrf, sign_in
from tests.courses.factories import COURSE_DIR, SEED, import_hs101


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


@pytest.fixture
def course_id(committed: sessionmaker[Session], settings: Settings) -> int:
    with committed.begin() as session:
        load_institutions(session, SEED)
        course = packages.import_course(
            session, SYSTEM, settings, packages.DirectorySource(COURSE_DIR)
        )
        teacher = make_user(session, email="racer@example.org", password=PASSWORD)
        enrol(session, SYSTEM, course.id, teacher.id, CourseRole.TEACHER)
        return course.id


def _meet_after(monkeypatch: pytest.MonkeyPatch, target: Any, name: str, parties: int) -> None:
    """Hold each request after `target.name` until all have passed it, so both writers read
    the course before either commits. On SQLite the second writer waits for the first's
    write lock before reading, so the meeting times out and each goes on alone."""
    original: Callable[..., Any] = getattr(target, name)
    barrier = Barrier(parties)

    def meet(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        with suppress(BrokenBarrierError):
            barrier.wait(timeout=3)
        return result

    monkeypatch.setattr(target, name, meet)


def test_two_patches_with_the_same_if_match_one_wins_the_other_gets_412(
    app, committed: sessionmaker[Session], course_id: int, monkeypatch: pytest.MonkeyPatch
):
    client = TestClient(app, raise_server_exceptions=False)
    headers = bearer(api_token(client, "racer@example.org"))
    read = client.get(f"/api/v1/courses/{course_id}", headers=headers)
    etag, version = read.headers["etag"], read.json()["version"]
    _meet_after(monkeypatch, courses, "check_version", 2)

    def patch(title: str) -> tuple[str, int]:
        answer = client.patch(
            f"/api/v1/courses/{course_id}",
            json={"title": title},
            headers={**headers, "If-Match": etag},
        )
        return title, answer.status_code

    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = dict(pool.map(patch, ["Financing (Amina)", "Financing (Bakhyt)"]))

    with committed() as session:
        stored = session.get_one(Course, course_id)
    winners = [title for title, status in answers.items() if status == 200]
    assert sorted(answers.values()) == [200, 412]
    assert stored.title == winners[0]
    assert stored.version == version + 1


def test_concurrent_new_modules_never_share_a_version_and_the_outline_shows_what_is_stored(
    app, committed: sessionmaker[Session], course_id: int, monkeypatch: pytest.MonkeyPatch
):
    """On PostgreSQL both writers read the course before either commits: the second gets 409
    (both changes under one version would leave one cached outline wrong). SQLite lets the
    second begin only after the first committed, so it reads the new version and succeeds."""
    client = TestClient(app, raise_server_exceptions=False)
    headers = bearer(api_token(client, "racer@example.org"))
    with committed() as session:
        section_id = session.scalar(select(Section.id).where(Section.course_id == course_id))
        version = session.get_one(Course, course_id).version
        dialect = session.get_bind().dialect.name
    _meet_after(monkeypatch, content, "editable_section", 2)

    def add(key: str) -> tuple[str, int]:
        answer = client.post(
            f"/api/v1/sections/{section_id}/modules",
            json={"key": key, "kind": "page", "title": f"Module {key}"},
            headers=headers,
        )
        return key, answer.status_code

    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = dict(pool.map(add, ["amina", "bakhyt"]))
    outline = client.get(f"/api/v1/courses/{course_id}/outline", headers=headers).text

    with committed() as session:
        keys = set(session.scalars(select(Module.key).where(Module.course_id == course_id)))
        stored_version = session.get_one(Course, course_id).version
    accepted = {key for key, status in answers.items() if status == 201}
    expected = [201, 409] if dialect == "postgresql" else [201, 201]
    assert sorted(answers.values()) == expected
    assert keys >= accepted
    assert not (set(answers) - accepted) & keys
    assert stored_version == version + len(accepted)
    assert all((f"Module {key}" in outline) == (key in accepted) for key in answers)


def test_a_structure_read_before_a_rollback_is_never_served_for_a_later_version(
    db: Session, settings: Settings
):
    """A structure read after the transaction's own writes may yet be undone: it is not kept
    under the version those writes raised, which a later change reaches again."""
    course = import_hs101(db, settings)
    section_id = db.scalar(select(Section.id).where(Section.course_id == course.id))
    assert section_id is not None

    def add(key: str) -> None:
        data = ModuleCreate.model_validate({"key": key, "kind": "page", "title": key})
        content.add_module(db, SYSTEM, settings, section_id, data)

    undone = db.begin_nested()
    add("ghost")
    completion.course_shape(db, course)
    undone.rollback()
    add("real")
    db.commit()  # the test's own savepoint: the state is now as if committed
    shape = completion.course_shape(db, course)

    keys = {module.key for section in shape.sections for module in section.modules}
    assert "real" in keys
    assert "ghost" not in keys


def test_a_course_form_saved_after_someone_elses_change_is_refused_and_says_why(
    client: TestClient, db: Session, settings: Settings, monkeypatch: pytest.MonkeyPatch
):
    """The other writer is simulated on the test's own connection, so the request's rollback
    undoes it too; the races above show the first writer's change kept."""
    course = import_hs101(db, settings)
    teacher = make_user(db, email="t@example.org", password=PASSWORD)
    enrol(db, SYSTEM, course.id, teacher.id, CourseRole.TEACHER)
    db.flush()
    sign_in(client, teacher.email)
    token = page_csrf(client, f"/courses/{course.code}/edit")
    original = courses.editable_course

    def read_then_someone_else_saves(*args: Any) -> Course:
        read = original(*args)
        db.execute(
            update(Course)
            .where(Course.id == read.id)
            .values(title="Their title", version=Course.version + 1)
        )
        return read

    monkeypatch.setattr(courses, "editable_course", read_then_someone_else_saves)
    answer = client.post(
        f"/courses/{course.code}/edit",
        data={"csrf_token": token, "title": "My title", "ects": "5", "workload_hours": "140"},
    )
    monkeypatch.undo()

    db.expire_all()
    assert answer.status_code == 400
    assert "Someone else changed this course meanwhile" in answer.text
    assert db.get_one(Course, course.id).title != "My title"
