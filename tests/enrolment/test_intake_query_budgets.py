"""The intake pages send as many SQL statements for 2 rows as for 12: the past intakes of a
course and of a cohort (one more run each time), and one run's report, on its page and as CSV
(a run of as many rows). Each is read at both sizes and must keep its named budget."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.auth import actor_for_user
from app.core.actors import SYSTEM, PlatformRole
from app.core.config import Settings
from app.enrolment import bulk
from app.enrolment.cohorts import create_cohort
from tests.accounts.factories import PASSWORD, make_institution, make_user, sign_in
from tests.conftest import QueryCounter
from tests.courses.factories import import_hs101

HEADER = "external_id,email,display_name,language,time_zone,country,institution\n"
BUDGETS = {
    "/courses/{code}/intakes": 4,
    "/admin/cohorts/{cohort}/intakes": 3,
    "/intakes/{run}": 5,
    "/intakes/{run}/report.csv": 5,
}


@pytest.mark.parametrize("path", sorted(BUDGETS))
def test_intake_pages_cost_the_same_for_2_rows_as_for_12(
    client: TestClient, db: Session, settings: Settings, queries: QueryCounter, path: str
) -> None:
    course = import_hs101(db, settings)
    cohort = create_cohort(db, SYSTEM, "CO-INTAKE", "Intake")
    home = make_institution(db, "INTK")
    manager = make_user(db, password=PASSWORD, role=PlatformRole.MANAGER)
    actor = actor_for_user(manager)
    sign_in(client, manager.email)
    counts, sizes, runs = [], [], 0
    for size in (2, 12):
        run = 0
        for n in range(runs, size):
            lines = "".join(
                f"L-{n}-{k},l{n}-{k}@example.org,Learner {n} {k},,,,\n" for k in range(size)
            )
            intake = bulk.rows_from_csv(HEADER + lines)
            run = bulk.bulk_enrol(db, actor, course.id, intake, home.code, settings=settings).run.id
            bulk.bulk_add_to_cohort(db, actor, cohort.id, intake, home.code, settings=settings)
        runs = size
        db.flush()
        url = path.format(code=course.code, cohort=cohort.id, run=run)
        client.get(url)  # warm what is cached per process
        with queries:
            answer = client.get(url)
        assert answer.status_code == 200, answer.text
        counts.append(queries.count)
        sizes.append(len(answer.content))

    assert counts == [BUDGETS[path]] * 2, counts
    assert sizes[0] < sizes[1], sizes  # the page did grow
