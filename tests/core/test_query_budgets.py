"""Pages and list endpoints keep a constant number of SQL statements as data grows.
Budgets are named here; a test fails when a count grows with the data (an N+1)."""

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.core.actors import PlatformRole
from tests.accounts.factories import PASSWORD, api_token, bearer, make_institution, make_user
from tests.conftest import QueryCounter

USERS_LIST_BUDGET = 2  # the caller, the page
INSTITUTIONS_LIST_BUDGET = 2  # the caller, the list


def _count_at_two_sizes(client, db, queries, path, headers, grow) -> tuple[int, int]:
    grow(db, 3)
    with queries:
        assert client.get(path, headers=headers).status_code == 200
    small = queries.count
    grow(db, 30)
    with queries:
        assert client.get(path, headers=headers).status_code == 200
    return small, queries.count


def test_user_list_does_not_grow_with_users(client: TestClient, db: Session, queries: QueryCounter):
    make_user(db, email="boss@example.org", password=PASSWORD, role=PlatformRole.MANAGER)
    headers = bearer(api_token(client, "boss@example.org"))
    institution = make_institution(db)

    def grow(db: Session, n: int) -> None:
        for _ in range(n):
            make_user(db, institution=institution)

    small, large = _count_at_two_sizes(client, db, queries, "/api/v1/users?limit=50", headers, grow)

    assert small == large <= USERS_LIST_BUDGET


def test_institution_list_does_not_grow(client: TestClient, db: Session, queries: QueryCounter):
    make_user(db, email="boss@example.org", password=PASSWORD, role=PlatformRole.MANAGER)
    headers = bearer(api_token(client, "boss@example.org"))

    def grow(db: Session, n: int) -> None:
        for _ in range(n):
            make_institution(db)

    small, large = _count_at_two_sizes(client, db, queries, "/api/v1/institutions", headers, grow)

    assert small == large <= INSTITUTIONS_LIST_BUDGET
