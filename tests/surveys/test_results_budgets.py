"""A survey's results issue the same SQL statements whatever the number of responses (6 or
90, spread over more countries): the page, the API and both CSV downloads, with and without
a breakdown. Every figure is aggregated by the database."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.core.config import Settings
from tests.budgets import at_two_sizes, statements
from tests.conftest import QueryCounter
from tests.surveys.results_factories import (
    HandCounted,
    ResultsWorld,
    hand_counted,
    headers_of,
    respond,
    results_world,
    signed_in,
)

COUNTRIES = ("LA", "VN", "KH", "TH", "MM", "MA")


def _grow(db: Session, q: HandCounted, responses: int) -> None:
    """Responses to every question, in ever more countries (each group over the threshold)."""
    for i in range(responses):
        respond(db, q.survey, {
            q.heard: i % 3, q.topics: [i % 3, (i + 1) % 3], q.useful: i % 3,
            q.rating: i % 11, q.years: i, q.wishes: f"Wish {i}", q.other: f"Other {i}",
        }, country=COUNTRIES[i % len(COUNTRIES)], profession="student")  # fmt: skip


@pytest.fixture
def world(db: Session, settings: Settings) -> tuple[ResultsWorld, HandCounted]:
    w = results_world(db, settings)
    q = hand_counted(db, w.survey)
    _grow(db, q, 30)  # five a country: the country breakdown is offered
    return w, q


@pytest.mark.parametrize("query", ["", "?by=country"])
def test_the_results_do_not_grow_with_the_responses(
    client: TestClient, db: Session, world: tuple[ResultsWorld, HandCounted],
    queries: QueryCounter, query: str,
) -> None:  # fmt: skip
    w, q = world
    signed_in(client, db, w.teacher)
    headers = headers_of(client, db, w.teacher)
    base = f"/surveys/{w.survey.id}/results"
    api = f"/api/v1/surveys/{w.survey.id}/results"

    def grow(size: int) -> None:
        if size:
            _grow(db, q, 90)

    counts = at_two_sizes(grow, lambda: (
        statements(client, queries, base + query),
        statements(client, queries, f"{base}.csv{query}"),
        statements(client, queries, api + query, headers),
        statements(client, queries, f"{api}.csv{query}", headers),
    ))  # fmt: skip

    assert counts[0] == counts[1], queries.statements
    body = client.get(api + query, headers=headers).json()
    assert body["responses"] == 126
    if query:
        assert len(body["groups"]) == len(COUNTRIES) + 1  # and those without a country
