"""Open resources and visitors: anyone reads every published module of an open course, whatever
its prerequisites (they order the progress of enrolled students only); availability windows
still apply; a closed course shows people not in it a landing page that says how to enrol."""

import html
import re
from datetime import timedelta

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.actors import SYSTEM
from app.core.config import Settings
from app.core.db import utcnow
from app.courses.models import (
    CompletionEvent,
    Course,
    Module,
    ModuleCompletion,
    SelfEnrolment,
    Status,
)
from app.courses.service import courses
from app.membership.models import CourseRole, Enrolment
from tests.accounts.factories import PASSWORD, api_token, bearer, make_user, page_csrf, sign_in
from tests.courses.factories import enrol_as, import_hs101, module


@pytest.fixture
def course(db: Session, settings: Settings) -> Course:
    return import_hs101(db, settings)  # open, with prerequisites: blocks ← intro, who ← blocks


def _modules(db: Session, course: Course) -> list[Module]:
    return list(db.scalars(select(Module).where(Module.course_id == course.id)))


def _written(db: Session) -> int:
    return sum(
        db.scalar(select(func.count()).select_from(model)) or 0
        for model in (ModuleCompletion, CompletionEvent)
    )


def test_a_visitor_reads_every_module_of_an_open_course_with_prerequisites(
    client: TestClient, db: Session, course: Course
):
    modules = _modules(db, course)
    assert len(modules) == 5

    for item in modules:
        page = client.get(f"/courses/{course.code}/modules/{item.id}")
        assert page.status_code == 200, item.key
        assert "This module is locked" not in page.text
        assert "Sign in or enrol to record your progress." in page.text
        assert "Mark as done" not in page.text
        assert client.get(f"/api/v1/modules/{item.id}").status_code == 200, item.key
    glossary = module(db, course, "glossary")
    assert client.get(f"/modules/{glossary.id}/files/glossary.txt").status_code == 200

    outline = client.get(f"/api/v1/courses/{course.id}/outline").json()
    states = [m for s in outline["sections"] for m in s["modules"]]
    assert [m["locked"] for m in states] == [False] * 5
    assert outline["progress"] is None
    course_page = client.get(f"/courses/{course.code}").text
    assert "Sign in or enrol to record your progress." in course_page
    assert "locked" not in course_page
    assert _written(db) == 0


def test_a_signed_in_reader_not_in_the_course_is_not_locked_either(
    client: TestClient, db: Session, course: Course
):
    make_user(db, email="reader@example.org", password=PASSWORD)
    token = bearer(api_token(client, "reader@example.org"))
    blocks = module(db, course, "blocks")

    assert client.get(f"/api/v1/modules/{blocks.id}", headers=token).status_code == 200
    assert _written(db) == 0


def test_prerequisites_still_order_an_enrolled_students_progress(
    client: TestClient, db: Session, course: Course
):
    student = make_user(db, email="student@example.org", password=PASSWORD)
    enrol_as(db, course, student, CourseRole.STUDENT)
    token = bearer(api_token(client, student.email))
    blocks = module(db, course, "blocks")

    locked = client.get(f"/api/v1/modules/{blocks.id}", headers=token)

    assert locked.status_code == 403
    assert locked.json()["code"] == "module_locked"


def test_availability_windows_apply_to_visitors_but_not_to_staff(
    client: TestClient, db: Session, course: Course
):
    intro = module(db, course, "intro")
    intro.available_from = utcnow() + timedelta(days=3)
    courses.touch(course)
    db.flush()
    teacher = make_user(db, email="teacher@example.org", password=PASSWORD)
    enrol_as(db, course, teacher, CourseRole.TEACHER)

    page = client.get(f"/courses/{course.code}/modules/{intro.id}")
    assert page.status_code == 403
    assert "This module is locked" in page.text

    with time_machine.travel(utcnow() + timedelta(days=4), tick=False):
        assert client.get(f"/courses/{course.code}/modules/{intro.id}").status_code == 200
    sign_in(client, teacher.email)
    assert client.get(f"/courses/{course.code}/modules/{intro.id}").status_code == 200


