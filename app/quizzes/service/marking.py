"""What the course's graders do with attempts: every learner's attempts in one list, and a
manual mark and comment for a question (an essay waits for one)."""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.actors import Actor
from app.core.db import utcnow
from app.core.errors import Forbidden, Invalid, NotFound
from app.core.i18n import N_
from app.core.markdown import render_markdown
from app.quizzes import policy
from app.quizzes.attempt_models import Attempt, AttemptSlot, AttemptState
from app.quizzes.quiz_schemas import ManualGrade
from app.quizzes.service import grading
from app.quizzes.service.attempts import AttemptView, read_attempt
from app.quizzes.service.quizzes import QuizAccess, graded_quiz
from app.quizzes.service.results import attempt_grade, write_grade


@dataclass(frozen=True)
class ResultRow:
    attempt: Attempt
    learner: User
    grade: Decimal | None


def results(session: Session, actor: Actor, quiz_id: int) -> tuple[QuizAccess, list[ResultRow]]:
    """Every attempt at the quiz with its learner and grade, in two queries whatever the size."""
    access = graded_quiz(session, actor, quiz_id)
    quiz = access.quiz
    rows = session.execute(
        select(Attempt, User)
        .join(User, User.id == Attempt.user_id)
        .where(Attempt.quiz_id == quiz.id)
        .order_by(User.display_name, User.id, Attempt.number)
    ).all()
    ids = [attempt.id for attempt, _ in rows]
    totals: dict[int, Decimal] = {}
    if ids:
        for attempt_id, mark in session.execute(
            select(AttemptSlot.attempt_id, AttemptSlot.max_mark).where(
                AttemptSlot.attempt_id.in_(ids)
            )
        ):
            totals[attempt_id] = totals.get(attempt_id, Decimal(0)) + mark
    return access, [
        ResultRow(attempt, user, attempt_grade(quiz, attempt, totals.get(attempt.id, Decimal(0))))
        for attempt, user in rows
    ]


def slot_to_grade(
    session: Session, actor: Actor, attempt_id: int, position: int
) -> tuple[AttemptView, AttemptSlot]:
    view = read_attempt(session, actor, attempt_id)
    if not policy.can_grade_attempts(actor, view.access.roles):
        raise Forbidden(N_("Only the course's teachers and tutors mark attempts."))
    for slot in view.slots:
        if slot.position == position:
            return view, slot
    raise NotFound(N_("No such question in this attempt."))


def grade_by_hand(
    session: Session, actor: Actor, attempt_id: int, position: int, data: ManualGrade
) -> AttemptSlot:
    """A grader's mark (at most the slot's mark) and comment; the attempt's total and the
    learner's quiz grade follow."""
    view, slot = slot_to_grade(session, actor, attempt_id, position)
    if view.attempt.state is not AttemptState.FINISHED:
        raise Invalid(N_("Only a finished attempt is marked."), field="mark")
    if data.mark > slot.max_mark:
        raise Invalid(N_("The mark may not exceed the question's mark."), field="mark")
    slot.manual_mark = data.mark
    slot.manual_comment = render_markdown(data.comment) if data.comment else ""
    view.attempt.sum_marks = grading.total(view.slots)
    view.attempt.version += 1
    session.flush()
    write_grade(session, view.access.quiz, view.attempt.user_id, utcnow())
    return slot
