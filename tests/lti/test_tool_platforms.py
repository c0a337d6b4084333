"""Registering a partner LMS as an LTI platform over the API: its client (`lti:manage`) and its
institution's managers register, read, change and remove their institution's; another
institution's registration does not exist for them (404); a student or a client without the
scope is refused (403); a refused write changes nothing."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import ApiClient, Institution
from app.core.actors import PlatformRole
from app.core.config import Settings
from app.lti.tool_models import LtiPlatform
from tests.accounts.factories import (
    PASSWORD,
    api_token,
    bearer,
    make_api_client,
    make_institution,
    make_user,
)

SECRET = "partner-client-secret"
BASE = "/api/v1/lti/platforms"


@pytest.fixture
def p88(db: Session) -> Institution:
    return make_institution(db, "P88", "MA")


@pytest.fixture
def p89(db: Session) -> Institution:
    return make_institution(db, "P89", "LA")


def _body(institution_id: int | None, client_id: str = "agora") -> dict[str, object]:
    body: dict[str, object] = {
        "name": "Partner Moodle",
        "issuer": "https://moodle.partner.example.org",
        "client_id": client_id,
        "deployment_ids": ["1", "1", "2"],
        "auth_login_url": "https://moodle.partner.example.org/mod/lti/auth.php",
        "auth_token_url": "https://moodle.partner.example.org/mod/lti/token.php",
        "jwks_url": "https://moodle.partner.example.org/mod/lti/certs.php",
    }
    if institution_id is not None:
        body["institution_id"] = institution_id
    return body


def _client_headers(client: TestClient, api_client: ApiClient) -> dict[str, str]:
    response = client.post(
        "/api/v1/auth/token", data={"grant_type": "client_credentials"},
        auth=(api_client.client_id, SECRET),
    )  # fmt: skip
    return bearer(response.json()["access_token"])


def _count(db: Session) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(LtiPlatform)) or 0


def test_a_partner_client_registers_its_own_platform_and_reads_our_endpoints(
    client: TestClient, db: Session, p88: Institution, settings: Settings
):
    mine = make_api_client(db, p88, ["lti:manage"], secret=SECRET)
    db.commit()
    headers = _client_headers(client, mine)
    base = settings.base_url

    created = client.post(BASE, json=_body(None), headers=headers)
    read = client.get(f"{BASE}/{created.json()['id']}", headers=headers)
    changed = client.patch(
        f"{BASE}/{created.json()['id']}", json={"deployment_ids": ["3"]}, headers=headers
    )
    listed = client.get(BASE, headers=headers)
    removed = client.delete(f"{BASE}/{created.json()['id']}", headers=headers)

    assert created.status_code == 201, created.text
    assert created.json()["institution_id"] == p88.id
    assert created.json()["deployment_ids"] == ["1", "2"]
    assert created.json()["tool"] == {
        "login_url": f"{base}/lti/tool/login",
        "launch_url": f"{base}/lti/tool/launch",
        "jwks_url": f"{base}/lti/jwks.json",
    }
    assert read.status_code == 200
    assert changed.status_code == 200
    assert changed.json()["deployment_ids"] == ["3"]
    assert [p["id"] for p in listed.json()] == [created.json()["id"]]
    assert removed.status_code == 204
    assert _count(db) == 0


def test_another_institutions_registration_does_not_exist_for_a_partner(
    client: TestClient, db: Session, p88: Institution, p89: Institution
):
    theirs = LtiPlatform(institution_id=p89.id, **_body(None))  # type: ignore[arg-type]
    db.add(theirs)
    neighbour = make_api_client(db, p88, ["lti:manage"], secret=SECRET)
    db.commit()
    headers = _client_headers(client, neighbour)

    statuses = [
        client.get(f"{BASE}/{theirs.id}", headers=headers).status_code,
        client.patch(f"{BASE}/{theirs.id}", json={"name": "x"}, headers=headers).status_code,
        client.delete(f"{BASE}/{theirs.id}", headers=headers).status_code,
        client.post(BASE, json=_body(p89.id, "other"), headers=headers).status_code,
    ]
    listed = client.get(BASE, headers=headers).json()

    assert statuses == [404, 404, 404, 404]
    assert listed == []
    db.expire_all()
    assert db.get_one(LtiPlatform, theirs.id).name == "Partner Moodle"
    assert _count(db) == 1


def test_a_manager_registers_for_their_institution_and_a_duplicate_is_409(
    client: TestClient, db: Session, p88: Institution, p89: Institution
):
    manager = make_user(
        db, password=PASSWORD, role=PlatformRole.INSTITUTION_MANAGER, institution=p88
    )
    db.commit()
    headers = bearer(api_token(client, manager.email))

    created = client.post(BASE, json=_body(None), headers=headers)
    duplicate = client.post(BASE, json=_body(p88.id), headers=headers)
    elsewhere = client.post(BASE, json=_body(p89.id, "x"), headers=headers)

    assert created.status_code == 201, created.text
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "lti_platform_taken"
    assert elsewhere.status_code == 404
    assert _count(db) == 1


def test_a_coordinator_names_the_institution(client: TestClient, db: Session, p89: Institution):
    coordinator = make_user(db, password=PASSWORD, role=PlatformRole.MANAGER)
    db.commit()
    headers = bearer(api_token(client, coordinator.email))

    unnamed = client.post(BASE, json=_body(None), headers=headers)
    named = client.post(BASE, json=_body(p89.id), headers=headers)

    assert unnamed.status_code == 422
    assert unnamed.json()["code"] == "institution_needed"
    assert named.status_code == 201


def test_a_student_or_a_client_without_the_scope_is_refused(
    client: TestClient, db: Session, p88: Institution
):
    student = make_user(db, password=PASSWORD, institution=p88)
    unscoped = make_api_client(db, p88, ["enrolments:read"], secret=SECRET)
    db.commit()

    for headers in (bearer(api_token(client, student.email)), _client_headers(client, unscoped)):
        assert client.post(BASE, json=_body(p88.id), headers=headers).status_code == 403
        assert client.get(BASE, headers=headers).status_code == 403
    assert client.get(BASE).status_code == 401
    assert _count(db) == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"jwks_url": "http://169.254.169.254/keys"}, "jwks_url"),
        ({"auth_token_url": "not an address"}, "auth_token_url"),
        ({"issuer": "moodle"}, "issuer"),
        ({"deployment_ids": []}, "deployment_ids"),
        ({"secret": "x"}, "secret"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(
    client: TestClient, db: Session, p88: Institution, change, field
):
    mine = make_api_client(db, p88, ["lti:manage"], secret=SECRET)
    db.commit()

    response = client.post(
        BASE, json={**_body(None), **change}, headers=_client_headers(client, mine)
    )

    assert response.status_code == 422, response.text
    assert field in response.text
    assert _count(db) == 0
