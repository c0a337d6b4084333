"""The grading-table API: published reads, registrar-only writes, conversion with its rule
named, refusals as problem+json that write nothing, and a constant number of queries."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.credits.models import GradingTable
from tests.conftest import QueryCounter
from tests.credits.tables_world import TablesWorld, tables_world

API = "/api/v1/grading-tables"
PARTNER_ROWS = [
    {"grade": "A", "percent": "20"},
    {"grade": "B", "percent": "20"},
    {"grade": "C", "percent": "60"},
]


@pytest.fixture
def w(db: Session, settings: Settings) -> TablesWorld:
    return tables_world(db, settings)


def tables_count(db: Session) -> int:
    return db.scalar(select(func.count(GradingTable.id))) or 0


def ours(client: TestClient, w: TablesWorld) -> dict[str, object]:
    for grade in ["5", "5", "5", "4", "4", "4", "4", "3", "3", "3"]:
        w.award(grade)
    response = client.post(f"{API}/compute", json=w.scope(), headers=w.headers(w.registrar))
    assert response.status_code == 201, response.text
    return dict(response.json())


def theirs(client: TestClient, w: TablesWorld) -> dict[str, object]:
    body = w.scope(w.partner, scale_code="kz-letter", rows=PARTNER_ROWS)
    response = client.post(API, json=body, headers=w.headers(w.partner_registrar))
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_a_registrar_computes_and_everyone_reads(client: TestClient, w: TablesWorld) -> None:
    table = ours(client, w)
    assert [(r["grade"], r["percent"], r["cumulative"]) for r in table["rows"]] == [
        ("5", "30.00", "30.00"),
        ("4", "40.00", "70.00"),
        ("3", "30.00", "100.00"),
    ]
    read = client.get(f"{API}/{table['id']}", headers=w.headers(w.student, "credits:read"))
    assert read.json()["rows"] == table["rows"]
    listed = client.get(API, params={"isced_code": "0413", "eqf_level": 7, "scale_code": "ru-5"},
                        headers=w.partner_system(["credits:read"]))  # fmt: skip
    assert [t["id"] for t in listed.json()["items"]] == [table["id"]]
    assert (
        client.get(API, params={"scale_code": "fr-20"}, headers=w.headers(w.student)).json()[
            "items"
        ]
        == []
    )


def test_a_partner_system_without_the_scope_reads_nothing(
    client: TestClient, w: TablesWorld
) -> None:
    assert client.get(API, headers=w.partner_system([])).status_code == 403
    assert client.get(API).status_code == 401


@pytest.mark.parametrize("who", ["student", "partner_registrar"])
def test_only_registrars_of_the_owner_write(client: TestClient, w: TablesWorld, who: str) -> None:
    w.award("5")
    headers = w.headers(getattr(w, who))
    assert client.post(f"{API}/compute", json=w.scope(), headers=headers).status_code == 403
    body = w.scope(scale_code="kz-letter", rows=PARTNER_ROWS)
    assert client.post(API, json=body, headers=headers).status_code == 403
    assert tables_count(w.db) == 0


def test_a_short_period_is_a_problem_that_writes_nothing(
    client: TestClient, w: TablesWorld
) -> None:
    w.award("5")
    body = w.scope(period_to="2025-08-31")
    response = client.post(f"{API}/compute", json=body, headers=w.headers(w.registrar))
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "grading_table_refused"
    assert tables_count(w.db) == 0


def test_a_grade_converts_with_its_band_overlap_and_rule(
    client: TestClient, w: TablesWorld
) -> None:
    source, target = theirs(client, w), ours(client, w)
    body = {"source_table_id": source["id"], "target_table_id": target["id"], "grade": "C"}
    response = client.post(f"{API}/convert", json=body, headers=w.headers(w.student))
    assert response.status_code == 200, response.text
    assert response.json() == {
        "source_table_id": source["id"],
        "target_table_id": target["id"],
        "source_grade": "C",
        "grade": "4",
        "overlapping": ["4", "3"],
        "rule": "ects-grading-table-midpoint",
        "source_band_from": "40.00",
        "source_band_to": "100.00",
        "midpoint": "70.00",
    }


def test_a_failing_grade_is_not_converted(client: TestClient, w: TablesWorld) -> None:
    source, target = ours(client, w), theirs(client, w)
    body = {"source_table_id": source["id"], "target_table_id": target["id"], "grade": "2"}
    response = client.post(f"{API}/convert", json=body, headers=w.headers(w.student))
    assert response.status_code == 422
    assert response.json()["code"] == "grade_not_convertible"
    missing = {**body, "target_table_id": 999999, "grade": "5"}
    assert (
        client.post(f"{API}/convert", json=missing, headers=w.headers(w.student)).status_code == 404
    )


def test_listing_tables_costs_the_same_queries_for_2_or_6(
    client: TestClient, w: TablesWorld, queries: QueryCounter
) -> None:
    headers = w.headers(w.student)
    counts = []
    for wanted in (2, 6):
        while tables_count(w.db) < wanted:
            theirs(client, w)
        with queries:
            assert len(client.get(API, headers=headers).json()["items"]) == wanted
        counts.append(queries.count)
    assert counts[0] == counts[1]


def test_tables_are_filtered_by_source_and_paged(client: TestClient, w: TablesWorld) -> None:
    computed = ours(client, w)
    imported = [theirs(client, w)["id"] for _ in range(2)]
    headers = w.headers(w.student)
    only = client.get(API, params={"source": "imported"}, headers=headers).json()
    assert [t["id"] for t in only["items"]] == imported
    first = client.get(API, params={"limit": 2}, headers=headers).json()
    assert [t["id"] for t in first["items"]] == [computed["id"], imported[0]]
    rest = client.get(API, params={"cursor": first["next_cursor"]}, headers=headers).json()
    assert [t["id"] for t in rest["items"]] == [imported[1]]
    assert rest["next_cursor"] is None
