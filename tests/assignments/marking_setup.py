"""A class for the marking tests: the HS-101 course with a teacher, a tutor and learners,
API headers minted directly, and portal sign-in for the pages."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.auth import user_scopes_allowed
from app.accounts.models import User
from app.assignments.models import Assignment
from app.core.config import Settings
from app.core.security import encode_access_token, hash_password
from app.courses.models import Course
from app.membership.models import CourseRole
from tests.accounts.factories import PASSWORD, bearer, make_user, sign_in
from tests.assignments.factories import make_assignment
from tests.courses.factories import enrol_as, import_hs101

HASHED = hash_password(PASSWORD)  # argon2 is slow on purpose: once


@dataclass
class Class:
    db: Session
    settings: Settings
    course: Course
    teacher: User
    tutor: User
    students: list[User] = field(default_factory=list)

    def headers(self, user: User) -> dict[str, str]:
        token, _ = encode_access_token(
            self.settings, f"user:{user.id}", sorted(user_scopes_allowed(user))
        )
        return bearer(token)

    def assignment(self, **settings: Any) -> Assignment:
        return make_assignment(self.db, self.course, **settings)

    def sign_in(self, client: TestClient, user: User) -> None:
        client.cookies.clear()
        sign_in(client, user.email)


def _person(db: Session, name: str, course: Course, role: CourseRole, language: str = "en") -> User:
    user = make_user(db, email=f"{name}@example.org", language=language)
    user.display_name = name.capitalize()
    user.password_hash = HASHED
    enrol_as(db, course, user, role)
    return user


@pytest.fixture(name="klass")
def klass_fixture(db: Session, settings: Settings, tmp_path: Path) -> Class:
    settings.storage_dir = tmp_path
    course = import_hs101(db, settings)
    students = [
        _person(db, "amina", course, CourseRole.STUDENT, "fr"),
        _person(db, "boris", course, CourseRole.STUDENT, "ru"),
        _person(db, "chloe", course, CourseRole.STUDENT),
    ]
    return Class(
        db, settings, course,
        _person(db, "teacher", course, CourseRole.TEACHER),
        _person(db, "tutor", course, CourseRole.TUTOR), students,
    )  # fmt: skip
