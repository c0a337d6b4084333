"""Tenancy: partner clients and institution managers act on their own institution's people and
on the courses it runs or is a partner of; the rest answers 404 to them. Coordinators (managers
and admins) keep acting on every institution."""

import io
import zipfile
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import seed
from app.accounts.auth import user_scopes_allowed
from app.accounts.models import ApiClient, Institution, User
from app.core.actors import SYSTEM, PlatformRole, Scope
from app.core.config import Settings
from app.core.security import encode_access_token
from app.courses.models import Course, Programme, ProgrammeCourse
from app.courses.schemas import CourseRunCreate
from app.courses.service import courses, packages, partners
from app.enrolment.cohorts import create_cohort
from app.enrolment.models import CohortCourse, LearnerProfile
from app.enrolment.service import EnrolmentTerms, enrol
from app.membership.models import CoursePartner, CourseRole, Enrolment, Funding
from app.seed import load_programmes
from tests.accounts.factories import (
    PASSWORD,
    bearer,
    make_api_client,
    make_institution,
    make_user,
    sign_in,
)
from tests.conftest import QueryCounter, csrf_from
from tests.courses.factories import SEED, enrol_as, import_hs101

ALL_SCOPES = sorted(Scope)


@dataclass
class Consortium:
    """Institution A (P1, runs HS-101) and institution B (runs HS-B); each has a learner."""

    a: Institution
    b: Institution
    course_a: Course
    course_b: Course
    learner_a: User
    learner_b: User


@pytest.fixture
def consortium(db: Session, settings: Settings) -> Consortium:
    course_a = import_hs101(db, settings)
    a = db.get_one(Institution, course_a.institution_id)
    b = make_institution(db, "UNI-B", "MA")
    course_b = import_hs101(db, settings, code="HS-B")
    course_b.institution_id = b.id
    learner_a = make_user(db, email="learner-a@example.org", institution=a)
    learner_b = make_user(db, email="learner-b@example.org", institution=b)
    enrol_as(db, course_a, learner_a, CourseRole.STUDENT)
    enrol_as(db, course_b, learner_b, CourseRole.STUDENT)
    db.add(LearnerProfile(user_id=learner_b.id, nationality="SY", refugee=True))
    db.add(LearnerProfile(user_id=learner_a.id, nationality="LA", refugee=False))
    db.flush()
    return Consortium(a, b, course_a, course_b, learner_a, learner_b)


def client_of(
    db: Session, settings: Settings, institution: Institution, scopes: list[str] = ALL_SCOPES
) -> dict[str, str]:
    api_client = make_api_client(db, institution, scopes)
    token, _ = encode_access_token(settings, f"client:{api_client.id}", scopes)
    return bearer(token)


def person(
    db: Session, settings: Settings, role: PlatformRole, institution: Institution | None
) -> tuple[User, dict[str, str]]:
    user = make_user(db, role=role, institution=institution)
    user.may_read_sensitive = True
    token, _ = encode_access_token(settings, f"user:{user.id}", sorted(user_scopes_allowed(user)))
    return user, bearer(token)


def rows(db: Session, *models: type) -> dict[str, int]:
    return {m.__name__: db.scalar(select(func.count()).select_from(m)) or 0 for m in models}


# --- partner clients ---------------------------------------------------------------------


def test_a_partner_client_cannot_list_the_participants_of_another_institutions_course(
    client: TestClient, db: Session, settings: Settings, consortium: Consortium
):
    headers = client_of(db, settings, consortium.a)

    other = client.get(f"/api/v1/courses/{consortium.course_b.id}/participants", headers=headers)
    own = client.get(f"/api/v1/courses/{consortium.course_a.id}/participants", headers=headers)

    assert other.status_code == 404, other.text
    assert "learner-b@example.org" not in other.text
    assert own.status_code == 200
    assert "learner-a@example.org" in own.text


