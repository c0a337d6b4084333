"""The agreement and transfer lists, over the API and on the pages, send as many queries for
six rows as for two."""

import itertools
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.core.config import Settings
from tests.conftest import QueryCounter
from tests.credits.transfer_world import Mobility, mobility

_codes = itertools.count(1)


def _agreements(client: TestClient, w: Mobility, count: int) -> None:
    for _ in range(count):
        w.draft(client, w.registrar)


def _results(client: TestClient, w: Mobility, count: int) -> None:
    for _ in range(count):
        code = f"KZ-{next(_codes)}"
        body = w.result(host_institution_id=w.host.id, host_course_code=code)
        response = client.post(
            "/api/v1/transfer-results", json=body, headers=w.user_headers(w.registrar)
        )
        assert response.status_code == 201


Arrange = Callable[[TestClient, Mobility, int], None]
CASES: list[tuple[str, Arrange, bool]] = [
    ("/api/v1/learning-agreements", _agreements, False),
    ("/api/v1/transfer-results", _results, False),
    ("/admin/credits/agreements", _agreements, True),
    ("/admin/credits/transfers", _results, True),
]


def _count(client: TestClient, w: Mobility, queries: QueryCounter, path: str, page: bool) -> int:
    headers = {} if page else w.user_headers(w.registrar)
    if page:
        w.browser(client, w.registrar)
    with queries:
        response = client.get(path, headers=headers)
    assert response.status_code == 200
    client.cookies.clear()
    return queries.count


@pytest.mark.parametrize(("path", "arrange", "page"), CASES, ids=[c[0] for c in CASES])
def test_a_list_costs_the_same_for_two_rows_as_for_six(
    client: TestClient, db: Session, settings: Settings, queries: QueryCounter,
    path: str, arrange: Arrange, page: bool,
) -> None:  # fmt: skip
    w = mobility(db, settings)
    arrange(client, w, 2)
    two = _count(client, w, queries, path, page)
    arrange(client, w, 4)
    six = _count(client, w, queries, path, page)
    assert six == two


def test_the_learners_list_costs_the_same_for_two_rows_as_for_six(
    client: TestClient, db: Session, settings: Settings, queries: QueryCounter
) -> None:
    w = mobility(db, settings)
    _agreements(client, w, 2)
    w.browser(client, w.learner)
    with queries:
        client.get("/me/credits/agreements")
    two = queries.count
    _agreements(client, w, 4)
    w.browser(client, w.learner)
    with queries:
        response = client.get("/me/credits/agreements")
    assert response.status_code == 200
    assert response.text.count("/me/credits/agreements/") == 6
    assert queries.count == two
