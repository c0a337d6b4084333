"""Which question versions an attempt is given: each fixed slot's question, and for each random
slot a question drawn from its category (and subcategories when asked), never one already in
the attempt; the latest version of each, shuffled by the attempt's own seed."""

from random import Random

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.errors import Conflict
from app.core.i18n import N_
from app.quizzes.attempt_models import QuizSlot
from app.quizzes.models import Question, QuestionCategory, QuestionVersion


class NotEnoughQuestions(Conflict):
    code = "not_enough_questions"
    title = N_("The quiz's category has too few questions for its random places.")


class QuizEmpty(Conflict):
    code = "quiz_empty"
    title = N_("This quiz has no questions yet.")


def _subcategories(session: Session, course_id: int) -> dict[int | None, list[int]]:
    children: dict[int | None, list[int]] = {}
    rows = session.execute(
        select(QuestionCategory.id, QuestionCategory.parent_id).where(
            QuestionCategory.course_id == course_id
        )
    )
    for category_id, parent_id in rows:
        children.setdefault(parent_id, []).append(category_id)
    return children


def _with_descendants(children: dict[int | None, list[int]], root: int) -> set[int]:
    found, stack = set(), [root]
    while stack:
        current = stack.pop()
        if current not in found:
            found.add(current)
            stack.extend(children.get(current, []))
    return found


def _pool(session: Session, course_id: int, slots: list[QuizSlot]) -> dict[int, list[int]]:
    """For each random slot, the ids of the questions it may draw, in id order (nothing to
    read for a quiz of fixed questions only)."""
    if all(slot.category_id is None for slot in slots):
        return {}
    children = _subcategories(session, course_id)
    wanted = {
        slot.id: (
            _with_descendants(children, slot.category_id)
            if slot.include_subcategories
            else {slot.category_id}
        )
        for slot in slots
        if slot.category_id is not None
    }
    every = set().union(*wanted.values()) if wanted else set()
    rows = session.execute(
        select(Question.id, Question.category_id)
        .where(
            Question.course_id == course_id,
            Question.category_id.in_(every),
            Question.retired.is_(False),
        )
        .order_by(Question.id)
    ).all()
    return {slot_id: [q for q, c in rows if c in ids] for slot_id, ids in wanted.items()}


def draw(session: Session, course_id: int, slots: list[QuizSlot], rng: Random) -> dict[int, int]:
    """Each slot's question id; random slots draw without repeating any question."""
    if not slots:
        raise QuizEmpty()
    chosen = {slot.id: slot.question_id for slot in slots if slot.question_id is not None}
    used = set(chosen.values())
    pools = _pool(session, course_id, slots)
    for slot in slots:
        if slot.question_id is not None:
            continue
        left = [question_id for question_id in pools[slot.id] if question_id not in used]
        if not left:
            raise NotEnoughQuestions()
        picked = rng.choice(left)
        used.add(picked)
        chosen[slot.id] = picked
    return {slot_id: question_id for slot_id, question_id in chosen.items() if question_id}


def latest_versions(session: Session, question_ids: set[int]) -> dict[int, QuestionVersion]:
    """Each question's latest version, by question id."""
    rows = session.scalars(
        select(QuestionVersion)
        .join(Question, Question.id == QuestionVersion.question_id)
        .where(Question.id.in_(question_ids), QuestionVersion.version == Question.latest_version)
    )
    return {version.question_id: version for version in rows}