def test_a_partner_client_cannot_bulk_enrol_into_another_institutions_course(
    client: TestClient, db: Session, settings: Settings, consortium: Consortium
):
    headers = client_of(db, settings, consortium.a)
    before = rows(db, Enrolment, User)
    body = {"rows": [{"external_id": "X1", "email": "new@example.org", "display_name": "New"}]}

    response = client.post(
        f"/api/v1/courses/{consortium.course_b.id}/bulk-enrolments", json=body, headers=headers
    )

    assert response.status_code == 404, response.text
    assert rows(db, Enrolment, User) == before


def test_a_partner_client_does_not_enrol_another_institutions_person_even_in_its_course(
    client: TestClient, db: Session, settings: Settings, consortium: Consortium
):
    headers = client_of(db, settings, consortium.a)
    course = consortium.course_a.id

    theirs = client.post(
        f"/api/v1/courses/{course}/enrolments",
        json={"user_id": consortium.learner_b.id},
        headers=headers,
    )
    bulk = client.post(
        f"/api/v1/courses/{course}/bulk-enrolments",
        json={
            "rows": [{"external_id": "B1", "email": "learner-b@example.org", "display_name": "B"}]
        },
        headers=headers,
    )

    assert theirs.status_code == 422
    assert bulk.status_code == 200
    assert bulk.json()[0]["outcome"] == "rejected"
    assert (
        db.scalar(
            select(Enrolment.id).where(
                Enrolment.user_id == consortium.learner_b.id, Enrolment.course_id == course
            )
        )
        is None
    )


def test_sensitive_read_covers_only_the_clients_own_institutions_people(
    client: TestClient, db: Session, settings: Settings, consortium: Consortium
):
    headers = client_of(db, settings, consortium.a)

    other = client.get(f"/api/v1/users/{consortium.learner_b.id}/learner-profile", headers=headers)
    own = client.get(f"/api/v1/users/{consortium.learner_a.id}/learner-profile", headers=headers)

    assert other.status_code == 404
    assert "SY" not in other.text
    assert own.status_code == 200
    assert own.json()["nationality"] == "LA"


def test_a_partner_institutions_client_reaches_the_course_and_only_its_own_people_in_it(
    client: TestClient, db: Session, settings: Settings, consortium: Consortium
):
    db.add(CoursePartner(course_id=consortium.course_b.id, institution_id=consortium.a.id))
    db.flush()
    headers = client_of(db, settings, consortium.a)
    url = f"/api/v1/courses/{consortium.course_b.id}"

    participants = client.get(url + "/participants", headers=headers)
    enrolled = client.post(
        url + "/enrolments", json={"user_id": consortium.learner_a.id}, headers=headers
    )

    assert participants.status_code == 200
    assert enrolled.status_code == 201, enrolled.text
    assert enrolled.json()["user_id"] == consortium.learner_a.id


def test_the_catalogue_lists_a_clients_reach_and_everything_to_anyone_else(
    client: TestClient, db: Session, settings: Settings, consortium: Consortium
):
    headers = client_of(db, settings, consortium.a)

    for_client = {c["code"] for c in client.get("/api/v1/courses", headers=headers).json()["items"]}
    for_anyone = {c["code"] for c in client.get("/api/v1/courses").json()["items"]}

    assert for_client == {"HS-101"}
    assert for_anyone == {"HS-101", "HS-B"}


# --- institution managers ----------------------------------------------------------------


def test_an_institution_manager_lists_only_their_institutions_people(
    client: TestClient, db: Session, settings: Settings, consortium: Consortium
):
    _, headers = person(db, settings, PlatformRole.INSTITUTION_MANAGER, consortium.a)
    _, coordinator = person(db, settings, PlatformRole.MANAGER, None)

    listed = client.get("/api/v1/users", params={"limit": 100}, headers=headers).json()["items"]
    everyone = client.get("/api/v1/users", params={"limit": 100}, headers=coordinator).json()

    assert {u["institution_id"] for u in listed} == {consortium.a.id}
    assert "learner-b@example.org" in {u["email"] for u in everyone["items"]}


