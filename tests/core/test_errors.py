"""Bad input gets a clear problem+json with a stable code, never a 500 or a stack trace."""

from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.actors import PlatformRole
from app.core.config import Settings
from tests.accounts.factories import PASSWORD, api_token, bearer, make_user


def _manager_headers(client: TestClient, db: Session) -> dict[str, str]:
    make_user(db, email="boss@example.org", password=PASSWORD, role=PlatformRole.MANAGER)
    return bearer(api_token(client, "boss@example.org"))


def test_malformed_json_is_a_422_problem(client: TestClient, db: Session):
    response = client.post(
        "/api/v1/users",
        content=b'{"email": "a@b.org", ',
        headers={**_manager_headers(client, db), "content-type": "application/json"},
    )

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "validation_error"
    assert response.json()["errors"][0]["field"] == "body"


def test_wrong_types_name_the_field(client: TestClient, db: Session):
    response = client.post(
        "/api/v1/users",
        json={"email": "not-an-address", "display_name": 42},
        headers=_manager_headers(client, db),
    )

    fields = {error["field"] for error in response.json()["errors"]}
    assert response.status_code == 422
    assert {"email", "display_name"} <= fields


def test_oversize_body_is_a_413_problem_and_stores_nothing(
    client: TestClient, db: Session, settings: Settings
):
    headers = _manager_headers(client, db)
    before = db.scalar(select(func.count()).select_from(User))
    huge_name = "x" * (settings.max_json_body_bytes + 10)

    response = client.post(
        "/api/v1/users",
        json={"email": "big@example.org", "display_name": huge_name},
        headers=headers,
    )

    assert response.status_code == 413
    assert response.json()["code"] == "body_too_large"
    assert db.scalar(select(func.count()).select_from(User)) == before


def test_streamed_body_over_the_limit_is_refused(
    client: TestClient, db: Session, settings: Settings
):
    headers = _manager_headers(client, db)

    def chunks():
        for _ in range(settings.max_json_body_bytes // 1000 + 10):
            yield b" " * 1000

    response = client.post(
        "/api/v1/users", content=chunks(), headers={**headers, "content-type": "application/json"}
    )

    assert response.status_code == 413


def test_unknown_api_path_is_a_404_problem(client: TestClient):
    response = client.get("/api/v1/nothing-here")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_wrong_method_is_a_405_problem(client: TestClient):
    response = client.delete("/api/v1/auth/token")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_a_405_allows_only_the_methods_of_the_concrete_path(client: TestClient):
    # `/documents/verify` is a path of its own, though `/documents/{id}` would match it too.
    response = client.options("/api/v1/documents/verify")

    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


def test_unknown_page_is_a_friendly_page_in_the_readers_language(client: TestClient):
    response = client.get("/no-such-page", headers={"Accept-Language": "fr"})

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Cette page n'existe pas" in response.text.replace("&#39;", "'")


def test_unexpected_error_hides_the_trace_and_gives_a_request_id(private_app: FastAPI):
    boom = APIRouter()

    @boom.get("/api/v1/boom")
    def explode() -> None:
        raise RuntimeError("secret internal detail")

    private_app.include_router(boom)
    client = TestClient(private_app, raise_server_exceptions=False)

    response = client.get("/api/v1/boom")

    assert response.status_code == 500
    body = response.json()
    assert body["code"] == "internal_error"
    assert "secret internal detail" not in response.text
    assert "Traceback" not in response.text
    assert body["request_id"] == response.headers["x-request-id"]


def test_every_response_carries_a_request_id(client: TestClient):
    given = client.get("/healthz", headers={"X-Request-ID": "partner-req-12345"})
    generated = client.get("/healthz")

    assert given.headers["x-request-id"] == "partner-req-12345"
    assert len(generated.headers["x-request-id"]) == 32


def test_a_user_cannot_make_themselves_admin(client: TestClient, db: Session):
    user = make_user(db, email="me@example.org", password=PASSWORD)
    headers = bearer(api_token(client, "me@example.org"))

    for field, value in (("platform_role", "admin"), ("is_active", False), ("id", 999)):
        response = client.patch("/api/v1/users/me", json={field: value}, headers=headers)
        assert response.status_code == 422, field
        assert response.json()["errors"][0]["field"] == field

    refused = client.patch(
        f"/api/v1/users/{user.id}", json={"platform_role": "admin"}, headers=headers
    )
    assert refused.status_code == 403
    db.expire_all()
    assert db.get(User, user.id).platform_role == PlatformRole.USER


def test_profile_form_ignores_smuggled_role_fields(client: TestClient, db: Session):
    from tests.accounts.factories import page_csrf, sign_in

    user = make_user(db, email="me@example.org", password=PASSWORD)
    sign_in(client, user.email)

    client.post(
        "/profile",
        data={
            "csrf_token": page_csrf(client, "/profile"),
            "display_name": "Me",
            "time_zone": "UTC",
            "platform_role": "admin",
            "is_active": "false",
        },
    )

    db.expire_all()
    saved = db.get(User, user.id)
    assert saved is not None
    assert (saved.platform_role, saved.is_active) == (PlatformRole.USER, True)


def test_health_and_readiness(client: TestClient):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}


def test_openapi_operations_are_tagged_and_described(client: TestClient):
    """Every operation has a tag and a written description (its route's docstring) for
    partner developers; FastAPI's summary, made from the function's name, does not count."""
    spec = client.get("/api/v1/openapi.json").json()
    operations = [
        (f"{method.upper()} {path}", operation)
        for path, by_method in spec["paths"].items()
        for method, operation in by_method.items()
    ]

    untagged = [name for name, operation in operations if not operation.get("tags")]
    undescribed = [
        name
        for name, operation in operations
        if len(operation.get("description", "").split()) < 3
        or operation.get("description", "").strip() == operation.get("summary", "").strip()
    ]
    assert operations
    assert untagged == []
    assert undescribed == []
