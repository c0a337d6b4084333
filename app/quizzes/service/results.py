"""The quiz grade of each learner and the gradebook: the grade by the quiz's grading method
over the finished attempts, written to the quiz's item (its module is the quiz's, so a
"passed" completion follows) and released only once the review options show marks. Grades
held back are released by `release_due` when read after that moment comes (two minutes after
finishing, or the quiz's close)."""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.courses.models import CompletionRule, Module
from app.courses.service.completion import record_outcome
from app.grades.models import Grade, GradeItem, ItemSource
from app.grades.service.record import ensure_item, record_grade
from app.quizzes.attempt_models import Attempt, AttemptSlot, AttemptState, GradingMethod, Quiz
from app.quizzes.service.review import marks_visible
from app.quizzes.service.timing import terms_for

PLACES = Decimal("0.01")


def attempt_grade(quiz: Quiz, attempt: Attempt, out_of: Decimal) -> Decimal | None:
    """An attempt's marks scaled to the quiz's maximum grade."""
    if attempt.sum_marks is None or attempt.state is not AttemptState.FINISHED:
        return None
    if out_of == 0:
        return Decimal(0)
    return (attempt.sum_marks / out_of * quiz.max_grade).quantize(PLACES)


def quiz_grade(method: GradingMethod, grades: Sequence[Decimal]) -> Decimal | None:
    """Over the graded attempts, in the order they were made."""
    if not grades:
        return None
    if method is GradingMethod.HIGHEST:
        return max(grades)
    if method is GradingMethod.FIRST:
        return grades[0]
    if method is GradingMethod.LAST:
        return grades[-1]
    return (sum(grades, Decimal(0)) / len(grades)).quantize(PLACES)


def grade_item(session: Session, quiz: Quiz) -> GradeItem:
    """The quiz's gradebook item. A self-check quiz's item is created with weight 0: its grade
    completes the module on a pass but counts nothing in the course's result.

    The item is created by the quiz's first finished attempt, and at the end of an exam many
    learners finish at once: when two create it together, the one whose insert the database
    refuses (the item's source is unique) takes the other's instead of failing its submit."""
    title = session.scalar(select(Module.title).where(Module.id == quiz.module_id)) or ""
    known = session.scalar(
        select(GradeItem.id).where(
            GradeItem.source == ItemSource.QUIZ, GradeItem.source_id == quiz.id
        )
    )
    fields: dict[str, Any] = {
        "course_id": quiz.course_id, "source": ItemSource.QUIZ, "source_id": quiz.id,
        "title": title, "max_points": quiz.max_grade, "pass_points": quiz.pass_grade,
        "module_id": quiz.module_id,
    }  # fmt: skip
    if known is not None:
        return ensure_item(session, **fields)
    try:
        with session.begin_nested():
            item = ensure_item(session, **fields)
    except IntegrityError:  # created meanwhile by another learner's first submit: now seen
        return ensure_item(session, **fields)
    if quiz.self_check:
        item.weight = Decimal(0)
        session.flush()
    return item


def finished_attempts(session: Session, quiz_id: int, user_id: int) -> list[Attempt]:
    return list(
        session.scalars(
            select(Attempt)
            .where(
                Attempt.quiz_id == quiz_id,
                Attempt.user_id == user_id,
                Attempt.state == AttemptState.FINISHED,
            )
            .order_by(Attempt.number)
        )
    )


def out_of(session: Session, attempt_id: int) -> Decimal:
    return out_of_each(session, [attempt_id]).get(attempt_id, Decimal(0))


def out_of_each(session: Session, attempt_ids: Sequence[int]) -> dict[int, Decimal]:
    """Each attempt's total of its slots' marks, in one query."""
    totals: dict[int, Decimal] = {}
    if attempt_ids:
        for attempt_id, mark in session.execute(
            select(AttemptSlot.attempt_id, AttemptSlot.max_mark).where(
                AttemptSlot.attempt_id.in_(attempt_ids)
            )
        ):
            totals[attempt_id] = totals.get(attempt_id, Decimal(0)) + mark
    return totals


def learner_grade(
    session: Session, quiz: Quiz, user_id: int
) -> tuple[Decimal | None, Attempt | None]:
    """The learner's quiz grade and their latest graded attempt (one query for the marks of
    all their attempts, however many a self-check quiz has had)."""
    attempts = finished_attempts(session, quiz.id, user_id)
    totals = out_of_each(session, [a.id for a in attempts])
    graded = [(a, attempt_grade(quiz, a, totals.get(a.id, Decimal(0)))) for a in attempts]
    marks = [(a, g) for a, g in graded if g is not None]
    grade = quiz_grade(quiz.grading_method, [g for _, g in marks])
    return grade, (marks[-1][0] if marks else None)


def write_grade(session: Session, quiz: Quiz, user_id: int, now: datetime) -> None:
    """Write the learner's quiz grade; released when their latest attempt shows marks now."""
    grade, latest = learner_grade(session, quiz, user_id)
    if latest is None:
        return
    closes_at = terms_for(session, quiz, user_id).closes_at
    release = marks_visible(quiz, latest, closes_at, now)
    record_grade(
        session, grade_item(session, quiz), user_id, grade, by_user_id=None, release=release
    )


def after_finish(session: Session, quiz: Quiz, attempt: Attempt, now: datetime) -> None:
    """On every finished attempt: the grade; on the first, the module's "submitted"."""
    write_grade(session, quiz, attempt.user_id, now)
    if attempt.number == 1 or len(finished_attempts(session, quiz.id, attempt.user_id)) == 1:
        module = session.get_one(Module, quiz.module_id)
        record_outcome(session, attempt.user_id, module, CompletionRule.SUBMITTED)


def release_due(session: Session, quiz: Quiz, user_id: int, now: datetime) -> None:
    """Release a learner's held-back grade once the review options show marks."""
    item = session.scalar(
        select(GradeItem).where(GradeItem.source == ItemSource.QUIZ, GradeItem.source_id == quiz.id)
    )
    if item is None:
        return
    held = session.scalar(
        select(Grade.id).where(
            Grade.item_id == item.id, Grade.user_id == user_id, Grade.released_at.is_(None)
        )
    )
    if held is not None:
        write_grade(session, quiz, user_id, now)
