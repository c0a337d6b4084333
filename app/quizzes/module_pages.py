"""What the quizzes domain adds to a quiz module's page (`app.courses.extensions`): the quiz's
dates in the reader's zone, time limit, attempts used and allowed, the grade once the review
options show marks, a Start or Continue button, and the staff's links."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.actors import Actor
from app.core.db import utcnow
from app.core.errors import Conflict
from app.courses.extensions import module_extra
from app.courses.models import Module, ModuleKind
from app.membership.models import CourseRole
from app.quizzes import policy
from app.quizzes.attempt_models import Attempt, Quiz
from app.quizzes.service.attempts import refuse_start
from app.quizzes.service.quizzes import find_quiz_of_module
from app.quizzes.service.results import learner_grade, release_due
from app.quizzes.service.review import marks_visible
from app.quizzes.service.timing import OPEN_STATES, Terms, settle, terms_for


@dataclass(frozen=True)
class QuizPanel:
    quiz: Quiz | None
    terms: Terms | None
    attempts: list[Attempt]
    open_attempt: Attempt | None
    refusal: str | None
    grade: Decimal | None
    can_take: bool
    can_manage: bool
    can_grade: bool


def _learner_part(
    session: Session, quiz: Quiz, user_id: int, now: datetime
) -> tuple[Terms, list[Attempt], Attempt | None, str | None, Decimal | None]:
    terms = terms_for(session, quiz, user_id)
    attempts = list(
        session.scalars(
            select(Attempt)
            .where(Attempt.quiz_id == quiz.id, Attempt.user_id == user_id)
            .order_by(Attempt.number)
        )
    )
    for attempt in attempts:
        settle(session, quiz, attempt, now)
    current = next((a for a in attempts if a.state in OPEN_STATES), None)
    refusal = None
    if current is None:
        try:
            refuse_start(quiz, terms, attempts, now)
        except Conflict as refused:
            refusal = refused.detail
    grade, latest = learner_grade(session, quiz, user_id)
    if latest is None or not marks_visible(quiz, latest, terms.closes_at, now):
        grade = None
    else:
        release_due(session, quiz, user_id, now)
    return terms, attempts, current, refusal, grade


@module_extra
def quiz_panel(
    session: Session, actor: Actor, roles: frozenset[CourseRole], module: Module
) -> dict[str, Any]:
    if module.kind is not ModuleKind.QUIZ:
        return {}
    quiz = find_quiz_of_module(session, module)
    can_manage = policy.can_manage_quiz(actor, roles)
    can_grade = policy.can_grade_attempts(actor, roles)
    can_take = policy.can_take_quiz(actor, roles) and quiz is not None
    if quiz is None and not can_manage:
        return {}
    panel = QuizPanel(quiz, None, [], None, None, None, can_take, can_manage, can_grade)
    if quiz is not None and can_take and actor.user_id is not None:
        terms, attempts, current, refusal, grade = _learner_part(
            session, quiz, actor.user_id, utcnow()
        )
        panel = QuizPanel(
            quiz, terms, attempts, current, refusal, grade, can_take, can_manage, can_grade
        )
    elif quiz is not None:
        panel = QuizPanel(
            quiz, terms_for(session, quiz, None), [], None, None, None, False, can_manage,
            can_grade,
        )  # fmt: skip
    return {"quiz_panel": panel}
