"""One learning agreement, read over the API, on the registrar's page and on the learner's,
sends as many SQL statements with 2 lines as with 12 (the lists of agreements have their
budgets in test_transfer_query_budgets.py). Each is read at both sizes and must keep its
named budget."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.core.config import Settings
from tests.conftest import QueryCounter
from tests.credits.transfer_world import EQF, ISCED, mobility

BUDGETS = {
    "/api/v1/learning-agreements/{agreement}": 3,
    "/admin/credits/agreements/{agreement}": 7,
    "/me/credits/agreements/{agreement}": 7,
}


@pytest.mark.parametrize("path", sorted(BUDGETS))
def test_an_agreement_costs_the_same_for_2_lines_as_for_12(
    client: TestClient, db: Session, settings: Settings, queries: QueryCounter, path: str
) -> None:
    w = mobility(db, settings)
    agreement = w.draft(client)  # with its first line
    url = path.format(agreement=agreement)
    reader = w.registrar if path.startswith("/admin/") else w.learner
    counts, rows, lines = [], [], 1
    for size in (2, 12):
        for n in range(lines, size):
            line = client.post(
                f"/api/v1/learning-agreements/{agreement}/lines",
                json={"host_course_code": f"KZ-{n}", "host_course_title": f"Course {n}",
                      "host_credits": "3", "host_scale_code": "ru-5", "isced_code": ISCED,
                      "eqf_level": EQF, "home_course_id": w.course.id},
                headers=w.user_headers(w.learner),
            )  # fmt: skip
            assert line.status_code == 201, line.text
        lines = size
        page = not url.startswith("/api/")
        headers = {} if page else w.user_headers(reader)
        if page:
            w.browser(client, reader)
        client.get(url, headers=headers)  # warm what is cached per process
        with queries:
            answer = client.get(url, headers=headers)
        assert answer.status_code == 200, answer.text
        counts.append(queries.count)
        rows.append(answer.text.count("KZ-"))
        client.cookies.clear()

    assert counts == [BUDGETS[path]] * 2, counts
    assert rows[0] < rows[1], rows  # the read list did grow
