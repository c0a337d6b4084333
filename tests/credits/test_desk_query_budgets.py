"""The registrar's credits desk (a search of learners) and the grading scales page send as many
SQL statements for 2 rows as for 12. Each is read at both sizes and must keep its named
budget."""

from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.core.actors import SYSTEM, PlatformRole
from app.grades.service import scales
from app.grades.setup_schemas import LevelIn, ScaleCreate
from tests.accounts.factories import PASSWORD, make_user, sign_in
from tests.conftest import QueryCounter

BUDGETS = {
    "/admin/credits?q=applicant": 2,
    "/admin/credits/scales": 3,
}


def _grow(db: Session, start: int, size: int) -> None:
    for n in range(start, size):
        make_user(db, email=f"applicant{n}@example.org")
        scales.create_scale(
            db, SYSTEM,
            ScaleCreate(code=f"desk-{n}", name=f"Scale {n}", levels=[
                LevelIn(label="Fail", value=Decimal(0), min_percent=Decimal(0)),
                LevelIn(label="Pass", value=Decimal(1), min_percent=Decimal(50), passing=True),
            ]),
        )  # fmt: skip
    db.flush()


@pytest.mark.parametrize("path", sorted(BUDGETS))
def test_the_desk_and_the_scales_cost_the_same_for_2_rows_as_for_12(
    client: TestClient, db: Session, queries: QueryCounter, path: str
) -> None:
    registrar = make_user(db, password=PASSWORD, role=PlatformRole.MANAGER)
    sign_in(client, registrar.email)
    counts, sizes, grown = [], [], 0
    for size in (2, 12):
        _grow(db, grown, size)
        grown = size
        client.get(path)  # warm what is cached per process
        with queries:
            answer = client.get(path)
        assert answer.status_code == 200, answer.text
        counts.append(queries.count)
        sizes.append(answer.text.count("applicant") + answer.text.count("desk-"))

    assert counts == [BUDGETS[path]] * 2, counts
    assert sizes[0] < sizes[1], sizes  # the list did grow