def test_an_institution_manager_cannot_edit_another_institutions_person(
    client: TestClient, db: Session, settings: Settings, consortium: Consortium
):
    _, headers = person(db, settings, PlatformRole.INSTITUTION_MANAGER, consortium.a)

    other = client.patch(
        f"/api/v1/users/{consortium.learner_b.id}", json={"display_name": "X"}, headers=headers
    )
    moved = client.patch(
        f"/api/v1/users/{consortium.learner_a.id}",
        json={"institution_code": "UNI-B"},
        headers=headers,
    )
    own = client.patch(
        f"/api/v1/users/{consortium.learner_a.id}",
        json={"display_name": "Renamed"},
        headers=headers,
    )

    assert other.status_code == 404
    assert moved.status_code == 403
    assert own.status_code == 200
    db.expire_all()
    assert consortium.learner_b.display_name != "X"
    assert consortium.learner_a.institution_id == consortium.a.id


def test_an_institution_managers_new_accounts_belong_to_their_institution(
    client: TestClient, db: Session, settings: Settings, consortium: Consortium
):
    _, headers = person(db, settings, PlatformRole.INSTITUTION_MANAGER, consortium.a)

    created = client.post(
        "/api/v1/users", json={"email": "n@example.org", "display_name": "N"}, headers=headers
    )
    elsewhere = client.post(
        "/api/v1/users",
        json={"email": "m@example.org", "display_name": "M", "institution_code": "UNI-B"},
        headers=headers,
    )

    assert created.status_code == 201
    assert created.json()["institution_id"] == consortium.a.id
    assert elsewhere.status_code == 403
    assert db.scalar(select(User.id).where(User.email == "m@example.org")) is None


def test_an_institution_manager_cannot_link_another_institutions_course_to_a_cohort(
    client: TestClient, db: Session, settings: Settings, consortium: Consortium
):
    _, headers = person(db, settings, PlatformRole.INSTITUTION_MANAGER, consortium.a)
    created = client.post(
        "/api/v1/cohorts", json={"code": "A-2027", "name": "A intake"}, headers=headers
    )
    cohort = created.json()["id"]

    theirs = client.post(
        f"/api/v1/cohorts/{cohort}/courses",
        json={"course_id": consortium.course_b.id},
        headers=headers,
    )
    own = client.post(
        f"/api/v1/cohorts/{cohort}/courses",
        json={"course_id": consortium.course_a.id},
        headers=headers,
    )

    assert created.status_code == 201
    assert created.json()["institution_id"] == consortium.a.id
    assert theirs.status_code == 404
    assert own.status_code == 204
    linked = db.scalars(select(CohortCourse.course_id).where(CohortCourse.cohort_id == cohort))
    assert list(linked) == [consortium.course_a.id]


def test_an_institution_manager_does_not_see_another_institutions_cohorts(
    client: TestClient, db: Session, settings: Settings, consortium: Consortium
):
    theirs = create_cohort(db, SYSTEM, "B-2027", "B intake", "UNI-B")
    _, headers = person(db, settings, PlatformRole.INSTITUTION_MANAGER, consortium.a)

    listed = client.get("/api/v1/cohorts", headers=headers)
    member = client.post(
        f"/api/v1/cohorts/{theirs.id}/members",
        json={"user_id": consortium.learner_a.id},
        headers=headers,
    )

    assert listed.status_code == 200
    assert "B-2027" not in listed.text
    assert member.status_code == 404


