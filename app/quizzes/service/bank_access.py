"""Reaching a course's question bank, a category or a question, with the reader's roles: the
one path every bank service takes before it reads or writes."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.core.actors import Actor, require
from app.core.errors import Forbidden, NotFound
from app.core.i18n import N_
from app.courses.models import Course
from app.membership.models import CourseRole
from app.membership.service import course_roles
from app.quizzes import policy
from app.quizzes.models import Question, QuestionCategory, QuestionVersion

NO_BANK = N_("No such question bank.")
NO_CATEGORY = N_("No such category.")
NO_QUESTION = N_("No such question.")


@dataclass(frozen=True)
class Bank:
    course: Course
    roles: frozenset[CourseRole]


def open_bank(session: Session, actor: Actor, course_id: int, *, write: bool = False) -> Bank:
    """The course's bank if the actor may read it (and write it, with `write`)."""
    course = session.get(Course, course_id)
    if course is None:
        raise NotFound(NO_BANK)
    roles = course_roles(session, actor, course_id)
    refusal = NotFound if policy.bank_refusal_hides(actor) else Forbidden
    require(policy.can_read_bank(actor, roles), refusal, NO_BANK)
    if write:
        require(policy.can_manage_bank(actor, roles))
    return Bank(course, roles)


def bank_by_code(session: Session, actor: Actor, code: str, *, write: bool = False) -> Bank:
    course_id = session.scalar(select(Course.id).where(Course.code == code))
    if course_id is None:
        raise NotFound(N_("No such course."))
    return open_bank(session, actor, course_id, write=write)


def category_in_bank(
    session: Session, actor: Actor, category_id: int, *, write: bool = False
) -> tuple[QuestionCategory, Bank]:
    category = session.get(QuestionCategory, category_id)
    if category is None:
        raise NotFound(NO_CATEGORY)
    return category, _bank_of(session, actor, category.course_id, write, NO_CATEGORY)


def question_in_bank(
    session: Session, actor: Actor, question_id: int, *, write: bool = False
) -> tuple[Question, Bank]:
    question = session.scalar(
        select(Question).where(Question.id == question_id).options(selectinload(Question.tags))
    )
    if question is None:
        raise NotFound(NO_QUESTION)
    return question, _bank_of(session, actor, question.course_id, write, NO_QUESTION)


def _bank_of(session: Session, actor: Actor, course_id: int, write: bool, hidden: str) -> Bank:
    try:
        return open_bank(session, actor, course_id, write=write)
    except NotFound:
        raise NotFound(hidden) from None


def current_version(session: Session, question: Question) -> QuestionVersion:
    found = session.scalar(
        select(QuestionVersion).where(
            QuestionVersion.question_id == question.id,
            QuestionVersion.version == question.latest_version,
        )
    )
    if found is None:
        raise NotFound(NO_QUESTION)
    return found
