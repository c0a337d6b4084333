"""What an attempt shows its reader, the one place pages and the API take it from: the prompts
and the learner's own responses while answering, and in review only what the review options
allow at this moment (the course's graders see everything)."""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from app.core.actors import Actor
from app.core.errors import Conflict
from app.core.i18n import N_
from app.quizzes.attempt_models import AttemptSlot, ReviewItem, ReviewMoment
from app.quizzes.service import grading
from app.quizzes.service.attempts import AttemptView, read_attempt
from app.quizzes.service.results import attempt_grade, out_of, release_due
from app.quizzes.service.review import (
    SlotReview,
    allowed,
    allowed_for,
    overall_feedback,
    slot_review,
)
from app.quizzes.service.timing import OPEN_STATES

EVERYTHING = frozenset(ReviewItem)


class AttemptInProgress(Conflict):
    code = "attempt_in_progress"
    title = N_("This attempt is still in progress: submit it to review it.")


@dataclass(frozen=True)
class ShownSlot:
    slot: AttemptSlot
    qtype: str
    response: dict[str, object]
    review: SlotReview | None


@dataclass(frozen=True)
class Shown:
    view: AttemptView
    slots: list[ShownSlot]
    grade: Decimal | None
    overall_feedback_html: str | None


def _shown(
    view: AttemptView, session: Session, items: frozenset[ReviewItem] | None
) -> list[ShownSlot]:
    self_check = view.access.quiz.self_check
    # While answering, a slot needs its question version only to show a checked question's
    # review; its type is in its prompt. One query fewer on every page of an attempt.
    needs_versions = (
        items is not None
        or (self_check and any(slot.checked for slot in view.slots))
        or any(grading.prompt_qtype(slot) is None for slot in view.slots)
    )
    versions = grading.versions_of(session, view.slots) if needs_versions else {}
    during = allowed(view.access.quiz, ReviewMoment.DURING)
    shown = []
    for slot in view.slots:
        version = versions.get(slot.question_version_id)
        slot_items = items
        if items is None and slot.checked and self_check:
            slot_items = during
        review = (
            slot_review(slot, version, slot_items)
            if slot_items is not None and version is not None
            else None
        )
        visible = items is None or ReviewItem.RESPONSE in items
        qtype = version.qtype if version is not None else grading.prompt_qtype(slot)
        shown.append(
            ShownSlot(
                slot, qtype.value if qtype else "", dict(slot.response or {}) if visible else {},
                review,
            )
        )  # fmt: skip
    return shown


def answering(session: Session, actor: Actor, attempt_id: int) -> Shown:
    """The learner's open attempt: prompts and their own saved responses; a self-check quiz's
    checked questions with what "during" allows."""
    from app.quizzes.service.attempts import open_attempt

    view = open_attempt(session, actor, attempt_id)
    return Shown(view, _shown(view, session, None), None, None)


def reviewing(session: Session, actor: Actor, attempt_id: int) -> Shown:
    """A finished (or abandoned) attempt, as the review options allow now; all of it for the
    course's graders. A grade held back is released once marks show."""
    view = read_attempt(session, actor, attempt_id)
    if view.attempt.state in OPEN_STATES and view.is_owner:
        raise AttemptInProgress()
    quiz = view.access.quiz
    items = (
        allowed_for(quiz, view.attempt, view.terms.closes_at, view.now)
        if view.is_owner
        else EVERYTHING
    )
    if view.is_owner and ReviewItem.MARKS in items:
        release_due(session, quiz, view.attempt.user_id, view.now)
    grade = None
    feedback = None
    if ReviewItem.MARKS in items or ReviewItem.OVERALL_FEEDBACK in items:
        grade = attempt_grade(quiz, view.attempt, out_of(session, view.attempt.id))
        if grade is not None and ReviewItem.OVERALL_FEEDBACK in items and quiz.max_grade:
            feedback = overall_feedback(quiz, grade / quiz.max_grade * 100) or None
    return Shown(
        view,
        _shown(view, session, items),
        grade if ReviewItem.MARKS in items else None,
        feedback,
    )
