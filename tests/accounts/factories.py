"""Small typed factories for accounts. Passwords are hashed only when given (argon2 is slow
on purpose), so most users cannot sign in unless a test asks for it."""

import itertools
import secrets

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.models import ApiClient, Institution, User
from app.core.actors import PlatformRole
from app.core.security import hash_password
from tests.conftest import csrf_from

_counter = itertools.count(1)
PASSWORD = "correct horse battery"


def make_institution(db: Session, code: str | None = None, country: str = "LA") -> Institution:
    institution = Institution(
        # Not "P…": the seed and tests name partners P1, P88…, which a counter would reach.
        code=code or f"TEST-{next(_counter)}",
        name="University of Health Sciences",
        country=country,
    )
    db.add(institution)
    db.flush()
    return institution


def make_user(
    db: Session,
    *,
    email: str | None = None,
    password: str | None = None,
    role: PlatformRole = PlatformRole.USER,
    institution: Institution | None = None,
    language: str = "en",
    time_zone: str = "Asia/Vientiane",
    active: bool = True,
) -> User:
    user = User(
        email=email or f"user{next(_counter)}@example.org",
        display_name="Souksavanh Phommachanh",
        password_hash=hash_password(password) if password else None,
        platform_role=role,
        institution_id=institution.id if institution else None,
        preferred_language=language,
        time_zone=time_zone,
        is_active=active,
    )
    db.add(user)
    db.flush()
    return user


def make_api_client(
    db: Session, institution: Institution, scopes: list[str], secret: str = "s3cret-partner-key"
) -> ApiClient:
    client = ApiClient(
        client_id=f"agc_{secrets.token_hex(4)}",
        secret_hash=hash_password(secret),
        name="Partner registry",
        institution_id=institution.id,
        scopes=scopes,
    )
    db.add(client)
    db.flush()
    return client


def api_token(client: TestClient, email: str, password: str = PASSWORD, scope: str = "") -> str:
    data = {"grant_type": "password", "username": email, "password": password}
    if scope:
        data["scope"] = scope
    response = client.post("/api/v1/auth/token", data=data)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> None:
    """Sign in through the portal form, as a browser would."""
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def page_csrf(client: TestClient, path: str = "/") -> str:
    return csrf_from(client.get(path).text)
