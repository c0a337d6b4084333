"""Each partner client may send so many requests a UTC minute (its own limit, else the
setting): past them it is answered 429 with `Retry-After` until the minute ends, and no other
client notices. Managers see each client's requests, errors and last request, over the API
and on the API clients page. The clock is frozen so windows are exact."""

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import ApiClient, ApiClientUsage, Institution
from app.core.actors import PlatformRole
from app.core.config import Settings
from app.core.security import encode_access_token
from tests.accounts.factories import (
    PASSWORD,
    api_token,
    bearer,
    make_api_client,
    make_institution,
    make_user,
    page_csrf,
    sign_in,
)
from tests.conftest import QueryCounter, test_settings

NOW = datetime(2027, 3, 9, 8, 30, 15, tzinfo=UTC)  # 45 seconds before the minute ends
MINUTE = NOW.replace(second=0)
USAGE = "/api/v1/api-clients/usage"
ANY_READ = "/api/v1/institutions"


@pytest.fixture
def settings() -> Settings:
    return test_settings().model_copy(update={"api_client_requests_per_minute": 3})


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def home(db: Session) -> Institution:
    return make_institution(db, "P61", "MA")


def _partner(
    db: Session, settings: Settings, institution: Institution, limit: int | None = None
) -> tuple[ApiClient, dict[str, str]]:
    client = make_api_client(db, institution, ["users:read"])
    client.rate_limit_per_minute = limit
    db.flush()
    token, _ = encode_access_token(settings, f"client:{client.id}", ["users:read"])
    return client, bearer(token)


def _statuses(client: TestClient, headers: dict[str, str], times: int) -> list[int]:
    return [client.get(ANY_READ, headers=headers).status_code for _ in range(times)]


def _manager(db: Session, role: PlatformRole, institution: Institution | None = None) -> str:
    email = f"{role.value}-{institution.code.lower() if institution else 'all'}@example.org"
    make_user(db, email=email, password=PASSWORD, role=role, institution=institution)
    return email


def _usage(client: TestClient, email: str) -> dict[str, dict[str, object]]:
    response = client.get(USAGE, headers=bearer(api_token(client, email)))
    assert response.status_code == 200, response.text
    return {row["client"]["client_id"]: row for row in response.json()}


def _add_usage(db: Session, client: ApiClient, ago: timedelta, requests: int, errors: int = 0):
    db.add(
        ApiClientUsage(
            api_client_id=client.id, window_start=MINUTE - ago, requests=requests, errors=errors
        )
    )
    db.flush()


# --- the limit ---------------------------------------------------------------------------------


def test_a_client_over_its_limit_gets_429_until_the_minute_ends(
    client: TestClient,
    db: Session,
    settings: Settings,
    home: Institution,
    clock: time_machine.Traveller,
):
    _, headers = _partner(db, settings, home)

    allowed = _statuses(client, headers, 3)
    refused = client.get(ANY_READ, headers=headers)
    clock.shift(timedelta(seconds=44))
    still = client.get(ANY_READ, headers=headers)
    clock.shift(timedelta(seconds=1))
    reopened = _statuses(client, headers, 3)
    again = client.get(ANY_READ, headers=headers)

    assert allowed == [200, 200, 200]
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == "rate_limited"
    assert refused.headers["retry-after"] == "45"
    assert (still.status_code, still.headers["retry-after"]) == (429, "1")
    assert reopened == [200, 200, 200]
    assert (again.status_code, again.headers["retry-after"]) == (429, "60")


@pytest.mark.usefixtures("clock")
def test_a_clients_own_limit_beats_the_setting_either_way(
    client: TestClient, db: Session, settings: Settings, home: Institution
):
    _, generous = _partner(db, settings, home, limit=5)
    _, strict = _partner(db, settings, home, limit=1)

    assert _statuses(client, generous, 6) == [200, 200, 200, 200, 200, 429]
    assert _statuses(client, strict, 2) == [200, 429]


