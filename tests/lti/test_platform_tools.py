"""Registering external tools over the API: an institution's manager and its partner client
(`lti:manage`) handle their institution's tools, a partner of another institution and a student
are refused with the one status each must get, a coordinator registers platform-wide tools,
bad input is refused and writes nothing; a course's teacher places a tool as a module, not one
of another institution."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import ApiClient, Institution
from app.core.actors import PlatformRole
from app.courses.models import Course, Module, ModuleKind
from app.lti.platform_models import LtiLink, LtiTool
from app.membership.models import CourseRole
from tests.accounts.factories import (
    PASSWORD,
    api_token,
    bearer,
    make_api_client,
    make_institution,
    make_user,
)
from tests.courses.factories import enrol_as, import_hs101
from tests.lti.platform_tool import new_private_key, public_pem

SECRET = "partner-client-secret"
TOOLS = "/api/v1/lti/tools"


@pytest.fixture
def course(db: Session, settings) -> Course:
    return import_hs101(db, settings)


@pytest.fixture
def p1(db: Session, course: Course) -> Institution:
    return db.get_one(Institution, course.institution_id)


@pytest.fixture
def p9(db: Session) -> Institution:
    return make_institution(db, "P9-LTI", "MA")


def _client_token(client: TestClient, api_client: ApiClient) -> dict[str, str]:
    response = client.post(
        "/api/v1/auth/token", data={"grant_type": "client_credentials"},
        auth=(api_client.client_id, SECRET),
    )  # fmt: skip
    assert response.status_code == 200, response.text
    return bearer(response.json()["access_token"])


def _partner(client: TestClient, db: Session, institution: Institution, scopes: list[str]):
    api_client = make_api_client(db, institution, scopes, secret=SECRET)
    db.commit()
    return _client_token(client, api_client)


def _person(client: TestClient, db: Session, **kwargs) -> dict[str, str]:
    user = make_user(db, password=PASSWORD, **kwargs)
    db.commit()
    return bearer(api_token(client, user.email))


def _body(**changes) -> dict:
    body = {
        "name": "Dosage drills", "login_url": "https://tool.example.org/login",
        "launch_url": "https://tool.example.org/launch",
        "jwks_url": "https://tool.example.org/jwks",
    }  # fmt: skip
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def _count(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(LtiTool)) or 0


def test_an_institution_manager_registers_reads_changes_and_removes_its_tool(
    client: TestClient, db: Session, p1: Institution
):
    headers = _person(client, db, role=PlatformRole.INSTITUTION_MANAGER, institution=p1)

    created = client.post(TOOLS, json=_body(), headers=headers)
    tool_id = created.json()["id"]
    listed = client.get(TOOLS, headers=headers)
    changed = client.patch(
        f"{TOOLS}/{tool_id}", json={"jwks_url": None, "public_key": public_pem(new_private_key())},
        headers=headers,
    )  # fmt: skip
    removed = client.delete(f"{TOOLS}/{tool_id}", headers=headers)

    assert created.status_code == 201, created.text
    body = created.json()
    assert body["institution_id"] == p1.id
    assert body["client_id"].startswith("agora-tool-")
    assert body["platform"]["token_url"].endswith("/lti/token")
    assert body["platform"]["authorization_url"].endswith("/lti/authorize")
    assert [t["id"] for t in listed.json()] == [tool_id]
    assert changed.status_code == 200, changed.text
    assert changed.json()["jwks_url"] is None
    assert removed.status_code == 204
    assert _count(db) == 0


def test_partner_clients_reach_their_own_institutions_tools_only(
    client: TestClient, db: Session, p1: Institution, p9: Institution
):
    ours = _partner(client, db, p1, ["lti:manage"])
    theirs = _partner(client, db, p9, ["lti:manage"])
    without_scope = _partner(client, db, p1, ["courses:read"])
    created = client.post(TOOLS, json=_body(client_id="p1-tool"), headers=ours)
    tool_id = created.json()["id"]

    other_reads = client.get(f"{TOOLS}/{tool_id}", headers=theirs)
    other_changes = client.patch(f"{TOOLS}/{tool_id}", json={"name": "Mine"}, headers=theirs)
    other_removes = client.delete(f"{TOOLS}/{tool_id}", headers=theirs)
    other_lists = client.get(TOOLS, headers=theirs)
    for_p1 = client.post(TOOLS, json=_body(institution_id=p1.id), headers=theirs)
    unscoped = client.get(TOOLS, headers=without_scope)

    assert created.status_code == 201, created.text
    assert created.json()["institution_id"] == p1.id
    assert client.get(f"{TOOLS}/{tool_id}", headers=ours).status_code == 200
    assert other_reads.status_code == 404
    assert other_changes.status_code == 404
    assert other_removes.status_code == 404
    assert other_lists.json() == []
    assert for_p1.status_code == 404  # another institution does not exist for it
    assert unscoped.status_code == 403
    db.expire_all()
    assert db.scalar(select(LtiTool.name)) == "Dosage drills"
    assert _count(db) == 1


def test_a_student_is_refused_and_a_coordinator_registers_platform_wide(
    client: TestClient, db: Session, course: Course
):
    student = _person(client, db)
    coordinator = _person(client, db, role=PlatformRole.MANAGER)

    refused = client.post(TOOLS, json=_body(), headers=student)
    listed = client.get(TOOLS, headers=student)
    created = client.post(TOOLS, json=_body(), headers=coordinator)

    assert refused.status_code == 403
    assert listed.status_code == 403
    assert created.status_code == 201
    assert created.json()["institution_id"] is None


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({"public_key": "-----BEGIN PUBLIC KEY-----"}, 422),  # both kinds of key
        ({"jwks_url": None}, 422),  # neither
        ({"jwks_url": None, "public_key": "not a key"}, 422),
        ({"login_url": "ftp://tool.example.org/login"}, 422),
        ({"launch_url": "https://169.254.169.254/launch"}, 422),
        ({"scopes": ["https://example.org/scope/everything"]}, 422),
    ],
)
def test_bad_registrations_are_refused_and_write_nothing(
    client: TestClient, db: Session, changes: dict, status: int
):
    coordinator = _person(client, db, role=PlatformRole.MANAGER)

    refused = client.post(TOOLS, json=_body(**changes), headers=coordinator)

    assert refused.status_code == status, refused.text
    assert _count(db) == 0


def test_a_taken_client_id_is_409(client: TestClient, db: Session):
    coordinator = _person(client, db, role=PlatformRole.MANAGER)
    assert client.post(TOOLS, json=_body(client_id="same"), headers=coordinator).status_code == 201

    again = client.post(TOOLS, json=_body(client_id="same"), headers=coordinator)

    assert again.status_code == 409
    assert _count(db) == 1


def test_a_teacher_places_a_tool_as_a_module_but_not_another_institutions(
    client: TestClient, db: Session, course: Course, p1: Institution, p9: Institution
):
    coordinator = _person(client, db, role=PlatformRole.MANAGER)
    ours = client.post(TOOLS, json=_body(institution_id=p1.id), headers=coordinator).json()
    theirs = client.post(TOOLS, json=_body(institution_id=p9.id), headers=coordinator).json()
    teacher = make_user(db, password=PASSWORD)
    student = make_user(db, password=PASSWORD)
    enrol_as(db, course, teacher, CourseRole.TEACHER)
    enrol_as(db, course, student, CourseRole.STUDENT)
    db.commit()
    section_id = db.scalar(select(Module.section_id).where(Module.course_id == course.id))
    as_teacher = bearer(api_token(client, teacher.email))
    as_student = bearer(api_token(client, student.email))
    placement = {"section_id": section_id, "title": "Drills", "line_item": {"score_maximum": 20}}

    placed = client.post(f"{TOOLS}/{ours['id']}/placements", json=placement, headers=as_teacher)
    foreign = client.post(f"{TOOLS}/{theirs['id']}/placements", json=placement, headers=as_teacher)
    by_student = client.post(f"{TOOLS}/{ours['id']}/placements", json=placement, headers=as_student)

    assert placed.status_code == 201, placed.text
    assert placed.json()["line_item_id"] is not None
    assert foreign.status_code == 404
    assert by_student.status_code == 403
    db.expire_all()
    module = db.get_one(Module, placed.json()["module_id"])
    assert (module.kind, module.title) == (ModuleKind.LTI, "Drills")
    assert db.scalar(select(func.count()).select_from(LtiLink)) == 1
