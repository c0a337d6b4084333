"""Shared by the query-budget tests: the statements one GET runs once warm, and a measure
taken at two sizes of the data."""

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.conftest import QueryCounter


def statements(
    client: TestClient, queries: QueryCounter, url: str, headers: dict[str, str] | None = None
) -> int:
    client.get(url, headers=headers)  # warm: marks what it shows read, fills process caches
    with queries:
        response = client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    return queries.count


def at_two_sizes(grow: Callable[[int], None], measure: Callable[[], object]) -> list[object]:
    """What `measure` finds with few (size 0) and with many (size 1)."""
    counts = []
    for size in (0, 1):
        grow(size)
        counts.append(measure())
    return counts
