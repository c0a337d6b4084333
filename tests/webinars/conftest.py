"""A course with a teacher and students, and helpers to schedule sessions in it."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from app.accounts.auth import actor_for_user
from app.accounts.models import User
from app.core.actors import Actor
from app.core.config import Settings
from app.core.db import utcnow
from app.courses.models import Course
from app.membership.models import CourseRole
from app.webinars.models import WebinarSession
from app.webinars.schemas import SessionCreate
from app.webinars.service import (
    scheduling,
)
from tests.accounts.factories import PASSWORD, make_user
from tests.courses.conftest import settings  # noqa: F401  (uploads under the test's own folder)
from tests.courses.factories import enrol_as, import_hs101


@dataclass
class Classroom:
    db: Session
    settings: Settings
    course: Course
    teacher: User
    students: list[User]

    @property
    def teacher_actor(self) -> Actor:
        return actor_for_user(self.teacher)

    def actor(self, student: User) -> Actor:
        return actor_for_user(student)

    def schedule(
        self, starts_in: timedelta = timedelta(days=2), minutes: int = 90, **fields
    ) -> WebinarSession:
        starts = utcnow().replace(microsecond=0) + starts_in
        data = SessionCreate.model_validate(
            {
                "title": "Financing primary health care",
                "time_zone": "Europe/Paris",
                "starts_at": starts,
                "ends_at": starts + timedelta(minutes=minutes),
                **fields,
            }
        )
        webinar = scheduling.schedule(
            self.db, self.teacher_actor, self.settings, self.course.id, data
        )
        self.db.flush()
        return webinar


@pytest.fixture
def classroom(db: Session, settings: Settings) -> Classroom:  # noqa: F811
    course = import_hs101(db, settings)
    teacher = make_user(
        db, email="teacher@example.org", password=PASSWORD, time_zone="Europe/Paris"
    )
    enrol_as(db, course, teacher, CourseRole.TEACHER)
    zones = ("Asia/Vientiane", "Asia/Kolkata", "Africa/Casablanca", "Asia/Almaty")
    students = []
    for number, zone in enumerate(zones, 1):
        student = make_user(db, email=f"s{number}@example.org", password=PASSWORD, time_zone=zone)
        enrol_as(db, course, student, CourseRole.STUDENT)
        students.append(student)
    return Classroom(db, settings, course, teacher, students)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)
