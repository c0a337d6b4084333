"""Question-bank rows for tests: categories and questions made through the service."""

from typing import Any

from sqlalchemy.orm import Session

from app.core.actors import SYSTEM
from app.quizzes.bank_schemas import CategoryCreate, QuestionCreate
from app.quizzes.models import QuestionCategory, QuestionType
from app.quizzes.service import bank, categories

CAPITAL = {
    "single": True,
    "choices": [
        {"id": "a", "text": "Vientiane", "fraction": 1, "feedback": "Yes."},
        {"id": "b", "text": "Luang Prabang", "fraction": 0, "feedback": "The old capital."},
    ],
}


def make_category(
    db: Session, course_id: int, name: str = "Week 1", parent_id: int | None = None
) -> QuestionCategory:
    data = CategoryCreate(name=name, parent_id=parent_id)
    return categories.create_category(db, SYSTEM, course_id, data)


def make_question(
    db: Session,
    course_id: int,
    *,
    name: str = "Capital of Laos",
    qtype: QuestionType = QuestionType.MULTICHOICE,
    definition: dict[str, Any] | None = None,
    category_id: int | None = None,
    tags: list[str] | None = None,
    text: str = "Which city is the capital of Laos?",
) -> bank.Entry:
    data = QuestionCreate(
        qtype=qtype, name=name, text=text, definition=CAPITAL if definition is None else definition,
        category_id=category_id, tags=tags or [], general_feedback="The capital is *Vientiane*.",
    )  # fmt: skip
    return bank.create_question(db, SYSTEM, course_id, data)
