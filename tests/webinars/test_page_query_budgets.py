"""The webinar reads that the other budgets (tests/test_list_query_budgets.py, the sessions page
in test_pages.py) do not cover send as many SQL statements for 2 rows as for 12: the register
page of a session whose class grows, a learner's attended hours (page and API) and calendar
feeds (page, API and the feed itself), and the course's calendar. Each is read at both sizes
and must keep its named budget."""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from app.accounts.models import User
from app.courses.models import Programme, ProgrammeCourse
from app.membership.models import CourseRole
from app.webinars import feeds
from app.webinars.models import AttendanceStatus, WebinarSession
from app.webinars.schemas import AttendanceUpdate
from app.webinars.service import marking, registration
from tests.accounts.factories import PASSWORD, api_token, bearer, make_user, sign_in
from tests.conftest import QueryCounter
from tests.courses.factories import enrol_as
from tests.webinars.conftest import Classroom

BUDGETS = {
    # The teacher's register of one session: one row per person of the course.
    "/sessions/{main}/attendance": 30,
    # The learner's attended sessions, against their programme.
    "/attendance": 7,
    "/api/v1/users/{learner}/attended-hours?programme=MBA-Q": 6,
    # The learner's calendar feeds, and the sessions of one of them.
    "/calendar": 2,
    "/api/v1/calendar-feeds": 2,
    "/api/v1/calendar/{token}.ics": 3,
    # The course's sessions as a calendar.
    "/courses/{code}/calendar.ics": 11,
    "/api/v1/courses/{course_id}/calendar.ics": 10,
}


@dataclass
class Growing:
    room: Classroom
    main: WebinarSession
    token: str = ""
    extra: list[User] = field(default_factory=list)

    @property
    def learner(self) -> User:
        return self.room.students[0]

    def to(self, size: int) -> None:
        """Up to `size` more people in the class (each marked on the main session), past
        sessions the learner attended, future ones they registered for, and feeds."""
        room, db = self.room, self.room.db
        for n in range(len(self.extra), size):
            person = make_user(db)
            enrol_as(db, room.course, person, CourseRole.STUDENT)
            marking.set_attendance(
                db, room.teacher_actor, self.main.id, person.id,
                AttendanceUpdate(status=AttendanceStatus.PRESENT),
            )  # fmt: skip
            past = room.schedule(starts_in=timedelta(days=-(n + 2)), minutes=60)
            marking.set_attendance(
                db, room.teacher_actor, past.id, self.learner.id,
                AttendanceUpdate(status=AttendanceStatus.PRESENT),
            )  # fmt: skip
            coming = room.schedule(starts_in=timedelta(days=n + 2))
            registration.register(db, room.actor(self.learner), coming.id)
            _feed, self.token = feeds.create_feed(
                db, room.actor(self.learner), room.settings.signing_key
            )
            self.extra.append(person)
        db.flush()


@pytest.fixture
def growing(classroom: Classroom) -> Growing:
    db = classroom.db
    programme = Programme(
        code="MBA-Q", kind="mba", title="MBA quality", attendance_hours_required=160
    )
    programme.courses = [ProgrammeCourse(course_id=classroom.course.id, semester=1, position=0)]
    db.add(programme)
    main = classroom.schedule(starts_in=timedelta(days=-1))
    return Growing(classroom, main)


@pytest.mark.parametrize("path", sorted(BUDGETS))
def test_webinar_reads_do_not_grow_with_the_data(
    client: TestClient, growing: Growing, queries: QueryCounter, path: str
) -> None:
    room = growing.room
    reader = room.teacher if "{main}" in path or "/courses/" in path else growing.learner
    page = not path.startswith("/api/")
    if page:
        sign_in(client, reader.email)
    headers = {} if page or "{token}" in path else bearer(api_token(client, reader.email, PASSWORD))
    counts, sizes = [], []
    for size in (2, 12):
        growing.to(size)
        url = path.format(
            main=growing.main.id, learner=growing.learner.id, token=growing.token,
            code=room.course.code, course_id=room.course.id,
        )  # fmt: skip
        client.get(url, headers=headers)  # warm what is cached per process
        with queries:
            answer = client.get(url, headers=headers)
        assert answer.status_code == 200, answer.text
        counts.append(queries.count)
        sizes.append(len(answer.content))

    assert counts == [BUDGETS[path]] * 2, counts
    assert sizes[0] < sizes[1], sizes  # the answer did grow