def test_course_prerequisites_do_not_lock_visitors_of_open_content(
    client: TestClient, db: Session, settings: Settings, course: Course
):
    import_hs101(db, settings, code="HS-100")
    courses.set_course_prerequisites(db, SYSTEM, course.id, ["HS-100"])
    student = make_user(db, email="student@example.org", password=PASSWORD)
    enrol_as(db, course, student, CourseRole.STUDENT)
    intro = module(db, course, "intro")

    assert client.get(f"/courses/{course.code}/modules/{intro.id}").status_code == 200
    sign_in(client, student.email)
    locked = client.get(f"/courses/{course.code}/modules/{intro.id}")
    assert locked.status_code == 403
    assert "Complete the course “Health systems in practice” first." in locked.text


@pytest.fixture
def closed(db: Session, course: Course) -> Course:
    course.is_open = False
    teacher = make_user(db, email="teacher@example.org", password=PASSWORD)
    teacher.display_name = "Dr Amina Idrissi"
    enrol_as(db, course, teacher, CourseRole.TEACHER)
    courses.touch(course)
    db.flush()
    return course


def test_a_closed_course_shows_visitors_its_landing_page(
    client: TestClient, db: Session, closed: Course
):
    page = client.get(f"/courses/{closed.code}", follow_redirects=False)

    assert page.status_code == 200
    for shown in (
        "Health systems in practice", "A short course used by the tests.",
        "130 hours of work", "English", "Dr Amina Idrissi", "How to enrol",
        f'href="/login?next=/courses/{closed.code}"', "Sign in to enrol in this course",
    ):  # fmt: skip
        assert shown in page.text, shown
    assert re.search(r"ECTS credits</dt><dd>5(\.0)?</dd>", page.text)
    assert "Introduction" not in page.text  # the outline is the members'
    intro = module(db, closed, "intro")
    moved = client.get(f"/courses/{closed.code}/modules/{intro.id}", follow_redirects=False)
    assert moved.status_code == 303
    assert moved.headers["location"] == f"/courses/{closed.code}"
    assert client.get(f"/api/v1/modules/{intro.id}").status_code == 404


def test_someone_signed_in_enrols_from_the_landing_page(
    client: TestClient, db: Session, closed: Course
):
    person = make_user(db, email="person@example.org", password=PASSWORD)
    sign_in(client, person.email)
    intro = module(db, closed, "intro")

    landing = client.get(f"/courses/{closed.code}")
    assert landing.status_code == 200
    assert "Enrol me" in landing.text
    assert client.get(f"/courses/{closed.code}/modules/{intro.id}").status_code == 404

    enrolled = client.post(
        f"/courses/{closed.code}/enrol",
        data={"csrf_token": page_csrf(client, f"/courses/{closed.code}")},
        follow_redirects=False,
    )
    assert enrolled.status_code == 303
    assert db.scalar(select(Enrolment.role).where(Enrolment.user_id == person.id)) == (
        CourseRole.STUDENT
    )
    course_page = client.get(f"/courses/{closed.code}").text
    assert "Introduction" in course_page
    assert "How to enrol" not in course_page


def test_a_closed_course_without_self_enrolment_says_whom_to_ask(
    client: TestClient, db: Session, closed: Course
):
    closed.self_enrolment = SelfEnrolment.CLOSED
    courses.touch(closed)
    db.flush()

    page = client.get(f"/courses/{closed.code}")

    assert page.status_code == 200
    assert "Ask your programme's registrar." in html.unescape(page.text)
    assert "Enrol me" not in page.text
    assert f'href="/login?next=/courses/{closed.code}"' in page.text


def test_drafts_have_no_landing_page(client: TestClient, db: Session, closed: Course):
    closed.status = Status.DRAFT
    courses.touch(closed)
    db.flush()
    make_user(db, email="person@example.org", password=PASSWORD)

    visitor = client.get(f"/courses/{closed.code}", follow_redirects=False)
    assert visitor.status_code == 303
    assert visitor.headers["location"].startswith("/login")
    sign_in(client, "person@example.org")
    assert client.get(f"/courses/{closed.code}").status_code == 404
