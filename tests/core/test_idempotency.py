"""Idempotent API writes: a partner's retried POST acts once, a reused key is refused, keys
belong to their caller and expire after 24 hours, and nothing is kept for a refused request."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.actors import PlatformRole
from app.core.config import Settings
from app.core.idempotency import IdempotencyKey
from app.courses.models import Course
from app.enrolment.models import EnrolmentChange
from app.membership.models import Enrolment
from tests.accounts.factories import PASSWORD, api_token, bearer, make_user
from tests.courses.factories import import_hs101

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.fixture
def course(db: Session, settings: Settings) -> Course:
    return import_hs101(db, settings)


def _manager(client: TestClient, db: Session, email: str) -> dict[str, str]:
    make_user(db, email=email, password=PASSWORD, role=PlatformRole.MANAGER)
    db.flush()
    return bearer(api_token(client, email))


def _learner(db: Session, email: str) -> int:
    user = make_user(db, email=email)
    db.flush()
    return user.id


def _enrolments(db: Session, course: Course) -> int:
    return db.scalar(select(func.count()).where(Enrolment.course_id == course.id)) or 0


def _keys(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(IdempotencyKey)) or 0


def test_a_repeated_request_returns_the_first_answer_without_acting_again(
    client: TestClient, db: Session, course: Course
):
    headers = {**_manager(client, db, "m@example.org"), "Idempotency-Key": "enrol-42"}
    body = {"user_id": _learner(db, "l@example.org")}
    url = f"/api/v1/courses/{course.id}/enrolments"

    first = client.post(url, json=body, headers=headers)
    again = client.post(url, json=body, headers=headers)

    assert first.status_code == 201
    assert again.status_code == 201  # without the key, the repeat would be 409 already_enrolled
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert _enrolments(db, course) == 1
    assert db.scalar(select(func.count()).select_from(EnrolmentChange)) == 1


def test_the_same_key_with_another_request_is_refused_and_writes_nothing(
    client: TestClient, db: Session, course: Course
):
    headers = {**_manager(client, db, "m@example.org"), "Idempotency-Key": "k-1"}
    url = f"/api/v1/courses/{course.id}/enrolments"
    client.post(url, json={"user_id": _learner(db, "a@example.org")}, headers=headers)

    other = client.post(url, json={"user_id": _learner(db, "b@example.org")}, headers=headers)

    assert other.status_code == 422
    assert other.headers["content-type"].startswith("application/problem+json")
    assert other.json()["code"] == "idempotency_key_reused"
    assert _enrolments(db, course) == 1


def test_a_repeat_while_the_first_still_runs_gets_409(
    client: TestClient, db: Session, course: Course
):
    headers = {**_manager(client, db, "m@example.org"), "Idempotency-Key": "slow"}
    body = {"user_id": _learner(db, "l@example.org")}
    url = f"/api/v1/courses/{course.id}/enrolments"
    client.post(url, json=body, headers=headers)
    stored = db.scalar(select(IdempotencyKey))
    assert stored is not None
    stored.status = None  # as if the first request had not answered yet
    db.flush()

    repeat = client.post(url, json=body, headers=headers)

    assert repeat.status_code == 409
    assert repeat.json()["code"] == "idempotency_key_in_use"


def test_keys_belong_to_their_caller(client: TestClient, db: Session, course: Course):
    url = f"/api/v1/courses/{course.id}/enrolments"
    first = {**_manager(client, db, "m1@example.org"), "Idempotency-Key": "shared"}
    second = {**_manager(client, db, "m2@example.org"), "Idempotency-Key": "shared"}
    client.post(url, json={"user_id": _learner(db, "a@example.org")}, headers=first)

    theirs = client.post(url, json={"user_id": _learner(db, "b@example.org")}, headers=second)

    assert theirs.status_code == 201
    assert "idempotent-replayed" not in theirs.headers
    assert _enrolments(db, course) == 2


def test_a_refused_request_keeps_no_key_so_its_retry_runs_again(
    client: TestClient, db: Session, course: Course
):
    headers = {**_manager(client, db, "m@example.org"), "Idempotency-Key": "retry-me"}
    url = f"/api/v1/courses/{course.id}/enrolments"

    refused = client.post(url, json={"user_id": 987654}, headers=headers)
    assert refused.status_code == 422, refused.json()
    assert refused.json()["code"] != "idempotency_key_reused"
    assert _keys(db) == 0

    fixed = client.post(url, json={"user_id": _learner(db, "l@example.org")}, headers=headers)
    assert fixed.status_code == 201


def test_a_key_is_forgotten_after_24_hours(client: TestClient, db: Session, course: Course):
    url = f"/api/v1/courses/{course.id}/enrolments"
    with time_machine.travel(NOON, tick=False):
        headers = {**_manager(client, db, "m@example.org"), "Idempotency-Key": "daily"}
        client.post(url, json={"user_id": _learner(db, "a@example.org")}, headers=headers)
    with time_machine.travel(NOON + timedelta(hours=25), tick=False):
        headers = {**_manager(client, db, "m2@example.org"), "Idempotency-Key": "daily"}
        # the first caller's token has expired: sign in again under the same account
        headers.update(bearer(api_token(client, "m@example.org")))
        later = client.post(url, json={"user_id": _learner(db, "b@example.org")}, headers=headers)

    assert later.status_code == 201
    assert _enrolments(db, course) == 2


@pytest.mark.parametrize("key", ["", "has space", "x" * 256, "tab\tinside"])
def test_a_malformed_key_is_refused_with_400(
    client: TestClient, db: Session, course: Course, key: str
):
    headers = {**_manager(client, db, "m@example.org"), "Idempotency-Key": key}
    url = f"/api/v1/courses/{course.id}/enrolments"

    answer = client.post(url, json={"user_id": _learner(db, "l@example.org")}, headers=headers)

    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid_idempotency_key"
    assert _enrolments(db, course) == 0


def test_sign_in_answers_are_never_stored(client: TestClient, db: Session):
    make_user(db, email="s@example.org", password=PASSWORD)
    db.flush()

    answer = client.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": "s@example.org", "password": PASSWORD},
        headers={"Idempotency-Key": "sign-in"},
    )

    assert answer.status_code == 200
    assert _keys(db) == 0


def test_the_openapi_document_declares_the_header_on_every_write(client: TestClient):
    spec = client.get("/api/v1/openapi.json").json()
    posts = {path: ops["post"] for path, ops in spec["paths"].items() if "post" in ops}

    declared = {
        path
        for path, op in posts.items()
        if any(p["name"] == "Idempotency-Key" for p in op.get("parameters", []))
    }

    assert declared == {path for path in posts if not path.startswith("/api/v1/auth/")}
    assert "/api/v1/courses/{course_id}/enrolments" in declared
