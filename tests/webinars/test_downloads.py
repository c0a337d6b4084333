"""Every route that serves a user's file sends it as a sandboxed attachment the browser may
not sniff: module files (API and portal), course packages, webinar materials."""

import io

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from app.core.config import Settings
from app.webinars.service import materials as webinars
from tests.accounts.factories import api_token, bearer, sign_in
from tests.courses.factories import module
from tests.webinars.conftest import Classroom


def assert_sandboxed_attachment(response: Response) -> None:
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"] == "default-src 'none'; sandbox"


@pytest.fixture
def page_file(client: TestClient, classroom: Classroom) -> str:
    """An HTML file, the kind a browser would run if it rendered it, on the glossary module."""
    teacher = bearer(api_token(client, classroom.teacher.email))
    glossary = module(classroom.db, classroom.course, "glossary")
    uploaded = client.post(
        f"/api/v1/modules/{glossary.id}/files",
        files={"file": ("page.html", b"<script>alert(document.cookie)</script>")},
        headers=teacher,
    )
    assert uploaded.status_code == 201
    return str(uploaded.json()["url"])


def test_a_module_file_is_a_sandboxed_attachment_over_the_api(
    client: TestClient,
    classroom: Classroom,
    page_file: str,
):
    student = bearer(api_token(client, classroom.students[0].email))

    assert_sandboxed_attachment(client.get(page_file, headers=student))


def test_a_module_file_is_a_sandboxed_attachment_in_the_portal(
    client: TestClient,
    classroom: Classroom,
    page_file: str,
):
    glossary = module(classroom.db, classroom.course, "glossary")
    sign_in(client, classroom.students[0].email)

    assert_sandboxed_attachment(client.get(f"/modules/{glossary.id}/files/page.html"))


def test_a_course_package_is_a_sandboxed_attachment(
    client: TestClient,
    classroom: Classroom,
):
    teacher = bearer(api_token(client, classroom.teacher.email))

    assert_sandboxed_attachment(
        client.get(f"/api/v1/courses/{classroom.course.id}/export", headers=teacher)
    )


def test_a_webinar_material_is_a_sandboxed_attachment_in_the_portal_and_the_api(
    client: TestClient,
    classroom: Classroom,
    settings: Settings,
):
    webinar = classroom.schedule()
    material = webinars.add_material(
        classroom.db, classroom.teacher_actor, settings, webinar.id,
        io.BytesIO(b"<svg onload='alert(1)'/>"), "slides.svg",
    )  # fmt: skip
    student = classroom.students[0]
    path = f"/sessions/{webinar.id}/materials/{material.id}/file"

    api = client.get(f"/api/v1{path}", headers=bearer(api_token(client, student.email)))
    sign_in(client, student.email)
    page = client.get(path)

    assert_sandboxed_attachment(api)
    assert_sandboxed_attachment(page)
