"""A course with a teacher, a tutor, learners in two groups and two grade items (a manual one
and a quiz's), and ways to call the pages and the API as any of them, for the grader tests."""

from dataclasses import dataclass, field
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

import app.models  # noqa: F401  (every table, for the snapshots)
from app.accounts import auth
from app.accounts.deps import SESSION_COOKIE
from app.accounts.models import User
from app.core.actors import SYSTEM
from app.core.config import Settings
from app.core.db import Base
from app.core.security import csrf_token_for, encode_access_token
from app.courses.models import Course
from app.enrolment.cohorts import create_group, set_group_member
from app.enrolment.models import Group
from app.grades.models import GradeItem, ItemSource
from app.grades.service.record import ensure_item
from app.membership.models import CourseRole
from tests.accounts.factories import bearer, make_user
from tests.courses.factories import enrol_as, import_hs101


@dataclass
class Gradebook:
    db: Session
    settings: Settings
    course: Course
    teacher: User
    tutor: User
    group_a: Group
    group_b: Group
    manual: GradeItem
    quiz: GradeItem
    learners: list[User] = field(default_factory=list)

    def learner(self, name: str, group: Group | None = None, email: str | None = None) -> User:
        user = make_user(self.db, email=email)
        user.display_name = name
        enrol_as(self.db, self.course, user, CourseRole.STUDENT)
        if group is not None:
            set_group_member(self.db, SYSTEM, group.id, user.id, member=True)
        self.db.flush()
        self.learners.append(user)
        return user


def gradebook(db: Session, settings: Settings) -> Gradebook:
    course = import_hs101(db, settings)
    teacher = make_user(db, email="teacher@example.org")
    tutor = make_user(db, email="tutor@example.org")
    enrol_as(db, course, teacher, CourseRole.TEACHER)
    enrol_as(db, course, tutor, CourseRole.TUTOR)
    group_a = create_group(db, SYSTEM, course.id, "Team A")
    group_b = create_group(db, SYSTEM, course.id, "Team B")
    manual = GradeItem(
        course_id=course.id, source=ItemSource.MANUAL, title="Oral", max_points=Decimal(20)
    )
    db.add(manual)
    db.flush()
    quiz = ensure_item(
        db, course_id=course.id, source=ItemSource.QUIZ, source_id=90001, title="Check yourself",
        max_points=Decimal(10),
    )  # fmt: skip
    return Gradebook(db, settings, course, teacher, tutor, group_a, group_b, manual, quiz)


def as_browser(client: TestClient, book: Gradebook, user: User) -> TestClient:
    """The client signed in to the portal as this person (no password hashing)."""
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, auth.start_session(book.db, book.settings, user, "t", "t"))
    book.db.flush()
    return client


def post_form(
    client: TestClient, book: Gradebook, path: str, data: dict[str, str], **kwargs: object
) -> object:
    """POST a form with this browser's CSRF token, not following the redirect."""
    csrf = csrf_token_for(book.settings, client.cookies[SESSION_COOKIE])
    return client.post(path, data={**data, "csrf_token": csrf}, follow_redirects=False, **kwargs)


def api_headers(book: Gradebook, user: User) -> dict[str, str]:
    token, _ = encode_access_token(
        book.settings, f"user:{user.id}", sorted(auth.user_scopes_allowed(user))
    )
    return bearer(token)


def every_row(db: Session) -> dict[str, list[str]]:
    """Every row of every table but the throttling counters, to show a refusal wrote nothing."""
    db.expire_all()
    return {
        table.name: sorted(repr(tuple(row)) for row in db.execute(select(table)))
        for table in Base.metadata.sorted_tables
        if table.name != "throttle_events"
    }