def test_an_institution_manager_does_not_see_another_institutions_api_clients(
    client: TestClient, db: Session, settings: Settings, consortium: Consortium
):
    theirs = make_api_client(db, consortium.b, ["users:read"])
    ours = make_api_client(db, consortium.a, ["users:read"])
    _, headers = person(db, settings, PlatformRole.INSTITUTION_MANAGER, consortium.a)

    listed = {c["id"] for c in client.get("/api/v1/api-clients", headers=headers).json()}
    revoked = client.post(f"/api/v1/api-clients/{theirs.id}/revoke", headers=headers)
    created = client.post(
        "/api/v1/api-clients",
        json={"name": "N", "institution_code": "UNI-B", "scopes": ["users:read"]},
        headers=headers,
    )

    assert listed == {ours.id}
    assert revoked.status_code == 404
    assert created.status_code == 403
    db.expire_all()
    assert db.get_one(ApiClient, theirs.id).revoked_at is None
    assert db.scalar(select(func.count()).select_from(ApiClient)) == 2


def test_an_institution_manager_manages_their_courses_and_not_the_others(
    client: TestClient, db: Session, settings: Settings, consortium: Consortium
):
    _, headers = person(db, settings, PlatformRole.INSTITUTION_MANAGER, consortium.a)

    theirs = client.patch(
        f"/api/v1/courses/{consortium.course_b.id}", json={"summary": "X"}, headers=headers
    )
    own = client.patch(
        f"/api/v1/courses/{consortium.course_a.id}", json={"summary": "Ours"}, headers=headers
    )
    new = client.post("/api/v1/courses", json={"code": "A-NEW", "title": "New"}, headers=headers)
    elsewhere = client.post(
        "/api/v1/courses",
        json={"code": "B-NEW", "title": "New", "institution_code": "UNI-B"},
        headers=headers,
    )

    assert theirs.status_code == 404
    assert own.status_code == 200
    assert new.status_code == 201
    assert new.json()["institution_id"] == consortium.a.id
    assert elsewhere.status_code == 403
    assert db.scalar(select(Course.id).where(Course.code == "B-NEW")) is None


def test_an_institution_manager_reads_sensitive_data_of_their_people_only(
    client: TestClient, db: Session, settings: Settings, consortium: Consortium
):
    _, headers = person(db, settings, PlatformRole.INSTITUTION_MANAGER, consortium.a)

    own = client.get(f"/api/v1/users/{consortium.learner_a.id}/learner-profile", headers=headers)
    other = client.get(f"/api/v1/users/{consortium.learner_b.id}/learner-profile", headers=headers)

    assert own.json()["refugee"] is False
    assert other.status_code == 404


# --- granting the role; course partners --------------------------------------------------


def test_only_admins_make_institution_managers_and_only_of_an_institution(
    client: TestClient, db: Session, settings: Settings, consortium: Consortium
):
    _, admin = person(db, settings, PlatformRole.ADMIN, None)
    _, coordinator = person(db, settings, PlatformRole.MANAGER, None)
    homeless = make_user(db)
    url = f"/api/v1/users/{consortium.learner_a.id}"

    by_manager = client.patch(
        url, json={"platform_role": "institution_manager"}, headers=coordinator
    )
    by_admin = client.patch(url, json={"platform_role": "institution_manager"}, headers=admin)
    without_institution = client.patch(
        f"/api/v1/users/{homeless.id}", json={"platform_role": "institution_manager"}, headers=admin
    )

    assert by_manager.status_code == 403
    assert by_admin.status_code == 200
    assert by_admin.json()["platform_role"] == "institution_manager"
    assert without_institution.status_code == 422
    db.expire_all()
    assert homeless.platform_role is PlatformRole.USER


def test_managers_choose_a_courses_partners_and_the_partners_client_then_reaches_it(
    client: TestClient, db: Session, settings: Settings, consortium: Consortium
):
    _, coordinator = person(db, settings, PlatformRole.MANAGER, None)
    partner_client = client_of(db, settings, consortium.a)
    url = f"/api/v1/courses/{consortium.course_b.id}"

    before = client.get(url + "/participants", headers=partner_client)
    added = client.put(url + "/partners/P1", headers=coordinator)
    during = client.get(url + "/participants", headers=partner_client)
    removed = client.delete(url + "/partners/P1", headers=coordinator)
    after = client.get(url + "/participants", headers=partner_client)

    assert before.status_code == 404
    assert [p["code"] for p in added.json()] == ["P1"]
    assert during.status_code == 200
    assert removed.status_code == 204
    assert after.status_code == 404


