"""Surveys with responses for the results tests, made directly through the models (the
results read what responding stores; how it is stored is the responding tests' concern).

`hand_counted` is the small data set whose figures the tests count by hand."""

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.actors import PlatformRole
from app.core.config import Settings
from app.core.security import hash_password
from app.courses.models import Course
from app.membership.models import CourseRole
from app.surveys.models import (
    AudienceKind,
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    SurveySection,
    SurveyStatus,
)
from tests.accounts.factories import (
    PASSWORD,
    api_token,
    bearer,
    make_institution,
    make_user,
    sign_in,
)
from tests.courses.factories import enrol_as, import_hs101

Answer = int | str | Sequence[int] | Decimal | None
HYPERLINK = '=HYPERLINK("http://evil.example","Click")'
_positions = itertools.count(1)


def make_survey(
    db: Session, *, course: Course | None = None, owner: User | None = None,
    institution_id: int | None = None, min_group_size: int | None = None,
    title: str = "End of course feedback",
) -> Survey:  # fmt: skip
    """A course survey when a course is given, else a public one; open, anonymous."""
    survey = Survey(
        title=title,
        audience_kind=AudienceKind.COURSE if course else AudienceKind.PUBLIC,
        course_id=course.id if course else None,
        institution_id=institution_id,
        owner_id=owner.id if owner else None,
        status=SurveyStatus.OPEN,
        min_group_size=min_group_size,
    )
    db.add(survey)
    db.flush()
    return survey


def add_section(db: Session, survey: Survey, title: str = "About the course") -> SurveySection:
    section = SurveySection(survey_id=survey.id, position=next(_positions), title=title)
    db.add(section)
    db.flush()
    return section


def add_question(
    db: Session, section: SurveySection, kind: QuestionKind, text: str,
    options: Sequence[str] = (),
) -> SurveyQuestion:  # fmt: skip
    question = SurveyQuestion(
        survey_id=section.survey_id, section_id=section.id, position=next(_positions),
        kind=kind, text=text, options=list(options),
    )  # fmt: skip
    db.add(question)
    db.flush()
    return question


def respond(
    db: Session, survey: Survey, answers: Mapping[SurveyQuestion, Answer], *,
    country: str | None = None, institution_id: int | None = None,
    profession: str | None = None,
) -> SurveyResponse:  # fmt: skip
    """One response: an int or Decimal is a number (an option's index, a rating), a list the
    options of a multiple choice, a str a text; None skips the question."""
    response = SurveyResponse(
        survey_id=survey.id, submitted_on=date(2026, 12, 1), country=country,
        institution_id=institution_id, profession=profession,
    )  # fmt: skip
    db.add(response)
    db.flush()
    for question, answer in answers.items():
        for value in _values(answer):
            if isinstance(value, str):
                db.add(SurveyAnswer(response_id=response.id, question_id=question.id, text=value))
            else:
                db.add(SurveyAnswer(response_id=response.id, question_id=question.id,
                                    number=Decimal(value)))  # fmt: skip
    db.flush()
    return response


def _values(answer: Answer) -> list[int | str | Decimal]:
    if answer is None:
        return []
    if isinstance(answer, int | str | Decimal):
        return [answer]
    return list(answer)


@dataclass
class HandCounted:
    """Six responses to seven questions (the threshold is 5)."""

    survey: Survey
    heard: SurveyQuestion  # single: Colleague 3, Website 2, Ministry 1
    topics: SurveyQuestion  # multiple, 5 answered: Malaria 4, Nutrition 3, Maternal health 2
    useful: SurveyQuestion  # Likert 1-3: 1, 1, 4; mean 2.5, median 3
    rating: SurveyQuestion  # 8 9 10 7 8 5: mean 7.83, median 8
    years: SurveyQuestion  # number, 5 answered: 2 4 10 1 3; mean 4, median 3
    wishes: SurveyQuestion  # long text, 5 answers
    other: SurveyQuestion  # short text, 2 answers: suppressed

    @property
    def questions(self) -> list[SurveyQuestion]:
        return [self.heard, self.topics, self.useful, self.rating, self.years, self.wishes,
                self.other]  # fmt: skip


