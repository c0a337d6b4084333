"""Programme enrolment (current courses and new runs), the scholarship report, and the
portal's CSV upload with its per-row report."""

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.actors import PlatformRole
from app.core.config import Settings
from app.courses.models import Course
from app.membership.models import Enrolment
from app.seed import load_programmes
from tests.accounts.factories import PASSWORD, api_token, bearer, make_user, page_csrf, sign_in
from tests.courses.factories import SEED, import_hs101


def _manager(client: TestClient, db: Session) -> dict[str, str]:
    make_user(db, email="m@example.org", password=PASSWORD, role=PlatformRole.MANAGER)
    return bearer(api_token(client, "m@example.org"))


def _courses_of(db: Session, user_id: int) -> set[str]:
    return set(
        db.scalars(
            select(Course.code)
            .join(Enrolment, Enrolment.course_id == Course.id)
            .where(Enrolment.user_id == user_id)
        )
    )


def test_programme_enrolment_covers_its_courses_and_later_runs(
    client: TestClient, db: Session, settings: Settings
):
    course = import_hs101(db, settings)
    load_programmes(db, SEED)
    headers = _manager(client, db)
    learner = make_user(db)

    enrolled = client.post(
        "/api/v1/programmes/HS-CERT/enrolments",
        json={"user_id": learner.id, "funding": "scholarship", "funder_name": "ILO-Luxembourg"},
        headers=headers,
    )
    client.post(
        f"/api/v1/courses/{course.id}/runs",
        json={"code": "HS-101-2027", "starts_on": "2027-01-04"},
        headers=headers,
    )

    assert enrolled.status_code == 204
    assert _courses_of(db, learner.id) == {"HS-101", "HS-101-2027"}
    report = client.get("/api/v1/scholarships?funder=ILO-Luxembourg", headers=headers).json()
    assert {(r["programme"], r["course"], r["user_id"]) for r in report} == {
        ("HS-CERT", "HS-101", learner.id),
        ("HS-CERT", "HS-101-2027", learner.id),
    }


def test_students_cannot_read_the_scholarship_report(client: TestClient, db: Session):
    make_user(db, email="s@example.org", password=PASSWORD)

    response = client.get(
        "/api/v1/scholarships", headers=bearer(api_token(client, "s@example.org"))
    )

    assert response.status_code == 403


CSV = (
    "external_id,email,display_name,funding,funder_name\n"
    "RU-01,ivan@example.ru,Ivan Petrov,scholarship,Erasmus+\n"
    "RU-02,broken-address,Olga,self,\n"
    "RU-03,anna@example.ru,Anna Smirnova,self,\n"
)


def test_manager_uploads_a_csv_and_sees_the_report(
    client: TestClient, db: Session, settings: Settings
):
    course = import_hs101(db, settings)
    make_user(db, email="m@example.org", password=PASSWORD, role=PlatformRole.MANAGER)
    sign_in(client, "m@example.org")
    path = f"/courses/{course.code}/bulk-enrol"

    def upload():
        return client.post(
            path,
            data={"csrf_token": page_csrf(client, path), "institution_code": "P1"},
            files={"file": ("intake.csv", CSV.encode())},
        )

    first = upload()
    users = db.scalar(select(func.count()).select_from(User))
    second = upload()

    assert first.status_code == 200
    assert first.text.count(">created<") == 2
    assert first.text.count(">rejected<") == 1
    assert "Not a valid e-mail address." in first.text
    assert second.text.count(">unchanged<") == 2
    assert db.scalar(select(func.count()).select_from(User)) == users
    assert db.scalar(select(User).where(User.email == "broken-address")) is None


def test_csv_without_the_required_columns_is_explained(
    client: TestClient, db: Session, settings: Settings
):
    course = import_hs101(db, settings)
    make_user(db, email="m@example.org", password=PASSWORD, role=PlatformRole.MANAGER)
    sign_in(client, "m@example.org")
    path = f"/courses/{course.code}/bulk-enrol"

    response = client.post(
        path,
        data={"csrf_token": page_csrf(client, path), "institution_code": "P1"},
        files={"file": ("intake.csv", b"name,mail\nX,y\n")},
    )

    assert response.status_code == 400
    assert "external_id" in response.text


def test_teacher_builds_a_project_team_in_the_portal_and_students_see_it(
    client: TestClient, db: Session, settings: Settings
):
    from app.membership.models import CourseRole
    from tests.courses.factories import enrol_as

    course = import_hs101(db, settings)
    teacher = make_user(db, email="t@example.org", password=PASSWORD)
    student = make_user(db, email="s@example.org", password=PASSWORD)
    teammate = make_user(db, email="tm@example.org", password=PASSWORD)
    teammate.display_name = "Nadia Benali"
    enrol_as(db, course, teacher, CourseRole.TEACHER)
    enrol_as(db, course, student, CourseRole.STUDENT)
    enrol_as(db, course, teammate, CourseRole.STUDENT)
    sign_in(client, teacher.email)
    path = f"/courses/{course.code}/groups"

    client.post(path, data={"csrf_token": page_csrf(client, path), "name": "Projet Fès-Meknès"})
    page = client.get(path)
    group_id = int(page.text.split('id="group-')[1].split('"')[0])
    added = client.post(
        f"{path}/{group_id}/members",
        data={"csrf_token": page_csrf(client, path), "user_id": str(teammate.id)},
        follow_redirects=False,
    )
    client.cookies.clear()
    sign_in(client, student.email)
    seen = client.get(path)

    assert added.status_code == 303
    assert "Projet Fès-Meknès" in seen.text
    assert "Nadia Benali" in seen.text
    assert "Create a group" not in seen.text
