"""A course with a forum module and its people, made through the services."""

import itertools
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from app.accounts.auth import actor_for_user
from app.accounts.models import User
from app.core.actors import SYSTEM, Actor
from app.core.config import Settings
from app.core.security import hash_password
from app.courses.models import Course, Programme, ProgrammeCourse, ProgrammeKind, Section, Status
from app.courses.schemas import ModuleCreate
from app.courses.service.content import add_module
from app.enrolment import cohorts
from app.forums.models import ForumKind
from app.forums.schemas import ForumUpdate, PostCreate, ThreadCreate
from app.forums.service import access, posts, threads
from app.membership.models import CourseRole
from tests.accounts.factories import PASSWORD, api_token, bearer, make_user, sign_in
from tests.courses.factories import enrol_as, import_hs101

_n = itertools.count(1)


@dataclass
class ForumWorld:
    db: Session
    settings: Settings
    course: Course
    forum_id: int
    module_id: int
    teacher: User
    student: User
    other_student: User

    def actor(self, user: User) -> Actor:
        return actor_for_user(user)


def forum_module(
    db: Session, settings: Settings, course: Course, kind: ForumKind = ForumKind.GENERAL,
    *, separate_groups: bool = False, completion: str = "viewed",
) -> tuple[int, int]:  # fmt: skip
    """A new forum module of the course (its module id and forum id)."""
    section = db.scalar(select(Section).where(Section.course_id == course.id))
    assert section is not None
    data = ModuleCreate(key=f"forum{next(_n)}", kind="forum", title="Discussion",
                        completion=completion)  # fmt: skip
    module = add_module(db, SYSTEM, settings, section.id, data)
    forum = access.forum_of_module(db, SYSTEM, module.id).forum
    access.configure(db, SYSTEM, forum.id, ForumUpdate(kind=kind, separate_groups=separate_groups))
    db.flush()
    return module.id, forum.id


def _person(db: Session, name: str) -> User:
    user = make_user(db)
    user.display_name = name
    return user


def forum_world(
    db: Session, settings: Settings, kind: ForumKind = ForumKind.GENERAL, **options: Any
) -> ForumWorld:
    course = import_hs101(db, settings)
    teacher, student, other = (_person(db, name) for name in ("Tran", "Sisouk", "Bounmy"))
    enrol_as(db, course, teacher, CourseRole.TEACHER)
    enrol_as(db, course, student, CourseRole.STUDENT)
    enrol_as(db, course, other, CourseRole.STUDENT)
    module_id, forum_id = forum_module(db, settings, course, kind, **options)
    return ForumWorld(db, settings, course, forum_id, module_id, teacher, student, other)


def thread(w: ForumWorld, author: User, title: str = "Introductions", body: str = "Hello") -> int:
    return threads.start_thread(
        w.db, w.actor(author), w.forum_id, ThreadCreate(title=title, body_markdown=body)
    ).id


def reply(w: ForumWorld, author: User, thread_id: int, body: str = "Welcome") -> int:
    return posts.reply(w.db, w.actor(author), thread_id, PostCreate(body_markdown=body)).id


# --- Helpers for the service and API tests ---------------------------------------------------


def headers_for(client: TestClient, user: User) -> dict[str, str]:
    """A bearer header of the user's own API token (a password is given them if they have
    none: the tests' hasher is cheap)."""
    if user.password_hash is None:
        user.password_hash = hash_password(PASSWORD)
        session = object_session(user)
        assert session is not None
        session.flush()
    return bearer(api_token(client, user.email))


def make_group(db: Session, course: Course, name: str, *members: User) -> int:
    """A group of the course with its members, made as the enrolment service makes them."""
    group = cohorts.create_group(db, SYSTEM, course.id, name)
    db.flush()
    for member in members:
        cohorts.set_group_member(db, SYSTEM, group.id, member.id, member=True)
    db.flush()
    return group.id


def programme_of(db: Session, *courses: Course) -> Programme:
    """A published programme holding the courses."""
    programme = Programme(
        code=f"FORUM-PRG-{next(_n)}",
        kind=ProgrammeKind.INDUCTION,
        title="Induction",
        status=Status.PUBLISHED,
    )
    programme.courses = [
        ProgrammeCourse(course_id=course.id, semester=1, position=i)
        for i, course in enumerate(courses)
    ]
    db.add(programme)
    db.flush()
    return programme


def count(db: Session, model: type[Any]) -> int:
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


# --- Helpers for the page tests --------------------------------------------------------------


def sign_in_as(client: TestClient, w: ForumWorld, user: User) -> None:
    """Sign the user in through the portal form (a password is given them if they have none)."""
    if user.password_hash is None:
        user.password_hash = hash_password(PASSWORD)
        w.db.flush()
    sign_in(client, user.email)