WISHES = ["More practice cases", HYPERLINK, "Shorter videos", "Offline access",
          "<script>alert(1)</script> subtitles"]  # fmt: skip


def hand_counted(db: Session, survey: Survey | None = None) -> HandCounted:
    survey = survey or make_survey(db)
    first = add_section(db, survey, "The course")
    second = add_section(db, survey, "Your practice")
    q = HandCounted(
        survey,
        add_question(db, first, QuestionKind.SINGLE, "How did you hear of the course?",
                     ["Colleague", "Website", "Ministry"]),
        add_question(db, first, QuestionKind.MULTIPLE, "Which topics did you use?",
                     ["Malaria", "Nutrition", "Maternal health"]),
        add_question(db, first, QuestionKind.LIKERT, "The course was useful",
                     ["Disagree", "Neutral", "Agree"]),
        add_question(db, first, QuestionKind.RATING, "How likely are you to recommend it?"),
        add_question(db, second, QuestionKind.NUMBER, "Years of practice"),
        add_question(db, second, QuestionKind.LONG_TEXT, "What would you change?"),
        add_question(db, second, QuestionKind.SHORT_TEXT, "Anything else?"),
    )  # fmt: skip
    rows: list[tuple[Answer, ...]] = [
        (0, [0, 1], 2, 8, 2, WISHES[0], "Thanks"),
        (0, [0], 2, 9, 4, WISHES[1], None),
        (1, [1, 2], 1, 10, 10, WISHES[2], "More please"),
        (2, [0, 1, 2], 0, 7, 1, WISHES[3], None),
        (0, [0], 2, 8, 3, WISHES[4], None),
        (1, None, 2, 5, None, None, None),
    ]
    for row in rows:
        respond(db, survey, dict(zip(q.questions, row, strict=True)))
    return q


def simple_survey(db: Session, survey: Survey | None = None) -> tuple[Survey, SurveyQuestion]:
    """A survey with one single-choice question (Yes, No), no response yet."""
    survey = survey or make_survey(db)
    section = add_section(db, survey)
    return survey, add_question(db, section, QuestionKind.SINGLE, "Was it useful?", ["Yes", "No"])


def responses_from(
    db: Session,
    survey: Survey,
    question: SurveyQuestion,
    groups: Mapping[str | None, int],
    by: str = "country",
) -> None:
    """`groups[value]` responses with that country (or profession), alternating Yes and No."""
    for value, size in groups.items():
        for i in range(size):
            respond(db, survey, {question: i % 2}, **{by: value})


# --- People, for the page and API tests -----------------------------------------------------


def _with_password(db: Session, user: User) -> User:
    if user.password_hash is None:
        user.password_hash = hash_password(PASSWORD)
        db.flush()
    return user


def signed_in(client: TestClient, db: Session, user: User) -> None:
    """Sign the user in through the portal form (the tests' hasher is cheap)."""
    sign_in(client, _with_password(db, user).email)


def headers_of(client: TestClient, db: Session, user: User) -> dict[str, str]:
    """A bearer header of the user's own API token."""
    return bearer(api_token(client, _with_password(db, user).email))


@dataclass
class ResultsWorld:
    """A course survey and everyone who asks for its results."""

    course: Course
    survey: Survey
    owner: User  # made it; no role in the course
    teacher: User  # of the course
    student: User  # of the course
    other_teacher: User  # of another course
    coordinator: User  # a platform manager
    other_manager: User  # manages another institution


def results_world(db: Session, settings: Settings) -> ResultsWorld:
    course = import_hs101(db, settings)
    other_course = import_hs101(db, settings, code="HS-101-B")
    owner, teacher, student, other_teacher = (make_user(db) for _ in range(4))
    enrol_as(db, course, teacher, CourseRole.TEACHER)
    enrol_as(db, course, student, CourseRole.STUDENT)
    enrol_as(db, other_course, other_teacher, CourseRole.TEACHER)
    coordinator = make_user(db, role=PlatformRole.MANAGER)
    other_manager = make_user(
        db, role=PlatformRole.INSTITUTION_MANAGER, institution=make_institution(db)
    )
    survey = make_survey(db, course=course, owner=owner)
    return ResultsWorld(course, survey, owner, teacher, student, other_teacher, coordinator,
                        other_manager)  # fmt: skip
