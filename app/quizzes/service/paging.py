"""How a quiz's slots fall into pages: `questions_per_page` at a time in slot order (0: all on
one page), renumbered whenever the slots or the setting change."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.quizzes.attempt_models import Quiz, QuizSlot


def ordered_slots(session: Session, quiz_id: int) -> list[QuizSlot]:
    return list(
        session.scalars(
            select(QuizSlot)
            .where(QuizSlot.quiz_id == quiz_id)
            .order_by(QuizSlot.position, QuizSlot.id)
        )
    )


def repaginate(session: Session, quiz: Quiz) -> list[QuizSlot]:
    """Positions 1…n in order; pages of `questions_per_page` slots each."""
    slots = ordered_slots(session, quiz.id)
    per_page = quiz.questions_per_page
    for index, slot in enumerate(slots):
        slot.position = index + 1
        slot.page = 1 if per_page == 0 else index // per_page + 1
    session.flush()
    return slots
