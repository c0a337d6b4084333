"""A course with its people and a survey of its learners, made through the services."""

import itertools
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from app.accounts.auth import actor_for_user
from app.accounts.models import Institution, User
from app.core.actors import Actor, PlatformRole
from app.core.config import Settings
from app.core.security import hash_password
from app.courses.models import Course, Status
from app.membership.models import CourseRole, Enrolment
from app.surveys.models import AudienceKind, QuestionKind, Survey
from app.surveys.schemas import SurveyCreate, SurveyQuestionCreate, SurveySectionCreate
from app.surveys.service import building, lifecycle, structure
from tests.accounts.factories import (
    PASSWORD,
    api_token,
    bearer,
    make_institution,
    make_user,
    sign_in,
)

_n = itertools.count(1)


def count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def make_course(db: Session, institution: Institution | None = None) -> Course:
    course = Course(
        code=f"SRV-{next(_n)}", title="Health systems", status=Status.PUBLISHED,
        institution_id=institution.id if institution else None,
    )  # fmt: skip
    db.add(course)
    db.flush()
    return course


def enrol(db: Session, course: Course, user: User, role: CourseRole) -> None:
    db.add(Enrolment(user_id=user.id, course_id=course.id, role=role))
    db.flush()


@dataclass
class World:
    db: Session
    settings: Settings
    institution: Institution
    course: Course
    teacher: User
    students: list[User]
    outsider: User  # a student of another course
    manager: User  # an institution manager of the course's institution
    other_manager: User  # an institution manager of another institution
    coordinator: User

    def actor(self, user: User) -> Actor:
        return actor_for_user(user)


def world(db: Session, settings: Settings, students: int = 3) -> World:
    home, other = make_institution(db, country="LA"), make_institution(db, country="MA")
    course = make_course(db, home)
    teacher = make_user(db, institution=home)
    enrol(db, course, teacher, CourseRole.TEACHER)
    learners = [make_user(db, institution=home) for _ in range(students)]
    for learner in learners:
        learner.country = "LA"
        enrol(db, course, learner, CourseRole.STUDENT)
    outsider = make_user(db, institution=home)
    enrol(db, make_course(db, home), outsider, CourseRole.STUDENT)
    return World(
        db, settings, home, course, teacher, learners, outsider,
        make_user(db, role=PlatformRole.INSTITUTION_MANAGER, institution=home),
        make_user(db, role=PlatformRole.INSTITUTION_MANAGER, institution=other),
        make_user(db, role=PlatformRole.MANAGER),
    )  # fmt: skip


def course_survey(w: World, *, anonymous: bool = True, **options: Any) -> Survey:
    data = SurveyCreate(
        title="Course evaluation", audience_kind=AudienceKind.COURSE, target_id=w.course.id,
        anonymous=anonymous, **options,
    )  # fmt: skip
    return building.create_survey(w.db, w.actor(w.teacher), w.settings, data)


def section(w: World, survey: Survey, title: str = "Teaching", by: User | None = None) -> int:
    actor = w.actor(by or w.teacher)
    return structure.add_section(w.db, actor, survey.id, SurveySectionCreate(title=title)).id


def question(
    w: World, section_id: int, kind: QuestionKind, by: User | None = None, **fields: Any
) -> int:
    fields.setdefault("text", f"Question {next(_n)}")
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.LIKERT):
        fields.setdefault("options", ["Yes", "No", "Maybe"])
    data = SurveyQuestionCreate(kind=kind, **fields)
    return structure.add_question(w.db, w.actor(by or w.teacher), section_id, data).id


@dataclass
class Built:
    survey: Survey
    first: int  # a section: a required single choice and an optional rating
    second: int  # a section: a long text shown when the choice is "No", required then
    choice: int
    rating: int
    follow_up: int


def built_survey(w: World, *, open_it: bool = True, **options: Any) -> Built:
    survey = course_survey(w, **options)
    first, second = section(w, survey, "Teaching"), section(w, survey, "Comments")
    choice = question(w, first, QuestionKind.SINGLE, required=True)
    rating = question(w, first, QuestionKind.RATING)
    follow_up = question(w, second, QuestionKind.LONG_TEXT, required=True,
                         show_if_question_id=choice, show_if_options=[1])  # fmt: skip
    if open_it:
        lifecycle.open_survey(w.db, w.actor(w.teacher), survey.id)
    w.db.flush()
    return Built(survey, first, second, choice, rating, follow_up)


def headers_for(client: TestClient, user: User) -> dict[str, str]:
    if user.password_hash is None:
        user.password_hash = hash_password(PASSWORD)
        session = object_session(user)
        assert session is not None
        session.flush()
    return bearer(api_token(client, user.email))


def sign_in_as(client: TestClient, user: User) -> None:
    if user.password_hash is None:
        user.password_hash = hash_password(PASSWORD)
        session = object_session(user)
        assert session is not None
        session.flush()
    sign_in(client, user.email)
