"""Quiz objects for the permission matrices: a quiz module of the matrix's course with one
true/false question, and attempts of the matrix's student, all made through the services."""

import itertools
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.auth import actor_for_user
from app.accounts.models import User
from app.core.actors import SYSTEM
from app.core.config import Settings
from app.courses.models import Course, Section
from app.courses.schemas import ModuleCreate
from app.courses.service.content import add_module
from app.quizzes.attempt_models import Attempt
from app.quizzes.models import QuestionCategory
from app.quizzes.quiz_schemas import OverrideCreate, QuizSettings, SlotAdd
from app.quizzes.service import answering, attempts, overrides, quizzes, slots
from tests.quizzes.quiz_factories import add_question

STU = "student"  # the course's student in both matrices
_unique = itertools.count(1)


class World(Protocol):
    """What both matrices' worlds offer."""

    db: Session
    settings: Settings
    course: Course
    group_id: int
    people: dict[str, int]


def _n() -> int:
    return next(_unique)


def quiz_module(w: World, **settings: object) -> int:
    """A fresh quiz module (its id), set up with one question."""
    section = w.db.scalar(select(Section).where(Section.course_id == w.course.id))
    assert section is not None
    data = ModuleCreate(key=f"quiz{_n()}", kind="quiz", title="Quiz")
    module = add_module(w.db, SYSTEM, w.settings, section.id, data)
    access = quizzes.update_quiz(w.db, SYSTEM, module.id, QuizSettings.model_validate(settings))
    category = QuestionCategory(course_id=w.course.id, name=f"Cat{_n()}")
    w.db.add(category)
    w.db.flush()
    question = add_question(w.db, w.course, category, name=f"Q{_n()}")
    slots.add_slots(w.db, SYSTEM, access.quiz.id, SlotAdd(question_id=question.id))
    w.db.flush()
    return module.id


def quiz(w: World, **settings: object) -> int:
    return quizzes.quiz_of_module(w.db, SYSTEM, quiz_module(w, **settings)).quiz.id


def category(w: World) -> int:
    found = QuestionCategory(course_id=w.course.id, name=f"Cat{_n()}")
    w.db.add(found)
    w.db.flush()
    return found.id


def slot(w: World) -> int:
    return slots.list_slots(w.db, SYSTEM, quiz(w))[1][0].id


def override(w: World) -> int:
    data = OverrideCreate(user_id=w.people[STU], max_attempts=3)
    return overrides.add_override(w.db, SYSTEM, quiz(w), data).id


def attempt(w: World, *, finished: bool = False) -> int:
    """An attempt of the matrix's student at a fresh quiz."""
    student = actor_for_user(w.db.get_one(User, w.people[STU]))
    started, _ = attempts.start(w.db, student, quiz(w))
    if finished:
        answering.submit(w.db, student, started.id)
    w.db.flush()
    return started.id


def finished_attempt(w: World) -> int:
    return attempt(w, finished=True)


def attempt_quiz(w: World) -> int:
    """A quiz the matrix's student has finished an attempt at."""
    return w.db.get_one(Attempt, finished_attempt(w)).quiz_id