def test_only_the_running_institutions_managers_choose_partners(
    client: TestClient, db: Session, settings: Settings, consortium: Consortium
):
    db.add(CoursePartner(course_id=consortium.course_b.id, institution_id=consortium.a.id))
    db.flush()
    _, partner_manager = person(db, settings, PlatformRole.INSTITUTION_MANAGER, consortium.a)
    _, running_manager = person(db, settings, PlatformRole.INSTITUTION_MANAGER, consortium.b)
    url = f"/api/v1/courses/{consortium.course_b.id}/partners"

    by_partner = client.delete(url + "/P1", headers=partner_manager)
    itself = client.put(url + "/UNI-B", headers=running_manager)
    listed = client.get(url, headers=running_manager)

    assert by_partner.status_code == 403
    assert itself.status_code == 422
    assert itself.json()["code"] == "running_institution_not_partner"
    assert [p["code"] for p in listed.json()] == ["P1"]


def test_a_courses_partners_travel_with_its_package_and_its_runs(
    db: Session, settings: Settings, consortium: Consortium
):
    partners.add_partner(db, SYSTEM, consortium.course_a.id, "UNI-B")

    package = packages.export_course(db, SYSTEM, settings, consortium.course_a.id)
    source = packages.ZipSource(zipfile.ZipFile(io.BytesIO(package)), settings.max_package_bytes)
    imported = packages.import_course(db, SYSTEM, settings, source, "HS-COPY")
    run = courses.create_run(
        db, SYSTEM, consortium.course_a.id, CourseRunCreate(code="HS-RUN", starts_on="2027-01-04")
    )

    assert [p.code for p in partners.partner_institutions(db, imported.id)] == ["UNI-B"]
    assert [p.code for p in partners.partner_institutions(db, run.id)] == ["UNI-B"]