@pytest.mark.usefixtures("clock")
def test_another_client_is_not_affected_by_one_over_its_limit(
    client: TestClient, db: Session, settings: Settings, home: Institution
):
    _, greedy = _partner(db, settings, home)
    _, other = _partner(db, settings, make_institution(db, "P62", "VN"))

    assert _statuses(client, greedy, 4) == [200, 200, 200, 429]
    assert _statuses(client, other, 3) == [200, 200, 200]


@pytest.mark.usefixtures("clock")
def test_people_are_not_limited_by_the_clients_limit(
    client: TestClient, db: Session, home: Institution
):
    email = _manager(db, PlatformRole.MANAGER)
    headers = bearer(api_token(client, email))

    assert _statuses(client, headers, 5) == [200] * 5
    assert db.scalar(select(func.count()).select_from(ApiClientUsage)) == 0


@pytest.mark.usefixtures("clock")
def test_rows_older_than_35_days_go_when_a_minute_opens_and_not_on_every_request(
    client: TestClient,
    db: Session,
    settings: Settings,
    home: Institution,
    queries: QueryCounter,
):
    _, headers = _partner(db, settings, home)
    other, _ = _partner(db, settings, home)
    _add_usage(db, other, timedelta(days=35, minutes=1), 9)
    _add_usage(db, other, timedelta(days=34), 8)

    with queries:
        client.get(ANY_READ, headers=headers)
    opening = [s for s in queries.statements if s.lstrip().upper().startswith("DELETE")]
    with queries:
        client.get(ANY_READ, headers=headers)
    following = [s for s in queries.statements if s.lstrip().upper().startswith("DELETE")]

    db.expire_all()
    kept = db.scalars(select(ApiClientUsage.requests).order_by(ApiClientUsage.requests)).all()
    assert len(opening) == 1
    assert following == []
    assert kept == [2, 8]


# --- the usage view ----------------------------------------------------------------------------


def _traffic(client: TestClient, db: Session, settings: Settings, home: Institution):
    """Client A: now 2 answered, 1 not found and 1 over its limit of 3, with older minutes;
    client B (another institution): only a minute of 10 days ago; client C never called."""
    a, a_headers = _partner(db, settings, home)
    b, _ = _partner(db, settings, make_institution(db, "P62", "VN"))
    c, _ = _partner(db, settings, home)
    _add_usage(db, a, timedelta(hours=23, minutes=59), 6, 1)
    _add_usage(db, a, timedelta(hours=24, minutes=1), 7, 2)
    _add_usage(db, a, timedelta(days=31), 50, 5)
    _add_usage(db, b, timedelta(days=10), 5)
    client.get(ANY_READ, headers=a_headers)
    client.get(ANY_READ, headers=a_headers)
    client.get("/api/v1/users/999999", headers=a_headers)
    client.get(ANY_READ, headers=a_headers)
    return a, b, c


@pytest.mark.usefixtures("clock")
def test_managers_see_each_clients_requests_errors_and_last_request(
    client: TestClient, db: Session, settings: Settings, home: Institution
):
    a, b, c = _traffic(client, db, settings, home)
    email = _manager(db, PlatformRole.MANAGER)

    rows = _usage(client, email)

    assert {k: v for k, v in rows[a.client_id].items() if k != "client"} == {
        "requests_per_minute": 3,
        "requests_last_24h": 4 + 6,
        "errors_last_24h": 2 + 1,
        "requests_last_30d": 4 + 6 + 7,
        "last_seen_at": "2027-03-09T08:31:00Z",
    }
    assert rows[a.client_id]["client"]["id"] == a.id
    assert rows[b.client_id]["requests_last_24h"] == 0
    assert rows[b.client_id]["requests_last_30d"] == 5
    assert rows[b.client_id]["last_seen_at"] == "2027-02-27T08:31:00Z"
    assert rows[c.client_id]["requests_last_30d"] == 0
    assert rows[c.client_id]["last_seen_at"] is None


