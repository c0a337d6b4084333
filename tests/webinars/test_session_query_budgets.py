"""One session, read on its page and over the API, sends as many SQL statements with 2
materials, recordings and registrations as with 12 (the API's lists of registrations and
recordings have their budgets in tests/test_list_query_budgets.py). Each is read at both sizes
and must keep its named budget."""

import io
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from app.membership.models import CourseRole
from app.webinars.service import materials, recordings, registration
from tests.accounts.factories import PASSWORD, api_token, bearer, make_user, sign_in
from tests.conftest import QueryCounter
from tests.courses.factories import enrol_as
from tests.webinars.conftest import Classroom

BUDGETS = {
    "/sessions/{session} as student": 11,
    "/sessions/{session} as teacher": 14,
    "/api/v1/sessions/{session} as teacher": 10,
}


@pytest.mark.parametrize("case", sorted(BUDGETS))
def test_a_session_costs_the_same_for_2_rows_as_for_12(
    client: TestClient, classroom: Classroom, queries: QueryCounter, case: str
) -> None:
    path, who = case.split(" as ")
    room, db = classroom, classroom.db
    webinar = room.schedule(starts_in=timedelta(days=3))
    reader = room.students[0] if who == "student" else room.teacher
    registration.register(db, room.actor(room.students[0]), webinar.id)
    url = path.format(session=webinar.id)
    page = not url.startswith("/api/")
    if page:
        sign_in(client, reader.email)
    headers = {} if page else bearer(api_token(client, reader.email, PASSWORD))
    counts, sizes, grown = [], [], 0
    for size in (2, 12):
        for n in range(grown, size):
            materials.add_material(
                db, room.teacher_actor, room.settings, webinar.id, io.BytesIO(b"slides %d" % n),
                f"slides-{n}.txt",
            )  # fmt: skip
            recordings.add_recording_link(
                db, room.teacher_actor, webinar.id, f"https://video.example/{n}", f"Part {n}"
            )
            learner = make_user(db)
            enrol_as(db, room.course, learner, CourseRole.STUDENT)
            registration.register(db, room.actor(learner), webinar.id)
        grown = size
        db.flush()
        client.get(url, headers=headers)  # warm what is cached per process
        with queries:
            answer = client.get(url, headers=headers)
        assert answer.status_code == 200, answer.text
        counts.append(queries.count)
        sizes.append(answer.text.count("slides-"))

    assert counts == [BUDGETS[case]] * 2, counts
    assert sizes[0] < sizes[1], sizes  # the session's files did grow
