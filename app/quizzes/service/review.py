"""What the review options let a learner see of an attempt at this moment: while answering
(a self-check quiz's checked questions), immediately after (within two minutes of finishing),
later while the quiz is open, and after it closes. Nothing else ever leaves the server."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from app.quizzes.attempt_models import (
    Attempt,
    AttemptSlot,
    AttemptState,
    Quiz,
    ReviewItem,
    ReviewMoment,
)
from app.quizzes.models import QuestionVersion
from app.quizzes.questions.types import Graded, for_type

IMMEDIATELY = timedelta(minutes=2)


def moment(attempt: Attempt, closes_at: datetime | None, now: datetime) -> ReviewMoment:
    if attempt.state in (AttemptState.IN_PROGRESS, AttemptState.OVERDUE):
        return ReviewMoment.DURING
    if closes_at is not None and now >= closes_at:
        return ReviewMoment.CLOSED
    if attempt.finished_at is not None and now - attempt.finished_at <= IMMEDIATELY:
        return ReviewMoment.IMMEDIATELY
    return ReviewMoment.OPEN


def allowed(quiz: Quiz, when: ReviewMoment) -> frozenset[ReviewItem]:
    names = (quiz.review or {}).get(when.value, [])
    known = {item.value for item in ReviewItem}
    return frozenset(ReviewItem(name) for name in names if name in known)


def allowed_for(
    quiz: Quiz, attempt: Attempt, closes_at: datetime | None, now: datetime
) -> frozenset[ReviewItem]:
    """The items shown now; an abandoned attempt shows only the responses it saved."""
    items = allowed(quiz, moment(attempt, closes_at, now))
    if attempt.state is AttemptState.ABANDONED:
        return items & {ReviewItem.RESPONSE}
    return items


def marks_visible(quiz: Quiz, attempt: Attempt, closes_at: datetime | None, now: datetime) -> bool:
    return ReviewItem.MARKS in allowed_for(quiz, attempt, closes_at, now)


@dataclass(frozen=True)
class SlotReview:
    """What one question of an attempt shows in review; None for what is not allowed."""

    graded: Graded | None
    right_answer: str | None
    general_feedback_html: str | None
    mark: Decimal | None
    correct: bool | None
    show_response: bool

    def template_review(self) -> dict[str, Any]:
        return {"graded": self.graded, "right_answer": self.right_answer}


def slot_review(
    slot: AttemptSlot, version: QuestionVersion, items: frozenset[ReviewItem]
) -> SlotReview:
    """The review of one slot given the allowed items. The question type's feedback is shown
    only with "specific feedback"; "correct or not" shows the fraction's verdict alone."""
    kind = for_type(version.qtype)
    graded: Graded | None = None
    if ReviewItem.SPECIFIC_FEEDBACK in items or ReviewItem.CORRECTNESS in items:
        full = kind.grade(version, slot.response or {})
        graded = Graded(
            fraction=full.fraction if ReviewItem.CORRECTNESS in items else None,
            feedback_html=full.feedback_html if ReviewItem.SPECIFIC_FEEDBACK in items else "",
            parts=full.parts if ReviewItem.CORRECTNESS in items else (),
        )
    fraction = effective_fraction(slot)
    return SlotReview(
        graded=graded,
        right_answer=kind.right_answer(version) if ReviewItem.RIGHT_ANSWER in items else None,
        general_feedback_html=(
            version.general_feedback_html or None if ReviewItem.GENERAL_FEEDBACK in items else None
        ),
        mark=effective_mark(slot) if ReviewItem.MARKS in items else None,
        correct=(
            fraction >= 1 if fraction is not None and ReviewItem.CORRECTNESS in items else None
        ),
        show_response=ReviewItem.RESPONSE in items,
    )


def effective_mark(slot: AttemptSlot) -> Decimal | None:
    """A teacher's manual mark replaces the automatic one."""
    return slot.manual_mark if slot.manual_mark is not None else slot.mark


def effective_fraction(slot: AttemptSlot) -> Decimal | None:
    if slot.manual_mark is not None:
        return slot.manual_mark / slot.max_mark if slot.max_mark else Decimal(0)
    return slot.fraction


def overall_feedback(quiz: Quiz, percent: Decimal) -> str:
    """The first band (highest minimum first) the grade reaches."""
    for band in quiz.feedback_bands or []:
        if percent >= Decimal(str(band.get("min_percent", 0))):
            return str(band.get("html", ""))
    return ""
