"""Grading an attempt: each slot by its question type (mark = fraction × the slot's mark),
essays left for a teacher; the attempt's total once every slot has a mark."""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.quizzes.attempt_models import Attempt, AttemptSlot, AttemptState, Quiz
from app.quizzes.models import QuestionType, QuestionVersion
from app.quizzes.questions.types import for_type
from app.quizzes.service.review import effective_mark

PLACES = Decimal("0.0001")


def attempt_slots(session: Session, attempt_id: int) -> list[AttemptSlot]:
    return list(
        session.scalars(
            select(AttemptSlot)
            .where(AttemptSlot.attempt_id == attempt_id)
            .order_by(AttemptSlot.position)
        )
    )


def versions_of(session: Session, slots: Sequence[AttemptSlot]) -> dict[int, QuestionVersion]:
    ids = {slot.question_version_id for slot in slots}
    if not ids:
        return {}
    found = session.scalars(select(QuestionVersion).where(QuestionVersion.id.in_(ids)))
    return {version.id: version for version in found}


def prompt_qtype(slot: AttemptSlot) -> QuestionType | None:
    """The question's type as its prompt recorded it at start (every type's prompt does), so
    answering needs no question version."""
    try:
        return QuestionType(str((slot.prompt or {}).get("qtype")))
    except ValueError:
        return None


def grade_slot(slot: AttemptSlot, version: QuestionVersion) -> None:
    graded = for_type(version.qtype).grade(version, slot.response or {})
    slot.fraction = graded.fraction
    slot.feedback_html = graded.feedback_html
    slot.mark = (
        None if graded.fraction is None else (graded.fraction * slot.max_mark).quantize(PLACES)
    )


def total(slots: Sequence[AttemptSlot]) -> Decimal | None:
    """The sum of the marks, or None while a slot waits for a teacher."""
    marks = [effective_mark(slot) for slot in slots]
    if any(mark is None for mark in marks):
        return None
    return sum((mark for mark in marks if mark is not None), Decimal(0))


def grade_attempt(session: Session, attempt: Attempt) -> None:
    slots = attempt_slots(session, attempt.id)
    versions = versions_of(session, slots)
    for slot in slots:
        grade_slot(slot, versions[slot.question_version_id])
    attempt.sum_marks = total(slots)
    session.flush()


def finish(session: Session, quiz: Quiz, attempt: Attempt, at: datetime) -> None:
    """The attempt is finished with what was saved, graded, and the quiz grade written."""
    from app.quizzes.service.results import after_finish

    attempt.state = AttemptState.FINISHED
    attempt.finished_at = at
    attempt.version += 1
    grade_attempt(session, attempt)
    after_finish(session, quiz, attempt, at)
