"""Managers create courses and programmes in the portal; publishing a programme that lacks a
mandatory transversal course is refused with the reason."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Institution
from app.core.actors import SYSTEM, PlatformRole
from app.core.config import Settings
from app.courses.models import Course, Status
from app.courses.service import programmes
from tests.accounts.factories import PASSWORD, make_user, page_csrf, sign_in
from tests.courses.factories import import_hs101


@pytest.fixture
def manager(client: TestClient, db: Session):
    person = make_user(db, email="m@example.org", password=PASSWORD, role=PlatformRole.MANAGER)
    sign_in(client, person.email)
    return person


def test_a_manager_creates_a_course_and_lands_on_its_editor(
    client: TestClient, db: Session, manager
):
    form = "/admin/courses/new"
    created = client.post(
        form,
        data={
            "csrf_token": page_csrf(client, form), "code": "LMQS-QM-2027", "title": "Quality 2027",
            "language": "fr", "ects": "5", "workload_hours": "140", "self_enrolment": "key",
        },
    )  # fmt: skip

    assert created.url.path == "/courses/LMQS-QM-2027/edit"
    course = db.scalar(select(Course).where(Course.code == "LMQS-QM-2027"))
    assert course is not None
    assert course.status is Status.DRAFT


def test_bad_course_input_is_shown_next_to_each_field_and_kept(
    client: TestClient, db: Session, manager
):
    form = "/admin/courses/new"
    answer = client.post(
        form,
        data={"csrf_token": page_csrf(client, form), "code": "bad code!", "title": "Kept title",
              "ects": "lots"},
    )  # fmt: skip

    assert answer.status_code == 400
    assert 'id="code-error"' in answer.text
    assert 'id="ects-error"' in answer.text
    assert 'value="Kept title"' in answer.text
    assert db.scalar(select(Course)) is None


def test_publishing_a_programme_without_the_mandatory_course_is_refused_with_the_reason(
    client: TestClient, db: Session, settings: Settings, manager
):
    import_hs101(db, settings)
    institution = db.scalar(select(Institution).where(Institution.code == "P1"))
    assert institution is not None
    programmes.declare_mandatory_course(db, SYSTEM, institution, "ETHICS-1")
    page = "/admin/programmes"
    client.post(
        page,
        data={"csrf_token": page_csrf(client, page), "code": "MSP", "title": "Public health",
              "kind": "master", "ects": "120", "languages": "en fr", "institutions": ["P1"],
              "course_codes": "HS-101"},
    )  # fmt: skip

    refused = client.post(
        "/admin/programmes/MSP/publish", data={"csrf_token": page_csrf(client, page)}
    )

    assert refused.status_code == 400
    assert "ETHICS-1" in refused.text
    programme = programmes.get_programme(db, SYSTEM, "MSP")
    assert programme.status is Status.DRAFT
    assert [link.course_id for link in programme.courses]


def test_an_unknown_course_code_is_explained_next_to_the_courses_field(
    client: TestClient, db: Session, manager
):
    page = "/admin/programmes"
    answer = client.post(
        page,
        data={"csrf_token": page_csrf(client, page), "code": "MSP", "title": "Master",
              "kind": "master", "course_codes": "NOPE-1"},
    )  # fmt: skip

    assert answer.status_code == 400
    assert 'id="course_codes-error"' in answer.text
    assert 'value="NOPE-1"' in answer.text


def test_field_messages_are_in_the_readers_language(client: TestClient, db: Session):
    make_user(db, email="fr@example.org", password=PASSWORD, role=PlatformRole.MANAGER,
              language="fr")  # fmt: skip
    sign_in(client, "fr@example.org")
    form = "/admin/courses/new"

    answer = client.post(
        form,
        data={"csrf_token": page_csrf(client, form), "code": "OK-1", "title": "Qualité",
              "ects": "beaucoup", "starts_on": "demain"},
    )  # fmt: skip

    assert answer.status_code == 400
    assert "Saisissez un nombre." in answer.text
    assert "Saisissez une date valide." in answer.text
