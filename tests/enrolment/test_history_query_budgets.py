"""An enrolment's history, each change by another teacher, sends as many SQL statements for 2
changes as for 12, read at both sizes against its named budget."""

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.auth import actor_for_user
from app.core.config import Settings
from app.enrolment import service
from app.membership.models import CourseRole, Enrolment, EnrolmentStatus
from tests.accounts.factories import PASSWORD, api_token, bearer, make_user
from tests.conftest import QueryCounter
from tests.courses.factories import enrol_as, import_hs101

HISTORY_BUDGET = 4


def test_an_enrolment_history_costs_the_same_for_2_changes_as_for_12(
    client: TestClient, db: Session, settings: Settings, queries: QueryCounter
) -> None:
    course = import_hs101(db, settings)
    reader = make_user(db, password=PASSWORD)
    enrol_as(db, course, reader, CourseRole.TEACHER)
    headers = bearer(api_token(client, reader.email))
    student = make_user(db)
    enrol_as(db, course, student, CourseRole.STUDENT)
    enrolment = db.scalars(
        select(Enrolment).where(Enrolment.course_id == course.id, Enrolment.user_id == student.id)
    ).one()
    counts, rows, changes = [], [], 0
    for size in (2, 12):
        for n in range(changes, size):
            teacher = make_user(db)
            enrol_as(db, course, teacher, CourseRole.TEACHER)
            status = EnrolmentStatus.SUSPENDED if n % 2 == 0 else EnrolmentStatus.ACTIVE
            service.change_status(db, actor_for_user(teacher), enrolment.id, status, f"Step {n}")
        changes = size
        db.flush()
        url = f"/api/v1/enrolments/{enrolment.id}/history"
        client.get(url, headers=headers)  # warm what is cached per process
        with queries:
            answer = client.get(url, headers=headers)
        assert answer.status_code == 200, answer.text
        counts.append(queries.count)
        rows.append(len(answer.json()))

    assert counts == [HISTORY_BUDGET] * 2, counts
    assert rows[0] < rows[1], rows