@pytest.mark.usefixtures("clock")
def test_the_api_clients_page_shows_the_same_figures(
    client: TestClient, db: Session, settings: Settings, home: Institution
):
    a, _, c = _traffic(client, db, settings, home)
    sign_in(client, _manager(db, PlatformRole.MANAGER))

    page = client.get("/admin/api-clients")

    assert page.status_code == 200
    row = _row_of(page.text, a.client_id)
    assert _cell(row, "Requests per minute allowed") == "3"
    assert _cell(row, "Requests, last 24 hours") == "10"
    assert _cell(row, "Errors, last 24 hours") == "3"
    assert _cell(row, "Requests, last 30 days") == "17"
    assert _cell(row, "Last request").startswith("Mar 9, 2027")
    assert _cell(_row_of(page.text, c.client_id), "Last request") == "never"
    assert '<table class="rows">' in page.text


def _row_of(html: str, client_id: str) -> str:
    rows = [row for row in html.split("<tr>") if f"<code>{client_id}</code>" in row]
    assert len(rows) == 1, client_id
    return rows[0]


def _cell(row: str, label: str) -> str:
    found = re.search(rf'<td data-label="{re.escape(label)}">([^<]*)<', row)
    assert found, label
    return found.group(1).strip()


@pytest.mark.usefixtures("clock")
def test_an_institution_manager_sees_only_their_institutions_clients(
    client: TestClient, db: Session, settings: Settings, home: Institution
):
    a, b, c = _traffic(client, db, settings, home)
    email = _manager(db, PlatformRole.INSTITUTION_MANAGER, home)

    rows = _usage(client, email)
    sign_in(client, email)
    page = client.get("/admin/api-clients")

    assert sorted(rows) == sorted([a.client_id, c.client_id])
    assert rows[a.client_id]["requests_last_24h"] == 10
    assert f"<code>{b.client_id}</code>" not in page.text
    assert f"<code>{a.client_id}</code>" in page.text


@pytest.mark.usefixtures("clock")
def test_a_student_and_a_partner_client_are_refused_as_for_the_client_list(
    client: TestClient, db: Session, settings: Settings, home: Institution
):
    make_user(db, email="student@example.org", password=PASSWORD)
    student = bearer(api_token(client, "student@example.org"))
    _, partner = _partner(db, settings, home)

    answers = {
        who: (client.get(USAGE, headers=h), client.get("/api/v1/api-clients", headers=h))
        for who, h in (("student", student), ("partner", partner))
    }

    for usage, listing in answers.values():
        assert usage.status_code == listing.status_code == 403
        assert usage.json()["code"] == "forbidden"
    assert client.get(USAGE).status_code == 401


@pytest.mark.usefixtures("clock")
def test_the_usage_view_is_one_query_whatever_the_number_of_clients(
    client: TestClient,
    db: Session,
    settings: Settings,
    home: Institution,
    queries: QueryCounter,
):
    headers = bearer(api_token(client, _manager(db, PlatformRole.MANAGER)))
    counts = []
    for grown_to in (1, 6):
        while db.scalar(select(func.count()).select_from(ApiClient)) < grown_to:
            partner, _ = _partner(db, settings, home)
            _add_usage(db, partner, timedelta(hours=1), 4, 1)
            _add_usage(db, partner, timedelta(days=3), 2)
        with queries:
            answer = client.get(USAGE, headers=headers)
        assert answer.status_code == 200
        assert len(answer.json()) == grown_to
        counts.append(queries.count)

    assert counts[0] == counts[1], counts


def test_the_usage_view_is_documented_for_partner_developers(client: TestClient):
    spec = client.get("/api/v1/openapi.json").json()

    operation = spec["paths"][USAGE]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["items"]["$ref"].endswith("/ApiClientUsageRead")
    assert "Retry-After" in operation["responses"]["429"]["headers"]
    assert "rate_limit_per_minute" in spec["components"]["schemas"]["ApiClientRead"]["properties"]


