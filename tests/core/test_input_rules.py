"""The input rules every operation obeys (docs/api.md): no NUL character, ids and integers an
`integer` column holds, datetimes with a zone, no `null` for a required field in a PATCH, and
a parent that must exist. Each is a 4xx that names the problem and stores nothing — never a 500."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.actors import PlatformRole
from app.core.config import Settings
from app.core.inputs import MAX_INT
from app.courses.models import Course, Module, Section
from app.enrolment.models import Group
from tests.accounts.factories import PASSWORD, api_token, bearer, make_user
from tests.courses.conftest import settings  # noqa: F401  (uploads under the test's own folder)
from tests.courses.factories import import_hs101

MISSING = 999_999


@pytest.fixture
def manager(client: TestClient, db: Session) -> dict[str, str]:
    make_user(db, email="rules-boss@example.org", password=PASSWORD, role=PlatformRole.MANAGER)
    return bearer(api_token(client, "rules-boss@example.org"))


@pytest.fixture
def course(db: Session, settings: Settings) -> Course:  # noqa: F811
    return import_hs101(db, settings)


def _section(db: Session, course: Course) -> Section:
    return db.scalars(select(Section).where(Section.course_id == course.id)).first()


def _count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model))


# --- NUL characters --------------------------------------------------------------------------


def test_nul_in_a_page_query_is_a_400_page_that_says_why(client: TestClient):
    response = client.get("/catalogue?q=a%00b", headers={"Accept-Language": "fr"})

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert "Le texte ne peut pas contenir le caractère NUL." in response.text


def test_nul_in_an_api_query_is_a_422_problem(client: TestClient):
    response = client.get("/api/v1/courses?q=a%00b")

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "validation_error"


def test_nul_in_a_path_segment_is_a_422_problem(client: TestClient, manager):
    response = client.get("/api/v1/modules/1/files/a%00b.pdf", headers=manager)

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


def test_nul_in_a_json_string_names_the_field_and_stores_nothing(
    client: TestClient, db: Session, manager
):
    before = _count(db, User)

    response = client.post(
        "/api/v1/users",
        json={"email": "nul@example.org", "display_name": "Ana\u0000Lopes"},
        headers=manager,
    )

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["display_name"]
    assert _count(db, User) == before


def test_nul_in_a_form_field_is_a_422_problem(client: TestClient):
    response = client.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": "a\x00b@example.org", "password": "x"},
    )

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


def test_nul_in_a_portal_form_is_a_400_page_that_says_why(client: TestClient):
    response = client.post(
        "/login", data={"email": "a\x00b@example.org", "password": "x", "csrf_token": "t"}
    )

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert "Text may not contain the NUL character." in response.text


# --- ids and integers ------------------------------------------------------------------------


@pytest.mark.parametrize("user_id", ["1517889739570849", str(2**64), "0"])
def test_an_id_out_of_range_is_a_422_problem(client: TestClient, manager, user_id: str):
    response = client.get(f"/api/v1/users/{user_id}", headers=manager)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "path.user_id"


def test_an_id_out_of_range_in_a_page_is_refused_not_a_500(client: TestClient):
    response = client.get(f"/modules/{2**64}/files/notes.pdf")

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")


def test_an_integer_beyond_the_column_in_a_body_is_a_422(
    client: TestClient, db: Session, manager, course: Course
):
    response = client.put(
        f"/api/v1/courses/{course.id}/enrolment-options",
        json={"capacity": 2**40},
        headers=manager,
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "capacity"


def test_every_integer_parameter_and_field_is_bounded_in_the_openapi_document(app: FastAPI):
    document = app.openapi()
    unbounded = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                for schema in _integer_schemas(parameter["schema"]):
                    if schema.get("maximum", 2**63) > MAX_INT:
                        unbounded.append(f"{method.upper()} {path} {parameter['name']}")
    for name, component in document["components"]["schemas"].items():
        for field, schema in component.get("properties", {}).items():
            is_input = component.get("additionalProperties") is False  # StrictInput forbids extras
            for integer in _integer_schemas(schema):
                if is_input and integer.get("maximum", 2**63) > MAX_INT:
                    unbounded.append(f"{name}.{field}")

    assert unbounded == []


def _integer_schemas(schema: dict) -> list[dict]:
    found = [schema] if schema.get("type") == "integer" else []
    for option in schema.get("anyOf", []):
        found += _integer_schemas(option)
    if isinstance(schema.get("items"), dict):
        found += _integer_schemas(schema["items"])
    return found


# --- null in a PATCH -------------------------------------------------------------------------


def test_null_for_a_required_field_in_a_patch_is_a_422_and_keeps_the_value(
    client: TestClient, db: Session, manager, course: Course
):
    section = _section(db, course)
    title = section.title

    response = client.patch(f"/api/v1/sections/{section.id}", json={"title": None}, headers=manager)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "title"
    db.expire_all()
    assert db.get(Section, section.id).title == title


def test_null_clears_a_field_that_may_be_empty(
    client: TestClient, db: Session, manager, course: Course
):
    response = client.patch(f"/api/v1/courses/{course.id}", json={"licence": None}, headers=manager)

    assert response.status_code == 200, response.text
    assert response.json()["licence"] is None


def test_the_openapi_document_says_which_patch_fields_take_null(app: FastAPI):
    schemas = app.openapi()["components"]["schemas"]

    assert "anyOf" not in schemas["SectionUpdate"]["properties"]["title"]
    assert {"type": "null"} in schemas["CourseUpdate"]["properties"]["licence"]["anyOf"]


# --- datetimes -------------------------------------------------------------------------------


def test_a_datetime_without_a_zone_is_a_422_and_stores_nothing(
    client: TestClient, db: Session, manager, course: Course
):
    section = _section(db, course)
    before = _count(db, Module)

    response = client.post(
        f"/api/v1/sections/{section.id}/modules",
        json={
            "key": "naive-times",
            "kind": "page",
            "title": "Reading week",
            "available_from": "2026-12-07T09:00:00",
        },
        headers=manager,
    )

    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == "available_from"
    assert "timezone" in error["message"]
    assert _count(db, Module) == before


def test_a_datetime_with_its_zone_is_accepted(
    client: TestClient, db: Session, manager, course: Course
):
    response = client.put(
        f"/api/v1/courses/{course.id}/enrolment-options",
        json={"opens_at": "2026-12-07T09:00:00+07:00"},
        headers=manager,
    )

    assert response.status_code == 204, response.text


# --- a parent that does not exist ------------------------------------------------------------

CREATE_UNDER_A_MISSING_PARENT = [
    ("POST", f"/api/v1/courses/{MISSING}/groups", {"name": "0"}),
    ("POST", f"/api/v1/courses/{MISSING}/groupings", {"name": "Teams"}),
    ("POST", f"/api/v1/courses/{MISSING}/sections", {"title": "Week 1"}),
    ("POST", f"/api/v1/courses/{MISSING}/enrolments", {"user_id": 1}),
    ("PUT", f"/api/v1/courses/{MISSING}/enrolment-options", {"capacity": 3}),
    ("POST", f"/api/v1/courses/{MISSING}/bulk-enrolments", {"institution_code": "P1", "rows": []}),
    ("PUT", f"/api/v1/courses/{MISSING}/prerequisites", []),
    ("POST", f"/api/v1/courses/{MISSING}/runs", {"code": "HS-999", "starts_on": "2027-01-04"}),
    ("POST", f"/api/v1/sections/{MISSING}/modules", {"key": "k", "kind": "page", "title": "T"}),
    (
        "POST",
        f"/api/v1/courses/{MISSING}/sessions",
        {
            "title": "Webinar",
            "time_zone": "UTC",
            "starts_at": "2027-01-04T09:00:00Z",
            "ends_at": "2027-01-04T10:00:00Z",
        },
    ),
    ("POST", f"/api/v1/cohorts/{MISSING}/courses", {"course_id": 1}),
    ("POST", f"/api/v1/cohorts/{MISSING}/members", {"user_id": 1}),
    ("PUT", f"/api/v1/groups/{MISSING}/members/1", None),
    ("PUT", f"/api/v1/users/{MISSING}/learner-profile", {"refugee": False}),
    ("POST", f"/api/v1/sessions/{MISSING}/registrations/bulk", {"group_id": 1}),
    ("PUT", f"/api/v1/sessions/{MISSING}/attendance/1", {"status": "present"}),
]


@pytest.mark.parametrize(("method", "path", "body"), CREATE_UNDER_A_MISSING_PARENT)
def test_creating_under_a_missing_parent_is_a_404(
    client: TestClient, manager, course: Course, method: str, path: str, body: object
):
    response = client.request(method, path, json=body, headers=manager)

    assert response.status_code == 404, response.text
    assert response.json()["code"] == "not_found"


def test_a_group_under_a_missing_course_stores_nothing(client: TestClient, db: Session, manager):
    before = _count(db, Group)

    client.post(f"/api/v1/courses/{MISSING}/groups", json={"name": "0"}, headers=manager)

    assert _count(db, Group) == before
