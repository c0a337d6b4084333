"""A defended project's jury pages, the chair's mark form and the final grade's page (each
member's mark), send as many SQL statements for a jury of 2 more markers as of 12 (the jury's
list page has its budget in test_jury_pages.py). Each is read at both sizes and must keep its
named budget."""

from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.auth import actor_for_user
from app.assignments.jury_schemas import JuryMarkInput, JuryMemberCreate
from app.assignments.service import examiners, jury_marks
from app.core.config import Settings
from app.membership.models import CourseRole
from tests.accounts.factories import PASSWORD, make_user, sign_in
from tests.assignments.jury_factories import make_jury
from tests.conftest import QueryCounter
from tests.courses.factories import enrol_as

BUDGETS = {
    "/submissions/{submission}/jury-mark": 17,
    "/submissions/{submission}/jury-final": 12,
}


@pytest.mark.parametrize("path", sorted(BUDGETS))
def test_the_jury_pages_cost_the_same_for_2_markers_as_for_12(
    client: TestClient, db: Session, settings: Settings, queries: QueryCounter, path: str
) -> None:
    j = make_jury(db, settings)
    chair = actor_for_user(j.teacher)
    url = path.format(submission=j.submission.id)
    sign_in(client, j.teacher.email, PASSWORD)
    counts, sizes, grown = [], [], 0
    for size in (2, 12):
        for n in range(grown, size):
            marker = make_user(db, email=f"marker{n}@example.org")
            marker.display_name = f"Marker {n}"
            enrol_as(db, j.course, marker, CourseRole.TUTOR)
            examiners.add_member(
                db, chair, settings, j.assignment.id, JuryMemberCreate(user_id=marker.id)
            )
            jury_marks.enter_mark(
                db, actor_for_user(marker), j.submission.id,
                JuryMarkInput(points=Decimal(10 + n % 8), comment=f"Remark {n}"),
            )  # fmt: skip
        grown = size
        db.flush()
        client.get(url)  # warm what is cached per process
        with queries:
            answer = client.get(url)
        assert answer.status_code == 200, answer.text
        counts.append(queries.count)
        sizes.append(answer.text.count("Marker "))

    assert counts == [BUDGETS[path]] * 2, counts
    assert sizes[0] < sizes[1] or sizes == [0, 0], sizes  # the marks shown did grow
