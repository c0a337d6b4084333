"""One funding rule on every way in (a scholarship names its funder), and the bulk rule for
external ids: an id names one person, a person has one id per partner institution, and the
report says what was done."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import Institution, User
from app.core.actors import PlatformRole
from app.core.config import Settings
from app.courses.models import Course
from app.enrolment.models import ExternalId, ProgrammeEnrolment
from app.enrolment.service import EnrolmentTerms, FunderRequired
from app.membership.models import CourseRole, Enrolment, Funding
from app.seed import load_programmes
from tests.accounts.factories import PASSWORD, api_token, bearer, make_user, page_csrf, sign_in
from tests.courses.factories import SEED, enrol_as, import_hs101

PARTNER = "P1"


def _count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def _written(db: Session) -> tuple[int, int, int, int]:
    return (
        _count(db, User),
        _count(db, Enrolment),
        _count(db, ExternalId),
        _count(db, ProgrammeEnrolment),
    )


@pytest.fixture
def course(db: Session, settings: Settings) -> Course:
    return import_hs101(db, settings)


@pytest.fixture
def manager(client: TestClient, db: Session) -> dict[str, str]:
    make_user(db, email="m@example.org", password=PASSWORD, role=PlatformRole.MANAGER)
    return bearer(api_token(client, "m@example.org"))


def _bulk(client: TestClient, headers: dict[str, str], course: Course, rows: list[dict]):
    response = client.post(
        f"/api/v1/courses/{course.id}/bulk-enrolments",
        json={"rows": rows, "institution_code": PARTNER},
        headers=headers,
    )
    assert response.status_code == 200
    return response.json()


# --- a scholarship names its funder, whichever way the enrolment comes in ----------------


@pytest.mark.parametrize("funder_name", [None, "", "   "])
def test_the_terms_refuse_a_scholarship_without_a_funder(funder_name: str | None):
    with pytest.raises(FunderRequired):
        EnrolmentTerms(funding=Funding.SCHOLARSHIP, funder_name=funder_name)


@pytest.mark.parametrize("funder", [{}, {"funder_name": "  "}])
def test_single_enrolment_api_refuses_a_scholarship_without_a_funder(
    client: TestClient, db: Session, course: Course, manager: dict[str, str], funder: dict
):
    learner = make_user(db)
    before = _written(db)

    response = client.post(
        f"/api/v1/courses/{course.id}/enrolments",
        json={"user_id": learner.id, "funding": "scholarship", **funder},
        headers=manager,
    )

    assert response.status_code == 422
    assert response.json()["code"] == "funder_required"
    assert _written(db) == before


def test_programme_enrolment_refuses_a_scholarship_without_a_funder(
    client: TestClient, db: Session, course: Course, manager: dict[str, str]
):
    load_programmes(db, SEED)
    learner = make_user(db)
    before = _written(db)

    response = client.post(
        "/api/v1/programmes/HS-CERT/enrolments",
        json={"user_id": learner.id, "funding": "scholarship"},
        headers=manager,
    )

    assert response.status_code == 422
    assert response.json()["code"] == "funder_required"
    assert _written(db) == before


def test_a_bulk_row_with_a_scholarship_without_a_funder_is_rejected_and_writes_nothing(
    client: TestClient, db: Session, course: Course, manager: dict[str, str]
):
    before = _written(db)

    report = _bulk(
        client, manager, course,
        [{"external_id": "X-1", "email": "x@example.org", "display_name": "X",
          "funding": "scholarship", "funder_name": " "}],
    )  # fmt: skip

    assert report[0]["outcome"] == "rejected"
    assert report[0]["reason"] == "A scholarship needs the funder's name."
    assert _written(db) == before


SCHOLARSHIP_WITHOUT_FUNDER_CSV = (
    "external_id,email,display_name,funding,funder_name\nX-1,x@example.org,X,scholarship,\n"
)


def test_the_portal_csv_upload_rejects_a_scholarship_without_a_funder(
    client: TestClient, db: Session, course: Course
):
    make_user(db, email="m@example.org", password=PASSWORD, role=PlatformRole.MANAGER)
    sign_in(client, "m@example.org")
    path = f"/courses/{course.code}/bulk-enrol"
    before = _written(db)

    page = client.post(
        path,
        data={"csrf_token": page_csrf(client, path), "institution_code": PARTNER},
        files={"file": ("intake.csv", SCHOLARSHIP_WITHOUT_FUNDER_CSV.encode())},
    )

    assert page.text.count(">rejected<") == 1
    assert "A scholarship needs the funder&#39;s name." in page.text
    assert _written(db) == before


def test_a_cohort_intake_rejects_a_scholarship_without_a_funder(
    client: TestClient, db: Session, course: Course
):
    make_user(db, email="m@example.org", password=PASSWORD, role=PlatformRole.MANAGER)
    sign_in(client, "m@example.org")
    created = client.post(
        "/admin/cohorts",
        data={"csrf_token": page_csrf(client, "/admin/cohorts"), "code": "C-1", "name": "C"},
        follow_redirects=False,
    )
    page = created.headers["location"]
    before = _written(db)

    report = client.post(
        f"{page}/csv",
        data={"csrf_token": page_csrf(client, page), "institution_code": PARTNER},
        files={"file": ("intake.csv", SCHOLARSHIP_WITHOUT_FUNDER_CSV.encode(), "text/csv")},
    )

    assert report.text.split("<tbody>")[-1].count("rejected") == 1
    assert _written(db) == before


# --- external ids: one person, one id per partner institution -----------------------------


def _ids_of(db: Session, user: User) -> list[str]:
    partner = db.scalar(select(Institution.id).where(Institution.code == PARTNER))
    return list(
        db.scalars(
            select(ExternalId.external_id).where(
                ExternalId.user_id == user.id, ExternalId.institution_id == partner
            )
        )
    )


def test_a_new_id_for_an_enrolled_person_on_file_is_linked_and_reported_updated(
    client: TestClient, db: Session, course: Course, manager: dict[str, str]
):
    person = make_user(db, email="aigerim@example.kz")
    enrol_as(db, course, person, CourseRole.STUDENT)
    row = {"external_id": "KZ-001", "email": "aigerim@example.kz", "display_name": "Aigerim"}

    first = _bulk(client, manager, course, [row])
    second = _bulk(client, manager, course, [row])

    assert first[0]["outcome"] == "updated"
    assert second[0]["outcome"] == "unchanged"
    assert _ids_of(db, person) == ["KZ-001"]


def test_a_second_id_for_a_person_the_partner_knows_is_rejected_and_not_added(
    client: TestClient, db: Session, course: Course, manager: dict[str, str]
):
    row = {"external_id": "KZ-001", "email": "aigerim@example.kz", "display_name": "Aigerim"}
    _bulk(client, manager, course, [row])
    person = db.scalar(select(User).where(User.email == "aigerim@example.kz"))
    assert person is not None

    report = _bulk(client, manager, course, [{**row, "external_id": "KZ-999"}])

    assert report[0]["outcome"] == "rejected"
    assert report[0]["reason_code"] == "external_id_conflict"
    assert report[0]["reason"] == (
        "This person is already known to the institution by another external id."
    )
    assert _ids_of(db, person) == ["KZ-001"]


def test_two_ids_for_one_person_in_one_batch_keep_the_first(
    client: TestClient, db: Session, course: Course, manager: dict[str, str]
):
    row = {"external_id": "KZ-001", "email": "aigerim@example.kz", "display_name": "Aigerim"}

    report = _bulk(client, manager, course, [row, {**row, "external_id": "KZ-002"}])

    person = db.scalar(select(User).where(User.email == "aigerim@example.kz"))
    assert person is not None
    assert [r["outcome"] for r in report] == ["created", "rejected"]
    assert _ids_of(db, person) == ["KZ-001"]
