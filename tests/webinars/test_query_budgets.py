"""Whole series, whole registers and whole groups in a fixed number of SQL statements: each
is done at two sizes (3 and 24) and must not grow; registering a group does it under the
webinar's row lock, so a query per person would hold the lock longer with every member."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from app.core.actors import SYSTEM
from app.enrolment.cohorts import create_group, set_group_member
from app.membership.models import CourseRole
from tests.accounts.factories import PASSWORD, api_token, bearer, make_user, page_csrf, sign_in
from tests.conftest import QueryCounter
from tests.courses.factories import enrol_as
from tests.webinars.conftest import Classroom

SIZES = (3, 24)
SERIES_BUDGET = 40
REGISTER_FORM_BUDGET = 30
GROUP_BUDGET = 25


def _students(classroom: Classroom, count: int) -> list[int]:
    ids = []
    for _ in range(count):
        student = make_user(classroom.db, password=PASSWORD)
        enrol_as(classroom.db, classroom.course, student, CourseRole.STUDENT)
        ids.append(student.id)
    classroom.db.flush()
    return ids


def test_creating_a_series_takes_the_same_queries_for_3_or_24_webinars(
    client: TestClient, classroom: Classroom, queries: QueryCounter
):
    headers = bearer(api_token(client, classroom.teacher.email))
    url = f"/api/v1/courses/{classroom.course.id}/session-series"
    counts = []
    for size in SIZES:
        body = {"title": "Weekly", "time_zone": "Europe/Paris", "count": size,
                "starts_at": "2027-01-05T18:00", "ends_at": "2027-01-05T19:00"}  # fmt: skip
        with queries:
            created = client.post(url, json=body, headers=headers)
        assert created.status_code == 201, created.text
        assert len(created.json()) == size
        counts.append(queries.count)

    assert counts[0] == counts[1], counts
    assert counts[1] <= SERIES_BUDGET, counts


def test_saving_the_register_takes_the_same_queries_for_3_or_24_people(
    client: TestClient, classroom: Classroom, queries: QueryCounter
):
    sign_in(client, classroom.teacher.email)
    counts = []
    for size in SIZES:
        webinar = classroom.schedule(starts_in=timedelta(days=-1), minutes=60)
        day = webinar.sittings[0].id
        page = f"/sessions/{webinar.id}/attendance"
        form = {"csrf_token": page_csrf(client, page)}
        for user_id in _students(classroom, size):
            form[f"status-{day}-{user_id}"] = "present"
            form[f"minutes-{day}-{user_id}"] = "50"
        with queries:
            saved = client.post(page, data=form, follow_redirects=False)
        assert saved.status_code == 303, saved.text
        counts.append(queries.count)

    assert counts[0] == counts[1], counts
    assert counts[1] <= REGISTER_FORM_BUDGET, counts


@pytest.mark.parametrize("capacity", [None, 10])
def test_registering_a_group_takes_the_same_queries_for_3_or_24_members(
    client: TestClient, classroom: Classroom, queries: QueryCounter, capacity: int | None
):
    headers = bearer(api_token(client, classroom.teacher.email))
    counts = []
    for size in SIZES:
        webinar = classroom.schedule(capacity=capacity)
        group = create_group(classroom.db, SYSTEM, classroom.course.id, f"Team {size}")
        for user_id in _students(classroom, size):
            set_group_member(classroom.db, SYSTEM, group.id, user_id, member=True)
        classroom.db.flush()
        with queries:
            done = client.post(
                f"/api/v1/sessions/{webinar.id}/registrations/bulk",
                json={"group_id": group.id},
                headers=headers,
            )
        assert done.status_code == 200, done.text
        assert done.json()["registered"] + done.json()["waitlisted"] == size
        counts.append(queries.count)

    assert counts[0] == counts[1], counts
    assert counts[1] <= GROUP_BUDGET, counts
