"""Managers administer users, institutions and API clients through the portal."""

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import ApiClient, Institution, User
from app.core.actors import PlatformRole
from tests.accounts.factories import PASSWORD, make_institution, make_user, page_csrf, sign_in


def _as(client: TestClient, db: Session, role: PlatformRole) -> None:
    email = f"{role.value}@example.org"
    make_user(db, email=email, password=PASSWORD, role=role)
    sign_in(client, email)


def test_students_cannot_open_administration(client: TestClient, db: Session):
    _as(client, db, PlatformRole.USER)

    for path in ("/admin/users", "/admin/institutions", "/admin/api-clients"):
        assert client.get(path).status_code == 403, path


def test_manager_finds_a_user_by_name(client: TestClient, db: Session):
    make_user(db, email="aigerim@example.org")
    _as(client, db, PlatformRole.MANAGER)

    page = client.get("/admin/users?q=AIGERIM")

    assert page.status_code == 200
    assert "aigerim@example.org" in page.text
    assert "manager@example.org" not in page.text


def test_manager_creates_an_account_from_the_form(client: TestClient, db: Session):
    make_institution(db, "P12", "KZ")
    _as(client, db, PlatformRole.MANAGER)

    response = client.post(
        "/admin/users",
        data={
            "csrf_token": page_csrf(client, "/admin/users"),
            "email": "Dana@Example.org",
            "display_name": "Dana Seitkali",
            "time_zone": "Asia/Almaty",
            "country": "KZ",
            "preferred_language": "ru",
            "institution_code": "P12",
            "platform_role": "user",
        },
        follow_redirects=False,
    )

    assert response.status_code == 303
    created = db.scalar(select(User).where(User.email == "dana@example.org"))
    assert created is not None
    assert created.time_zone == "Asia/Almaty"


def test_invalid_account_form_keeps_what_was_typed(client: TestClient, db: Session):
    _as(client, db, PlatformRole.MANAGER)
    before = db.scalar(select(func.count()).select_from(User))

    response = client.post(
        "/admin/users",
        data={
            "csrf_token": page_csrf(client, "/admin/users"),
            "email": "not-an-email",
            "display_name": "Dana Seitkali",
            "time_zone": "Asia/Almaty",
        },
    )

    assert response.status_code == 400
    assert 'value="Dana Seitkali"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert db.scalar(select(func.count()).select_from(User)) == before


def test_manager_cannot_grant_admin_from_the_edit_form(client: TestClient, db: Session):
    target = make_user(db, email="t@example.org")
    _as(client, db, PlatformRole.MANAGER)

    response = client.post(
        f"/admin/users/{target.id}",
        data={
            "csrf_token": page_csrf(client, f"/admin/users/{target.id}"),
            "display_name": "T",
            "platform_role": "admin",
            "is_active": "true",
        },
    )

    assert response.status_code == 403
    db.expire_all()
    assert db.get(User, target.id).platform_role == PlatformRole.USER


def test_manager_deactivates_an_account(client: TestClient, db: Session):
    target = make_user(db, email="leaver@example.org", password=PASSWORD)
    _as(client, db, PlatformRole.MANAGER)

    client.post(
        f"/admin/users/{target.id}",
        data={
            "csrf_token": page_csrf(client, f"/admin/users/{target.id}"),
            "display_name": "Leaver",
            "platform_role": "user",
        },
    )

    db.expire_all()
    assert db.get(User, target.id).is_active is False


def test_manager_adds_an_institution(client: TestClient, db: Session):
    _as(client, db, PlatformRole.MANAGER)

    client.post(
        "/admin/institutions",
        data={
            "csrf_token": page_csrf(client, "/admin/institutions"),
            "code": "p21",
            "name": "Azerbaijan Medical University",
            "country": "az",
        },
    )

    stored = db.scalar(select(Institution).where(Institution.code == "P21"))
    assert stored is not None
    assert stored.country == "AZ"


def test_api_client_secret_is_shown_once_then_revocable(client: TestClient, db: Session):
    make_institution(db, "P5", "AZ")
    _as(client, db, PlatformRole.MANAGER)

    created = client.post(
        "/admin/api-clients",
        data={
            "csrf_token": page_csrf(client, "/admin/api-clients"),
            "name": "Baku registry",
            "institution_code": "P5",
            "scopes": ["enrolments:write", "users:read"],
        },
    )
    secret = re.search(r"client_secret</dt><dd><code>([^<]+)<", created.text)
    listing = client.get("/admin/api-clients")
    stored = db.scalar(select(ApiClient))
    assert stored is not None
    revoked = client.post(
        f"/admin/api-clients/{stored.id}/revoke",
        data={"csrf_token": page_csrf(client, "/admin/api-clients")},
        follow_redirects=False,
    )

    assert secret is not None
    assert secret.group(1) not in listing.text
    assert stored.scopes == ["enrolments:write", "users:read"]
    assert revoked.status_code == 303
    db.expire_all()
    assert db.get(ApiClient, stored.id).revoked_at is not None


def test_api_client_without_scopes_is_refused_with_the_form_kept(client: TestClient, db: Session):
    make_institution(db, "P5", "AZ")
    _as(client, db, PlatformRole.MANAGER)

    response = client.post(
        "/admin/api-clients",
        data={
            "csrf_token": page_csrf(client, "/admin/api-clients"),
            "name": "Baku registry",
            "institution_code": "P5",
        },
    )

    assert response.status_code == 400
    assert 'value="Baku registry"' in response.text
    assert db.scalar(select(func.count()).select_from(ApiClient)) == 0


def test_only_coordinators_are_offered_the_institutions_page(client: TestClient, db: Session):
    home = make_institution(db, "P31", "VN")
    make_user(
        db, email="head@p31.example.org", password=PASSWORD,
        role=PlatformRole.INSTITUTION_MANAGER, institution=home,
    )  # fmt: skip
    sign_in(client, "head@p31.example.org")

    users_page = client.get("/admin/users")

    assert users_page.status_code == 200
    assert 'href="/admin/institutions"' not in users_page.text
    assert client.get("/admin/institutions").status_code == 403

    client.cookies.clear()
    _as(client, db, PlatformRole.MANAGER)
    assert 'href="/admin/institutions"' in client.get("/admin/users").text
