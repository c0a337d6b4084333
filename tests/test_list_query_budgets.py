"""Every list endpoint of the API issues the same number of SQL statements whatever the data:
each is read at two sizes of a course (3 and 24 of everything) and must not grow. Budgets are
named here; an N+1 makes the test fail."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.auth import actor_for_user
from app.core.actors import SYSTEM, PlatformRole
from app.core.config import Settings
from app.core.db import utcnow
from app.courses.models import Course
from app.courses.service.history import record_edit
from app.enrolment.cohorts import add_member, create_cohort, create_group, set_group_member
from app.membership.models import CourseRole
from app.seed import load_programmes
from app.webinars.models import AttendanceStatus
from app.webinars.schemas import AttendanceUpdate, SessionCreate
from app.webinars.service import marking, recordings, registration, scheduling
from tests.accounts.factories import PASSWORD, api_token, bearer, make_user
from tests.conftest import QueryCounter
from tests.courses.factories import SEED, enrol_as, import_hs101

C, S = "/api/v1/courses/{course}", "/api/v1/sessions/{session}"
# A session read loads its days, hosts, speakers, materials and recordings (one query each).
BUDGETS = {
    # The caller's account is read too: partner clients and institution managers list their
    # institution's reach only.
    "/api/v1/courses?limit=20": 2,
    "/api/v1/programmes": 4,
    C + "/outline": 6,
    # The caller, the course, their roles in it, then the edits with their authors in one.
    C + "/history": 4,
    C + "/participants": 3,
    "/api/v1/cohorts": 2,
    C + "/groups": 4,
    C + "/groupings": 4,
    C + "/sessions": 10,
    S + "/registrations": 9,
    S + "/attendance": 11,
    S + "/absentees": 11,
    S + "/recordings": 10,
    "/api/v1/scholarships": 3,
}


@dataclass
class Growing:
    db: Session
    settings: Settings
    course: Course
    session_id: int
    grown: int = 0

    def to(self, size: int) -> None:
        """Add students, cohorts, groups, sessions, registrations and attendance up to `size`."""
        teacher = make_user(self.db)
        enrol_as(self.db, self.course, teacher, CourseRole.TEACHER)
        for n in range(self.grown, size):
            student = make_user(self.db)
            enrol_as(self.db, self.course, student, CourseRole.STUDENT)
            cohort = create_cohort(self.db, SYSTEM, f"CO-{n}", f"Intake {n}")
            add_member(self.db, SYSTEM, cohort.id, student.id)
            group = create_group(self.db, SYSTEM, self.course.id, f"Team {n}")
            set_group_member(self.db, SYSTEM, group.id, student.id, member=True)
            starts = utcnow() + timedelta(days=n + 1)
            scheduling.schedule(
                self.db, actor_for_user(teacher), self.settings, self.course.id,
                SessionCreate(title=f"W{n}", time_zone="UTC", starts_at=starts,
                              ends_at=starts + timedelta(hours=1)),
            )  # fmt: skip
            registration.register(self.db, actor_for_user(student), self.session_id)
            marking.set_attendance(
                self.db, SYSTEM, self.session_id, student.id,
                AttendanceUpdate(status=AttendanceStatus.PRESENT),
            )  # fmt: skip
            recordings.add_recording_link(
                self.db, SYSTEM, self.session_id, f"https://video.example/{n}", f"Part {n}"
            )
            import_hs101(self.db, self.settings, code=f"MORE-{n}")
            # Each edit of the history by another person, whose name it shows.
            record_edit(self.db, actor_for_user(student), self.course, "course.updated", f"E{n}")
        self.grown = size
        self.db.flush()


@pytest.fixture
def growing(db: Session, settings: Settings) -> Growing:
    course = import_hs101(db, settings)
    load_programmes(db, SEED)
    starts = utcnow() + timedelta(days=1)
    session_id = scheduling.schedule(
        db, SYSTEM, settings, course.id,
        SessionCreate(title="Main", time_zone="UTC", starts_at=starts,
                      ends_at=starts + timedelta(hours=2)),
    ).id  # fmt: skip
    return Growing(db, settings, course, session_id)


@pytest.mark.parametrize("path", sorted(BUDGETS))
def test_list_endpoints_do_not_grow_with_the_data(
    client: TestClient, growing: Growing, queries: QueryCounter, path: str
):
    make_user(growing.db, email="boss@example.org", password=PASSWORD, role=PlatformRole.MANAGER)
    headers = bearer(api_token(client, "boss@example.org"))
    url = path.format(course=growing.course.id, session=growing.session_id)
    counts = []
    for size in (3, 24):
        growing.to(size)
        client.get(url, headers=headers)  # warm what is cached per process
        with queries:
            answer = client.get(url, headers=headers)
        assert answer.status_code == 200, answer.text
        counts.append(queries.count)

    assert counts[0] == counts[1], counts
    assert counts[1] <= BUDGETS[path], counts
