"""The enrolment pages that the participants budget (test_pages.py) does not read send as many
SQL statements for 2 rows as for 12: a course's groups, the cohorts and one cohort's members.
Each is read at both sizes and must keep its named budget."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.core.actors import SYSTEM, PlatformRole
from app.core.config import Settings
from app.enrolment.cohorts import add_member, create_cohort, create_group, set_group_member
from app.membership.models import CourseRole
from tests.accounts.factories import PASSWORD, make_user, sign_in
from tests.conftest import QueryCounter
from tests.courses.factories import enrol_as, import_hs101

BUDGETS = {
    "/courses/{code}/groups": 10,
    "/admin/cohorts": 2,
    "/admin/cohorts/{cohort}": 5,
}


@pytest.mark.parametrize("path", sorted(BUDGETS))
def test_enrolment_pages_cost_the_same_for_2_rows_as_for_12(
    client: TestClient, db: Session, settings: Settings, queries: QueryCounter, path: str
) -> None:
    course = import_hs101(db, settings)
    main = create_cohort(db, SYSTEM, "CO-MAIN", "Main intake")
    manager = make_user(db, password=PASSWORD, role=PlatformRole.MANAGER)
    sign_in(client, manager.email)
    url = path.format(code=course.code, cohort=main.id)
    counts, sizes, grown = [], [], 0
    for size in (2, 12):
        for n in range(grown, size):
            student = make_user(db, email=f"member{n}@example.org")
            enrol_as(db, course, student, CourseRole.STUDENT)
            add_member(db, SYSTEM, main.id, student.id)
            add_member(db, SYSTEM, create_cohort(db, SYSTEM, f"CO-{n}", f"Intake {n}").id,
                       student.id)  # fmt: skip
            group = create_group(db, SYSTEM, course.id, f"Team {n}")
            set_group_member(db, SYSTEM, group.id, student.id, member=True)
        grown = size
        db.flush()
        client.get(url)  # warm what is cached per process
        with queries:
            answer = client.get(url)
        assert answer.status_code == 200, answer.text
        counts.append(queries.count)
        sizes.append(len(answer.content))

    assert counts == [BUDGETS[path]] * 2, counts
    assert sizes[0] < sizes[1], sizes  # the page did grow
