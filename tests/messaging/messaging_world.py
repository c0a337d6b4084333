"""Private messages for the permission matrices, all made through the messaging service with
the matrices' people: the course's teacher writing to its student, fresh students of the
course (of the course's people's institution) who wrote to the teacher, whom the teacher
blocked, or who blocked the tutor after the tutor wrote to them, and the student's report of
the teacher's message."""

import itertools
from typing import Protocol

from sqlalchemy.orm import Session

from app.accounts.auth import actor_for_user
from app.accounts.models import Institution, User
from app.core.actors import Actor
from app.core.config import Settings
from app.courses.models import Course
from app.membership.models import CourseRole
from app.messaging import service
from app.messaging.schemas import MessageCreate, ReportCreate
from tests.accounts.factories import make_user
from tests.courses.factories import enrol_as

STU, TUT, TEA = "student", "tutor", "teacher"  # the course's people (no tutor on the pages)
_unique = itertools.count(1)


class World(Protocol):
    """What both matrices' worlds offer."""

    db: Session
    settings: Settings
    course: Course
    victim_id: int  # another student of the course
    people: dict[str, int]


def _actor(w: World, user_id: int) -> Actor:
    return actor_for_user(w.db.get_one(User, user_id))


def _write(w: World, sender_id: int, recipient_id: int, body: str) -> int:
    data = MessageCreate(body_markdown=body)
    made = service.send(w.db, _actor(w, sender_id), recipient_id, data)
    w.db.flush()
    return made.id


def fresh_student(w: World) -> int:
    """A new student of the course, of the institution of its other student (the victim)."""
    home = w.db.get_one(User, w.victim_id).institution_id
    institution = w.db.get(Institution, home) if home is not None else None
    user = make_user(w.db, email=f"pen-friend{next(_unique)}@example.org", institution=institution)
    enrol_as(w.db, w.course, user, CourseRole.STUDENT)
    return user.id


def teachers_message(w: World) -> int:
    """A message the course's teacher just wrote to its student (its id): the student received
    it, the teacher sent it, nobody else is in the conversation."""
    return _write(w, w.people[TEA], w.people[STU], "Your case study is due on Friday.")


def wrote_to_teacher(w: World) -> int:
    """A fresh student of the course who wrote to its teacher (their id)."""
    student = fresh_student(w)
    _write(w, student, w.people[TEA], "May I hand in my case study on Monday?")
    return student


def blocked_by_teacher(w: World) -> int:
    """A fresh student of the course who wrote to its teacher and whom the teacher blocked."""
    student = wrote_to_teacher(w)
    service.set_blocked(w.db, _actor(w, w.people[TEA]), student, blocked=True)
    w.db.flush()
    return student


def blocked_the_tutor(w: World) -> int:
    """A fresh student of the course to whom the tutor wrote and who then blocked the tutor
    (their id): the tutor sees the conversation but may not write in it any more."""
    student = fresh_student(w)
    _write(w, w.people[TUT], student, "Shall we go over the referral exercise again?")
    service.set_blocked(w.db, _actor(w, student), w.people[TUT], blocked=True)
    w.db.flush()
    return student


def report(w: World) -> int:
    """The student's report of a message the teacher wrote to them, not dealt with yet."""
    data = ReportCreate(reason="Written at midnight")
    made = service.report(w.db, _actor(w, w.people[STU]), teachers_message(w), data)
    w.db.flush()
    return made.id
