"""Who may do what, asserted role by role for the operations that guard people's data and
the course's content. `tests/test_api_access.py` sweeps every operation for denials."""

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.actors import PlatformRole
from app.core.config import Settings
from app.enrolment.models import CourseRole, Enrolment
from tests.accounts.factories import (
    PASSWORD,
    api_token,
    bearer,
    make_api_client,
    make_institution,
    make_user,
)
from tests.courses.factories import enrol_as, import_hs101

ROLES = [
    "anonymous",
    "student",
    "student elsewhere",
    "tutor",
    "teacher",
    "manager",
    "admin",
    "client with scope",
    "client without scope",
]
OK = "ok"
# operation -> (method, path, body, expected per role: OK or the status code)
MATRIX: dict[str, tuple[str, str, dict[str, Any] | None, dict[str, object]]] = {
    "list participants": (
        "GET", "/api/v1/courses/{course}/participants", None,
        {"anonymous": 401, "student": 404, "student elsewhere": 404, "tutor": OK, "teacher": OK,
         "manager": OK, "admin": OK, "client with scope": OK, "client without scope": 404},
    ),
    "enrol someone": (
        "POST", "/api/v1/courses/{course}/enrolments", {"user_id": "{newcomer}"},
        {"anonymous": 401, "student": 403, "student elsewhere": 403, "tutor": 403, "teacher": OK,
         "manager": OK, "admin": OK, "client with scope": OK, "client without scope": 403},
    ),
    "read another's enrolment": (
        "GET", "/api/v1/enrolments/{victim_enrolment}", None,
        {"anonymous": 401, "student": 404, "student elsewhere": 404, "tutor": OK, "teacher": OK,
         "manager": OK, "admin": OK, "client with scope": OK, "client without scope": 404},
    ),
    "edit the course": (
        "PATCH", "/api/v1/courses/{course}", {"summary": "Changed"},
        # A closed course is not revealed to those who cannot see it: 404, not 403.
        {"anonymous": 401, "student": 403, "student elsewhere": 404, "tutor": 403, "teacher": OK,
         "manager": OK, "admin": OK, "client with scope": 404, "client without scope": 404},
    ),
    "create a group": (
        "POST", "/api/v1/courses/{course}/groups", {"name": "Team {role}"},
        {"anonymous": 401, "student": 403, "student elsewhere": 403, "tutor": OK, "teacher": OK,
         "manager": OK, "admin": OK, "client with scope": 403, "client without scope": 403},
    ),
    "list users": (
        "GET", "/api/v1/users", None,
        {"anonymous": 401, "student": 403, "student elsewhere": 403, "tutor": 403, "teacher": 403,
         "manager": OK, "admin": OK, "client with scope": 403, "client without scope": 403},
    ),
    "create an API client": (
        "POST", "/api/v1/api-clients",
        {"name": "X", "institution_code": "P77", "scopes": ["users:read"]},
        {"anonymous": 401, "student": 403, "student elsewhere": 403, "tutor": 403, "teacher": 403,
         "manager": OK, "admin": OK, "client with scope": 403, "client without scope": 403},
    ),
    "scholarship report": (
        "GET", "/api/v1/scholarships", None,
        {"anonymous": 401, "student": 403, "student elsewhere": 403, "tutor": 403, "teacher": 403,
         "manager": OK, "admin": OK, "client with scope": 403, "client without scope": 403},
    ),
}  # fmt: skip


@pytest.fixture
def world(client: TestClient, db: Session, settings: Settings, tmp_path: Path) -> dict[str, Any]:
    settings.storage_dir = tmp_path
    course = import_hs101(db, settings)
    course.is_open = False
    other = import_hs101(db, settings, code="HS-OTHER")
    partner = make_institution(db, "P77", "KZ")
    headers: dict[str, dict[str, str]] = {"anonymous": {}}

    def person(
        role: str, course_role: CourseRole | None, platform: PlatformRole = PlatformRole.USER
    ) -> None:
        user = make_user(
            db, email=f"{role.replace(' ', '-')}@example.org", password=PASSWORD, role=platform
        )
        if course_role is not None:
            enrol_as(db, other if role == "student elsewhere" else course, user, course_role)
        headers[role] = bearer(api_token(client, user.email))

    person("student", CourseRole.STUDENT)
    person("student elsewhere", CourseRole.STUDENT)
    person("tutor", CourseRole.TUTOR)
    person("teacher", CourseRole.TEACHER)
    person("manager", None, PlatformRole.MANAGER)
    person("admin", None, PlatformRole.ADMIN)
    for role, scopes in (
        (
            "client with scope",
            ["enrolments:read", "enrolments:write", "courses:write", "users:read"],
        ),
        ("client without scope", []),
    ):
        api_client = make_api_client(db, partner, scopes)
        token = client.post(
            "/api/v1/auth/token",
            data={"grant_type": "client_credentials"},
            auth=(api_client.client_id, "s3cret-partner-key"),
        ).json()["access_token"]
        headers[role] = bearer(token)
    victim = make_user(db)
    enrol_as(db, course, victim, CourseRole.STUDENT)
    values = {
        "course": course.id,
        "victim_enrolment": db.scalar(select(Enrolment.id).where(Enrolment.user_id == victim.id)),
    }
    return {"headers": headers, "values": values, "db": db}


def _fill(value: object, values: dict[str, object]) -> object:
    if isinstance(value, str):
        for name, replacement in values.items():
            if value == f"{{{name}}}":
                return replacement
            value = value.replace(f"{{{name}}}", str(replacement))
        return value
    if isinstance(value, dict):
        return {k: _fill(v, values) for k, v in value.items()}
    return value


@pytest.mark.parametrize("operation", list(MATRIX))
def test_each_role_gets_exactly_what_it_may(
    client: TestClient, world: dict[str, Any], operation: str
):
    method, path, body, expected = MATRIX[operation]
    assert set(expected) == set(ROLES)
    results = {}
    for role in ROLES:
        newcomer = make_user(world["db"])
        values = {**world["values"], "newcomer": newcomer.id, "role": role}
        response = client.request(
            method,
            str(_fill(path, values)),
            headers=world["headers"][role],
            json=_fill(body, values) if body is not None else None,
        )
        results[role] = OK if response.status_code in (200, 201, 204) else response.status_code

    assert results == expected