# --- setting a client's own limit ---------------------------------------------------------------


@pytest.mark.usefixtures("home")
def test_a_manager_gives_a_new_client_its_own_limit_over_the_api(client: TestClient, db: Session):
    headers = bearer(api_token(client, _manager(db, PlatformRole.MANAGER)))
    body = {"name": "Registry", "institution_code": "P61", "scopes": ["users:read"]}

    created = client.post(
        "/api/v1/api-clients", json={**body, "rate_limit_per_minute": 120}, headers=headers
    )
    default = client.post("/api/v1/api-clients", json=body, headers=headers)
    zero = client.post(
        "/api/v1/api-clients", json={**body, "rate_limit_per_minute": 0}, headers=headers
    )

    assert created.status_code == 201
    assert created.json()["rate_limit_per_minute"] == 120
    assert default.json()["rate_limit_per_minute"] is None
    assert zero.status_code == 422
    limits = db.scalars(select(ApiClient.rate_limit_per_minute).order_by(ApiClient.id)).all()
    assert limits == [120, None]


@pytest.mark.usefixtures("home")
def test_a_manager_gives_a_new_client_its_own_limit_on_the_page(client: TestClient, db: Session):
    sign_in(client, _manager(db, PlatformRole.MANAGER))
    form = {"name": "Registry", "institution_code": "P61", "scopes": ["users:read"]}

    created = client.post(
        "/admin/api-clients",
        data={
            **form,
            "rate_limit_per_minute": "50",
            "csrf_token": page_csrf(client, "/admin/api-clients"),
        },
    )
    refused = client.post(
        "/admin/api-clients",
        data={
            **form,
            "rate_limit_per_minute": "many",
            "csrf_token": page_csrf(client, "/admin/api-clients"),
        },
    )

    assert created.status_code == 200
    assert refused.status_code == 400
    assert 'aria-describedby="rate_limit_per_minute-error"' in refused.text
    assert db.scalars(select(ApiClient.rate_limit_per_minute)).all() == [50]


def test_the_count_is_kept_when_the_request_itself_rolls_back(
    client: TestClient, db: Session, settings: Settings, home: Institution
):
    partner, headers = _partner(db, settings, home)
    body = {"code": "X1", "name": "New", "country": "MA"}

    refused = client.post("/api/v1/institutions", json=body, headers=headers)

    db.expire_all()
    stored = db.scalars(select(ApiClientUsage).where(ApiClientUsage.api_client_id == partner.id))
    assert refused.status_code == 403
    assert db.scalar(select(Institution).where(Institution.code == "X1")) is None
    assert [(u.requests, u.errors) for u in stored] == [(1, 1)]


@pytest.mark.usefixtures("clock")
def test_a_manager_raises_a_live_clients_limit_and_it_applies_at_once(
    client: TestClient, db: Session, settings: Settings, home: Institution
):
    partner, headers = _partner(db, settings, home)
    manager = bearer(api_token(client, _manager(db, PlatformRole.MANAGER)))
    assert _statuses(client, headers, 4) == [200, 200, 200, 429]

    raised = client.patch(
        f"/api/v1/api-clients/{partner.id}", json={"rate_limit_per_minute": 10}, headers=manager
    )
    refused = client.patch(
        f"/api/v1/api-clients/{partner.id}", json={"rate_limit_per_minute": 0}, headers=manager
    )

    assert raised.status_code == 200
    assert raised.json()["rate_limit_per_minute"] == 10
    assert refused.status_code == 422
    assert _statuses(client, headers, 2) == [200, 200]  # 6 of 10 this minute
    back = client.patch(
        f"/api/v1/api-clients/{partner.id}", json={"rate_limit_per_minute": None}, headers=manager
    )
    assert back.json()["rate_limit_per_minute"] is None
    assert _statuses(client, headers, 1) == [429]  # the setting's 3 again
