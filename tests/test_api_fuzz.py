"""Schemathesis against the whole API, in process: every operation, all checks, a fixed seed,
as a manager and as a partner client. `make fuzz` runs it (SQLite, or TEST_DATABASE_URL)."""

import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from sqlalchemy import Connection

from app.accounts.models import Institution
from app.core.actors import ALL_SCOPES, PlatformRole
from app.core.config import Settings
from app.core.db import session_factory
from app.courses.service.completion import clear_course_shapes
from app.main import create_app
from tests.accounts.factories import PASSWORD, api_token, bearer, make_api_client, make_user
from tests.conftest import TEST_SECRET, in_savepoint, sessions_on
from tests.courses.factories import import_hs101

pytestmark = pytest.mark.fuzz

PARTNER_SECRET = "fuzz-partner-secret"
MANAGER_EMAIL = "fuzz-manager@example.org"
# What the run answered, by status class: printed at the end as the run's figures.
answered: Counter[str] = Counter()


FUZZ_SETTINGS_FOR_APP = Settings(
    agora_env="test",
    database_url="sqlite://",
    secret_key=TEST_SECRET,
    base_url="http://testserver",
    storage_dir=Path(tempfile.mkdtemp(prefix="agora-fuzz-")),
)
fuzzed_app = create_app(FUZZ_SETTINGS_FOR_APP)
# All checks, with two allowances, both by design: business rules refuse schema-valid input
# with 422 (an unknown time zone, a wrong current password, a used reset link), and the
# schemas' lax mode, shared with the portal's forms, reads a JSON 0 as false and a number as
# a timestamp, which `negative_data_rejection` counts as accepting invalid data.
CHECKS = SchemathesisConfig.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "3xx", "400", "401", "403", "404", "409", "422", "429"]
            },
            "negative_data_rejection": {"enabled": False},
        }
    }
)
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", fuzzed_app, config=CHECKS)


@pytest.fixture(scope="module")
def dataset(module_connection: Connection) -> str:
    """A small dataset, built once, so that ids 1, 2, 3… often exist: a published course with
    its content, a manager and a partner client of the course's institution (its id returned).
    Each operation's run works on it in a savepoint."""
    with sessions_on(module_connection), session_factory() as db:
        course = import_hs101(db, FUZZ_SETTINGS_FOR_APP)
        make_user(db, email=MANAGER_EMAIL, password=PASSWORD, role=PlatformRole.MANAGER)
        institution = db.get_one(Institution, course.institution_id)
        partner = make_api_client(db, institution, sorted(ALL_SCOPES), secret=PARTNER_SECRET)
        db.commit()
        return partner.client_id


@pytest.fixture
def connection(module_connection: Connection, dataset: str) -> Iterator[Connection]:
    yield from in_savepoint(module_connection)


@pytest.fixture
def app(connection: Connection) -> FastAPI:
    """The one app the schema was loaded from, its sessions bound to the test's savepoint."""
    clear_course_shapes()
    return fuzzed_app


# Minted for each operation, so a long run never outlives the tokens' fifteen minutes.
@pytest.fixture
def manager_headers(app: FastAPI) -> dict[str, str]:
    with TestClient(app) as client:
        return bearer(api_token(client, MANAGER_EMAIL))


@pytest.fixture
def partner_headers(app: FastAPI, dataset: str) -> dict[str, str]:
    grant = {
        "grant_type": "client_credentials",
        "client_id": dataset,
        "client_secret": PARTNER_SECRET,
    }
    with TestClient(app) as client:
        response = client.post("/api/v1/auth/token", data=grant)
    assert response.status_code == 200, response.text
    return bearer(response.json()["access_token"])


@pytest.fixture(scope="module", autouse=True)
def _figures() -> Iterator[None]:
    yield
    print(f"\nschemathesis cases: {sum(answered.values())}, by status class: {dict(answered)}")  # noqa: T201


FUZZ_SETTINGS = settings(
    max_examples=10,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def _call(case: schemathesis.Case, headers: dict[str, str]) -> None:
    response = case.call(headers=headers)
    answered[f"{response.status_code // 100}xx"] += 1
    case.validate_response(response, headers=headers)


@schema.parametrize()
@FUZZ_SETTINGS
def test_no_operation_fails_a_check_for_a_manager(case, manager_headers: dict[str, str]):
    _call(case, manager_headers)


@schema.parametrize()
@FUZZ_SETTINGS
def test_no_operation_fails_a_check_for_a_partner_client(case, partner_headers: dict[str, str]):
    _call(case, partner_headers)
