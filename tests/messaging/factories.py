"""A course with the people who write to each other, and helpers to write and to sign in."""

from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.auth import actor_for_user
from app.accounts.models import Institution, User
from app.core.actors import Actor, PlatformRole
from app.core.config import Settings
from app.core.security import hash_password
from app.courses.models import Course
from app.membership.models import CourseRole
from app.messaging import service
from app.messaging.models import Conversation, Message, MessageReport
from app.messaging.schemas import MessageCreate
from tests.accounts.factories import PASSWORD, make_user, sign_in
from tests.courses.factories import enrol_as, import_hs101
from tests.forums.factories import count


@dataclass
class MessagingWorld:
    """HS-101 (of institution P1) with its teacher, tutor and two students, a teacher of
    another course, someone in no course and a platform manager."""

    db: Session
    settings: Settings
    course: Course
    home: Institution
    teacher: User
    tutor: User
    student: User
    other_student: User
    other_teacher: User
    outsider: User
    manager: User

    def actor(self, user: User) -> Actor:
        return actor_for_user(user)


def person(db: Session, name: str, **options: Any) -> User:
    user = make_user(db, **options)
    user.display_name = name
    db.flush()
    return user


def messaging_world(db: Session, settings: Settings) -> MessagingWorld:
    course = import_hs101(db, settings)
    home = db.scalar(select(Institution).where(Institution.code == "P1"))
    assert home is not None
    assert course.institution_id == home.id
    people = {
        name: person(db, name, institution=home)
        for name in ("Tran Van Minh", "Keo Sophal", "Sisouk", "Bounmy", "Chanthavong")
    }
    teacher, tutor, student, other_student, other_teacher = people.values()
    enrol_as(db, course, teacher, CourseRole.TEACHER)
    enrol_as(db, course, tutor, CourseRole.TUTOR)
    enrol_as(db, course, student, CourseRole.STUDENT)
    enrol_as(db, course, other_student, CourseRole.STUDENT)
    other_course = import_hs101(db, settings, code="HS-102")
    enrol_as(db, other_course, other_teacher, CourseRole.TEACHER)
    outsider = person(db, "Noy Outsider")
    manager = person(db, "Vilay Manager", role=PlatformRole.MANAGER)
    return MessagingWorld(db, settings, course, home, teacher, tutor, student, other_student,
                          other_teacher, outsider, manager)  # fmt: skip


def write(w: MessagingWorld, sender: User, recipient: User, body: str = "Hello") -> Message:
    """A message written through the service, as the sender."""
    message = service.send(w.db, w.actor(sender), recipient.id, MessageCreate(body_markdown=body))
    w.db.flush()
    return message


def written(db: Session) -> tuple[int, int, int]:
    """The conversations, messages and reports stored: what a refusal must leave alone."""
    return count(db, Conversation), count(db, Message), count(db, MessageReport)


def sign_in_as(client: TestClient, user: User) -> None:
    """Sign the user in through the portal form (a password is given them if they have none)."""
    if user.password_hash is None:
        user.password_hash = hash_password(PASSWORD)
        db = Session.object_session(user)
        assert db is not None
        db.flush()
    sign_in(client, user.email)
