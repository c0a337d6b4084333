"""A teacher builds content through the portal; students see it."""

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.courses.models import Course
from app.membership.models import CourseRole
from tests.accounts.factories import PASSWORD, make_user, page_csrf, sign_in
from tests.courses.factories import enrol_as, import_hs101


def _teacher(client: TestClient, db: Session, course: Course) -> None:
    teacher = make_user(db, email="t@example.org", password=PASSWORD)
    enrol_as(db, course, teacher, CourseRole.TEACHER)
    sign_in(client, teacher.email)


def test_teacher_adds_a_section_a_page_and_a_file_that_students_then_see(
    client: TestClient, db: Session, settings: Settings
):
    course = import_hs101(db, settings)
    student = make_user(db, email="s@example.org", password=PASSWORD)
    enrol_as(db, course, student, CourseRole.STUDENT)
    _teacher(client, db, course)
    edit = f"/courses/{course.code}/edit"

    client.post(
        f"/courses/{course.code}/sections",
        data={"csrf_token": page_csrf(client, edit), "title": "Week 3 — Financing"},
    )
    section_id = re.findall(r'href="/sections/(\d+)/modules/new"', client.get(edit).text)[-1]
    form = f"/sections/{section_id}/modules/new"
    created = client.post(
        form,
        data={
            "csrf_token": page_csrf(client, form),
            "title": "Pooling risks",
            "key": "pooling",
            "kind": "page",
            "body": "Pooling **shares** risks.",
            "completion_rule": "viewed",
            "required": "true",
            "status": "published",  # "Publish now" (new modules are drafts otherwise)
        },
        follow_redirects=False,
    )
    module_page = created.headers["location"]
    client.post(
        f"/modules/{module_page.rsplit('/', 1)[1]}/upload",
        data={"csrf_token": page_csrf(client, module_page)},
        files={"file": ("pooling-notes.txt", b"risk pooling notes")},
    )
    client.cookies.clear()
    sign_in(client, student.email)
    course_page = client.get(f"/courses/{course.code}")
    module_view = client.get(module_page)

    assert created.status_code == 303
    assert "Week 3 — Financing" in course_page.text
    assert "Pooling risks" in course_page.text
    assert "<strong>shares</strong>" in module_view.text
    assert "pooling-notes.txt" in module_view.text


def test_a_bad_module_form_keeps_what_was_typed(
    client: TestClient, db: Session, settings: Settings
):
    course = import_hs101(db, settings)
    _teacher(client, db, course)
    section_id = re.findall(
        r'href="/sections/(\d+)/modules/new"', client.get(f"/courses/{course.code}/edit").text
    )[0]
    form = f"/sections/{section_id}/modules/new"

    response = client.post(
        form,
        data={
            "csrf_token": page_csrf(client, form),
            "title": "Notes",
            "key": "Bad Key!",
            "kind": "page",
            "body": "Draft text",
        },
    )

    assert response.status_code == 400
    assert 'value="Bad Key!"' in response.text
    assert "Draft text" in response.text


def test_students_cannot_open_the_editor(client: TestClient, db: Session, settings: Settings):
    course = import_hs101(db, settings)
    student = make_user(db, email="s@example.org", password=PASSWORD)
    enrol_as(db, course, student, CourseRole.STUDENT)
    sign_in(client, student.email)

    assert client.get(f"/courses/{course.code}/edit").status_code == 403


def test_teacher_saves_course_details_and_sees_the_workload_warning(
    client: TestClient, db: Session, settings: Settings
):
    course = import_hs101(db, settings)
    _teacher(client, db, course)
    edit = f"/courses/{course.code}/edit"

    client.post(
        edit,
        data={
            "csrf_token": page_csrf(client, edit),
            "title": "Health systems, renewed",
            "ects": "5",
            "workload_hours": "60",
        },
    )
    page = client.get(edit)

    assert 'value="Health systems, renewed"' in page.text
    assert "outside 25–30 h per credit" in page.text
