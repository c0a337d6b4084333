"""Users, institutions and API clients over the API, by role."""

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import ApiClient, AuditEntry, User
from app.core.actors import PlatformRole
from tests.accounts.factories import PASSWORD, api_token, bearer, make_institution, make_user


def _headers(client: TestClient, db: Session, role: PlatformRole) -> dict[str, str]:
    email = f"{role.value}-caller@example.org"
    make_user(db, email=email, password=PASSWORD, role=role)
    return bearer(api_token(client, email))


def _users(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(User)) or 0


def test_manager_creates_a_student_account(client: TestClient, db: Session):
    make_institution(db, "P12", "KZ")
    headers = _headers(client, db, PlatformRole.MANAGER)

    response = client.post(
        "/api/v1/users",
        json={
            "email": "Aigerim@Example.org",
            "display_name": "Aigerim Nurlanovna",
            "preferred_language": "ru",
            "time_zone": "Asia/Almaty",
            "country": "kz",
            "institution_code": "p12",
        },
        headers=headers,
    )

    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "aigerim@example.org"
    assert (body["country"], body["platform_role"]) == ("KZ", "user")
    assert "password_hash" not in body


def test_email_addresses_are_unique_whatever_their_case(client: TestClient, db: Session):
    make_user(db, email="dup@example.org")
    headers = _headers(client, db, PlatformRole.MANAGER)
    before = _users(db)

    response = client.post(
        "/api/v1/users", json={"email": "DUP@example.ORG", "display_name": "Dup"}, headers=headers
    )

    assert response.status_code == 409
    assert response.json()["code"] == "email_taken"
    assert _users(db) == before


def test_manager_cannot_create_an_admin_but_an_admin_can(client: TestClient, db: Session):
    manager = _headers(client, db, PlatformRole.MANAGER)
    admin = _headers(client, db, PlatformRole.ADMIN)
    new_admin = {"email": "root@example.org", "display_name": "Root", "platform_role": "admin"}

    assert client.post("/api/v1/users", json=new_admin, headers=manager).status_code == 403
    assert client.post("/api/v1/users", json=new_admin, headers=admin).status_code == 201


def test_student_cannot_list_or_read_other_users(client: TestClient, db: Session):
    other = make_user(db)
    headers = _headers(client, db, PlatformRole.USER)

    assert client.get("/api/v1/users", headers=headers).status_code == 403
    assert client.get(f"/api/v1/users/{other.id}", headers=headers).status_code == 404


def test_anonymous_gets_401_on_protected_operations(client: TestClient):
    assert client.get("/api/v1/users").status_code == 401
    assert client.get("/api/v1/users/me").status_code == 401


def test_manager_lists_users_page_by_page(client: TestClient, db: Session):
    for _ in range(5):
        make_user(db)
    headers = _headers(client, db, PlatformRole.MANAGER)

    first = client.get("/api/v1/users?limit=4", headers=headers).json()
    second = client.get(
        f"/api/v1/users?limit=4&cursor={first['next_cursor']}", headers=headers
    ).json()

    ids = [u["id"] for u in first["items"] + second["items"]]
    assert len(ids) == len(set(ids)) == _users(db)
    assert second["next_cursor"] is None


def test_a_forged_cursor_is_a_clear_error(client: TestClient, db: Session):
    headers = _headers(client, db, PlatformRole.MANAGER)

    response = client.get("/api/v1/users?cursor=%%%", headers=headers)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "cursor"


def test_manager_cannot_promote_a_user_and_admin_can(client: TestClient, db: Session):
    user = make_user(db)
    manager = _headers(client, db, PlatformRole.MANAGER)
    admin = _headers(client, db, PlatformRole.ADMIN)
    promote = {"platform_role": "manager"}

    assert (
        client.patch(f"/api/v1/users/{user.id}", json=promote, headers=manager).status_code == 403
    )
    assert client.patch(f"/api/v1/users/{user.id}", json=promote, headers=admin).status_code == 200
    audit = db.scalar(select(AuditEntry).where(AuditEntry.subject == f"user:{user.id}"))
    assert audit is not None
    assert audit.action == "user.update"


def test_manager_creates_an_api_client_and_sees_its_secret_once(client: TestClient, db: Session):
    make_institution(db, "P5", "AZ")
    headers = _headers(client, db, PlatformRole.MANAGER)

    created = client.post(
        "/api/v1/api-clients",
        json={"name": "Baku registry", "institution_code": "P5", "scopes": ["enrolments:write"]},
        headers=headers,
    )
    listed = client.get("/api/v1/api-clients", headers=headers)

    assert created.status_code == 201
    secret = created.json()["client_secret"]
    assert len(secret) > 30
    assert secret not in listed.text
    stored = db.scalar(select(ApiClient).where(ApiClient.client_id == created.json()["client_id"]))
    assert stored is not None
    assert secret not in stored.secret_hash
    token = client.post(
        "/api/v1/auth/token",
        data={"grant_type": "client_credentials"},
        auth=(created.json()["client_id"], secret),
    )
    assert token.json()["scope"] == "enrolments:write"


def test_api_client_with_unknown_scope_is_refused(client: TestClient, db: Session):
    make_institution(db, "P5", "AZ")
    headers = _headers(client, db, PlatformRole.MANAGER)

    response = client.post(
        "/api/v1/api-clients",
        json={"name": "X", "institution_code": "P5", "scopes": ["everything"]},
        headers=headers,
    )

    assert response.status_code == 422
    assert db.scalar(select(func.count()).select_from(ApiClient)) == 0


def test_students_cannot_create_api_clients(client: TestClient, db: Session):
    make_institution(db, "P5", "AZ")
    headers = _headers(client, db, PlatformRole.USER)

    response = client.post(
        "/api/v1/api-clients",
        json={"name": "X", "institution_code": "P5", "scopes": ["users:read"]},
        headers=headers,
    )

    assert response.status_code == 403


def test_institution_codes_are_unique(client: TestClient, db: Session):
    make_institution(db, "P12", "KZ")
    headers = _headers(client, db, PlatformRole.MANAGER)

    response = client.post(
        "/api/v1/institutions",
        json={"code": "p12", "name": "Astana Medical University", "country": "KZ"},
        headers=headers,
    )

    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "code"