def test_a_manager_chooses_partners_on_the_course_edit_page(
    client: TestClient, db: Session, settings: Settings, consortium: Consortium
):
    make_user(db, email="coordinator@example.org", password=PASSWORD, role=PlatformRole.MANAGER)
    sign_in(client, "coordinator@example.org")
    page = client.get("/courses/HS-B/edit")

    added = client.post(
        "/courses/HS-B/partners",
        data={"institution_code": "P1", "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    refused = client.post(
        "/courses/HS-B/partners",
        data={"institution_code": "UNI-B", "csrf_token": csrf_from(page.text)},
    )

    assert page.status_code == 200
    assert "Partner institutions" in page.text
    assert added.status_code == 303
    assert refused.status_code == 400
    assert "cannot also be its partner" in refused.text
    assert [p.code for p in partners.partner_institutions(db, consortium.course_b.id)] == ["P1"]


def test_teachers_edit_the_course_without_the_partners_form(
    client: TestClient, db: Session, settings: Settings, consortium: Consortium
):
    teacher = make_user(db, email="teacher-b@example.org", password=PASSWORD)
    enrol_as(db, consortium.course_b, teacher, CourseRole.TEACHER)
    sign_in(client, "teacher-b@example.org")

    page = client.get("/courses/HS-B/edit")
    posted = client.post(
        "/courses/HS-B/partners",
        data={"institution_code": "P1", "csrf_token": csrf_from(page.text)},
    )

    assert page.status_code == 200
    assert "Partner institutions" not in page.text
    assert posted.status_code == 403
    assert partners.partner_institutions(db, consortium.course_b.id) == []


CONFINED_LISTS = (
    "/api/v1/courses?limit=100",
    "/api/v1/users?limit=100",
    "/api/v1/cohorts",
    "/api/v1/api-clients",
    "/api/v1/api-clients/usage",
    "/api/v1/scholarships",
    "/api/v1/programmes",
)


def _grow(db: Session, settings: Settings, consortium: Consortium, start: int, end: int) -> None:
    """More of everything, in both institutions: people, cohorts, clients, courses."""
    scholarship = EnrolmentTerms(funding=Funding.SCHOLARSHIP, funder_name="Erasmus+")
    courses = ((consortium.a, consortium.course_a), (consortium.b, consortium.course_b))
    for n in range(start, end):
        for institution, course in courses:
            learner = make_user(db, institution=institution)
            enrol(db, SYSTEM, course.id, learner.id, CourseRole.STUDENT, scholarship)
            create_cohort(db, SYSTEM, f"{institution.code}-{n}", "Intake", institution.code)
            make_api_client(db, institution, ["users:read"])
        extra = import_hs101(db, settings, code=f"B-MORE-{n}")
        extra.institution_id = consortium.b.id
    db.flush()


@pytest.mark.parametrize("path", CONFINED_LISTS)
def test_an_institution_managers_lists_are_filtered_in_a_constant_number_of_queries(
    client: TestClient,
    db: Session,
    settings: Settings,
    consortium: Consortium,
    queries: QueryCounter,
    path: str,
):
    _, headers = person(db, settings, PlatformRole.INSTITUTION_MANAGER, consortium.a)
    load_programmes(db, SEED)  # HS-CERT holds HS-101; B's course joins it for the report
    programme = db.scalars(select(Programme).where(Programme.code == "HS-CERT")).one()
    db.add(ProgrammeCourse(programme_id=programme.id, course_id=consortium.course_b.id))
    counts = []
    for start, end in ((0, 2), (2, 12)):
        _grow(db, settings, consortium, start, end)
        client.get(path, headers=headers)  # warm what is cached per process
        with queries:
            answer = client.get(path, headers=headers)
        assert answer.status_code == 200, answer.text
        counts.append(queries.count)

    assert counts[0] == counts[1], counts
    text = answer.text.replace(" ", "")
    assert f'"institution_id":{consortium.b.id}' not in text
    assert not any(code in text for code in ("UNI-B", "HS-B", "B-MORE"))


def test_on_the_seeded_data_only_the_lmqs_consortium_reaches_its_courses(
    client: TestClient, db: Session, settings: Settings, tmp_path
):
    settings.storage_dir = tmp_path
    seed.load_seed(db, settings)
    quality = db.scalars(select(Course).where(Course.code == "LMQS-QM")).one()
    institution = {i.code: i for i in db.scalars(select(Institution))}
    url = f"/api/v1/courses/{quality.id}/participants"

    ensp = client.get(url, headers=client_of(db, settings, institution["ENSP"]))
    nice = client.get(url, headers=client_of(db, settings, institution["P18"]))

    assert ensp.status_code == 404
    assert nice.status_code == 200
    codes = [p.code for p in partners.partner_institutions(db, quality.id)]
    assert codes == ["P13", "P18", "P21", "P5"]


def test_admins_grant_the_institution_manager_role_on_the_user_page(
    client: TestClient, db: Session, consortium: Consortium
):
    make_user(db, email="admin@example.org", password=PASSWORD, role=PlatformRole.ADMIN)
    sign_in(client, "admin@example.org")
    url = f"/admin/users/{consortium.learner_a.id}"
    page = client.get(url)

    saved = client.post(
        url,
        data={
            "display_name": consortium.learner_a.display_name,
            "platform_role": "institution_manager",
            "is_active": "true",
            "csrf_token": csrf_from(page.text),
        },
        follow_redirects=False,
    )

    assert 'value="institution_manager"' in page.text
    assert saved.status_code == 303
    db.expire_all()
    assert consortium.learner_a.platform_role is PlatformRole.INSTITUTION_MANAGER
