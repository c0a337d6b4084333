"""Forum objects for the permission matrices, all made through the forums service: a forum
module of the matrix's course (its forum opened by the platform), discussions started by the
matrix's student, their replies, a classmate's post and its report, and the welcome forum of
the course's programme (HS-CERT)."""

import io
import itertools
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.auth import actor_for_user
from app.accounts.models import User
from app.core.actors import SYSTEM, Actor
from app.core.config import Settings
from app.courses.models import Course, Programme, Section
from app.courses.schemas import ModuleCreate
from app.courses.service.content import add_module
from app.forums.models import ForumPost
from app.forums.schemas import ForumCreate, PostCreate, ReportCreate, ThreadCreate
from app.forums.service import access, attachments, posts, threads

STU = "student"  # the course's student in both matrices
PROGRAMME = "HS-CERT"  # the seeded programme the matrices' course belongs to
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


def student(w: World) -> Actor:
    return _actor(w, w.people[STU])


def classmate(w: World) -> Actor:
    return _actor(w, w.victim_id)


def forum_module(w: World) -> int:
    """A fresh forum module of the course (its id), its forum opened once by the platform."""
    section = w.db.scalar(
        select(Section).where(Section.course_id == w.course.id).order_by(Section.position)
    )
    assert section is not None
    data = ModuleCreate(key=f"forum{next(_unique)}", kind="forum", title="Discussion")
    module = add_module(w.db, SYSTEM, w.settings, section.id, data)
    access.forum_of_module(w.db, SYSTEM, module.id)
    w.db.flush()
    return module.id


def forum(w: World) -> int:
    """A fresh course forum (general discussion) of the course."""
    return access.forum_of_module(w.db, SYSTEM, forum_module(w)).forum.id


def programme_id(w: World) -> int:
    found = w.db.scalar(select(Programme.id).where(Programme.code == PROGRAMME))
    assert found is not None
    return found


def programme_forum(w: World) -> int:
    """A fresh forum of the course's programme (the welcome space its courses share)."""
    data = ForumCreate(title=f"Welcome {next(_unique)}")
    made = access.create_programme_forum(w.db, SYSTEM, programme_id(w), data).forum.id
    w.db.flush()
    return made


def thread(w: World, forum_id: int | None = None) -> int:
    """A discussion the student starts in a fresh course forum (or in `forum_id`)."""
    data = ThreadCreate(title="Introductions", body_markdown="Hello from Vientiane")
    started = threads.start_thread(w.db, student(w), forum_id or forum(w), data)
    w.db.flush()
    return started.id


def post(w: World) -> int:
    """The student's reply in their fresh discussion, just written (still theirs to edit)."""
    data = PostCreate(body_markdown="And the district hospitals?")
    made = posts.reply(w.db, student(w), thread(w), data)
    w.db.flush()
    return made.id


def post_with_file(w: World) -> int:
    """The student's reply with a file attached (`notes.txt`)."""
    made = post(w)
    upload = (io.BytesIO(b"Referral notes\n"), "notes.txt")
    attachments.attach(w.db, w.settings, w.db.get_one(ForumPost, made), [upload])
    return made


def classmates_post(w: World) -> int:
    """A classmate's reply in the student's fresh discussion: one the student may report."""
    data = PostCreate(body_markdown="They refer patients upwards.")
    made = posts.reply(w.db, classmate(w), thread(w), data)
    w.db.flush()
    return made.id


def report(w: World) -> int:
    """The classmate's report of the student's reply, not dealt with yet."""
    made = posts.report_post(w.db, classmate(w), post(w), ReportCreate(reason="Off topic"))
    w.db.flush()
    return made.id


def forums_of_course(w: World) -> None:
    """The course has a forum module and its programme a welcome forum, each with a
    discussion holding "Vientiane"."""
    thread(w)
    thread(w, programme_forum(w))
