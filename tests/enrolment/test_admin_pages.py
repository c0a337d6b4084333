"""Managers run cohorts in the portal: create one, link a course, add members one by one or
from a CSV list whose bad rows are reported without losing the good ones."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.actors import PlatformRole
from app.core.config import Settings
from app.enrolment.models import Cohort
from app.membership.models import Enrolment
from tests.accounts.factories import PASSWORD, make_user, page_csrf, sign_in
from tests.courses.factories import import_hs101

INTAKE_CSV = (
    "external_id,email,display_name\n"
    "KZ-1,aigerim@example.org,Aigerim Nurlanovna\n"
    "KZ-2,not-an-address,Daniyar Serikov\n"
    "KZ-3,madina@example.org,Madina Omarova\n"
)


@pytest.fixture
def manager(client: TestClient, db: Session):
    person = make_user(db, email="m@example.org", password=PASSWORD, role=PlatformRole.MANAGER)
    sign_in(client, person.email)
    return person


def _create_cohort(client: TestClient, code: str = "LMQS-KZ-2026") -> str:
    answer = client.post(
        "/admin/cohorts",
        data={
            "csrf_token": page_csrf(client, "/admin/cohorts"),
            "code": code,
            "name": "Kazakhstan",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303
    return answer.headers["location"]


def test_a_cohort_csv_with_one_bad_row_enrols_the_others_and_reports_it(
    client: TestClient, db: Session, settings: Settings, manager
):
    course = import_hs101(db, settings)
    page = _create_cohort(client)
    client.post(
        f"{page}/courses", data={"csrf_token": page_csrf(client, page), "course_code": course.code}
    )

    report = client.post(
        f"{page}/csv",
        data={"csrf_token": page_csrf(client, page), "institution_code": "P1"},
        files={"file": ("intake.csv", INTAKE_CSV.encode(), "text/csv")},
    )

    assert report.status_code == 200
    rows = report.text.split("<tbody>")[-1]
    assert rows.count("created") == 2
    assert "rejected" in rows
    assert "Not a valid e-mail address." in rows  # the bad row says what is wrong with it
    enrolled = db.scalars(select(Enrolment.user_id).where(Enrolment.course_id == course.id)).all()
    assert len(enrolled) == 2
    assert "Aigerim Nurlanovna" in client.get(page).text


def test_sending_the_same_intake_twice_changes_nothing(
    client: TestClient, db: Session, settings: Settings, manager
):
    import_hs101(db, settings)
    page = _create_cohort(client)
    upload = {"files": {"file": ("intake.csv", INTAKE_CSV.encode(), "text/csv")}}
    client.post(
        f"{page}/csv",
        data={"csrf_token": page_csrf(client, page), "institution_code": "P1"},
        **upload,
    )

    again = client.post(
        f"{page}/csv",
        data={"csrf_token": page_csrf(client, page), "institution_code": "P1"},
        **upload,
    )

    assert again.text.split("<tbody>")[-1].count("unchanged") == 2


def test_a_file_that_is_not_utf8_is_explained_next_to_the_field(
    client: TestClient, db: Session, settings: Settings, manager
):
    import_hs101(db, settings)
    page = _create_cohort(client)

    answer = client.post(
        f"{page}/csv",
        data={"csrf_token": page_csrf(client, page), "institution_code": "P1"},
        files={"file": ("intake.csv", "external_id,email\nKZ,é".encode("latin-1"), "text/csv")},
    )

    assert answer.status_code == 400
    assert 'id="file-error"' in answer.text


def test_a_duplicate_cohort_code_keeps_the_form_and_explains(
    client: TestClient, db: Session, manager
):
    _create_cohort(client, "KZ")

    again = client.post(
        "/admin/cohorts",
        data={"csrf_token": page_csrf(client, "/admin/cohorts"), "code": "KZ", "name": "Second"},
    )

    assert again.status_code == 400
    assert "A cohort with this code already exists." in again.text
    assert 'value="Second"' in again.text
    assert len(db.scalars(select(Cohort)).all()) == 1


def test_adding_a_member_by_email_enrols_them_in_the_linked_course(
    client: TestClient, db: Session, settings: Settings, manager
):
    course = import_hs101(db, settings)
    student = make_user(db, email="s@example.org")
    page = _create_cohort(client)
    client.post(
        f"{page}/courses", data={"csrf_token": page_csrf(client, page), "course_code": course.code}
    )

    client.post(
        f"{page}/members", data={"csrf_token": page_csrf(client, page), "email": "s@example.org"}
    )
    unknown = client.post(
        f"{page}/members", data={"csrf_token": page_csrf(client, page), "email": "x@example.org"}
    )

    assert db.scalar(select(Enrolment).where(Enrolment.user_id == student.id)) is not None
    assert unknown.status_code == 400
    assert "Nobody has an account with this e-mail address." in unknown.text


@pytest.mark.parametrize("path", ["/admin/cohorts", "/admin/programmes", "/admin/courses/new"])
def test_students_are_refused_the_management_pages(client: TestClient, db: Session, path: str):
    make_user(db, email="s@example.org", password=PASSWORD)
    sign_in(client, "s@example.org")

    assert client.get(path).status_code == 403
