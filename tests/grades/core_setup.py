"""A course with a teacher, learners of two institutions and the shared scales, and ways to
call the pages and the API as any of them, for the gradebook core tests."""

from dataclasses import dataclass, field
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts import auth
from app.accounts.deps import SESSION_COOKIE
from app.accounts.models import Institution, User
from app.core.config import Settings
from app.core.security import csrf_token_for, encode_access_token
from app.courses.models import Course
from app.grades.models import GradeItem, ItemSource
from app.grades.service.record import ensure_item, record_grade
from app.grades.service.scales import load_scales
from app.membership.models import CourseRole
from app.seed import SEED_DIR
from tests.accounts.factories import bearer, make_api_client, make_institution, make_user
from tests.courses.factories import enrol_as, import_hs101


@dataclass
class Book:
    db: Session
    settings: Settings
    course: Course
    teacher: User
    home: Institution
    other: Institution
    learners: list[User] = field(default_factory=list)

    def learner(self, institution: Institution | None = None) -> User:
        user = make_user(self.db, institution=institution or self.home)
        enrol_as(self.db, self.course, user, CourseRole.STUDENT)
        self.learners.append(user)
        return user

    def item(self, title: str, max_points: int, source_id: int, **extra: object) -> GradeItem:
        return ensure_item(
            self.db, course_id=self.course.id, source=ItemSource.QUIZ, source_id=source_id,
            title=title, max_points=Decimal(max_points), **extra,
        )  # fmt: skip

    def grade(self, item: GradeItem, user: User, points: str, *, release: bool = True) -> None:
        record_grade(self.db, item, user.id, Decimal(points), by_user_id=None, release=release)
        self.db.flush()


def book(db: Session, settings: Settings) -> Book:
    course = import_hs101(db, settings)
    load_scales(db, SEED_DIR)
    home = make_institution(db, "GRHOME")
    other = make_institution(db, "GROTHER")
    course.institution_id = home.id
    teacher = make_user(db, email="teacher@example.org")
    enrol_as(db, course, teacher, CourseRole.TEACHER)
    db.flush()
    return Book(db, settings, course, teacher, home, other)


def as_browser(client: TestClient, b: Book, user: User) -> TestClient:
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, auth.start_session(b.db, b.settings, user, "t", "t"))
    b.db.flush()
    return client


def post_form(client: TestClient, b: Book, path: str, data: dict[str, str]) -> object:
    csrf = csrf_token_for(b.settings, client.cookies[SESSION_COOKIE])
    return client.post(path, data={**data, "csrf_token": csrf}, follow_redirects=False)


def api_headers(b: Book, user: User) -> dict[str, str]:
    token, _ = encode_access_token(
        b.settings, f"user:{user.id}", sorted(auth.user_scopes_allowed(user))
    )
    return bearer(token)


def partner_headers(b: Book, institution: Institution, scopes: list[str]) -> dict[str, str]:
    """A partner system's token (as the client-credentials grant issues it)."""
    client = make_api_client(b.db, institution, scopes)
    token, _ = encode_access_token(b.settings, f"client:{client.id}", scopes)
    return bearer(token)
