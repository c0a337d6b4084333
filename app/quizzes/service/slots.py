"""A quiz's slots: fixed questions of the course's bank, or places filled at each attempt's
start by a question drawn at random from a category. Adding questions or changing the number
per page lays the pages out again; a slot's page may then be set by hand."""

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.actors import Actor
from app.core.errors import Invalid, NotFound
from app.core.i18n import N_
from app.quizzes.attempt_models import QuizSlot
from app.quizzes.models import Question, QuestionCategory, QuestionVersion
from app.quizzes.quiz_schemas import SlotAdd, SlotUpdate
from app.quizzes.service.paging import ordered_slots, repaginate
from app.quizzes.service.quizzes import QuizAccess, managed_quiz


def list_slots(session: Session, actor: Actor, quiz_id: int) -> tuple[QuizAccess, list[QuizSlot]]:
    access = managed_quiz(session, actor, quiz_id)
    return access, ordered_slots(session, quiz_id)


def _default_mark(session: Session, question: Question) -> Decimal:
    mark = session.scalar(
        select(QuestionVersion.default_mark).where(
            QuestionVersion.question_id == question.id,
            QuestionVersion.version == question.latest_version,
        )
    )
    return mark if mark is not None else Decimal(1)


def add_slots(session: Session, actor: Actor, quiz_id: int, data: SlotAdd) -> list[QuizSlot]:
    """Add a fixed question of the course's bank (once per quiz), or `count` random places
    drawing from a category of the course's bank."""
    access = managed_quiz(session, actor, quiz_id)
    quiz = access.quiz
    existing = ordered_slots(session, quiz.id)
    added: list[QuizSlot] = []
    if data.question_id is not None:
        question = session.get(Question, data.question_id)
        if question is None or question.course_id != quiz.course_id or question.retired:
            raise Invalid(N_("No such question in this course's bank."), field="question_id")
        if any(slot.question_id == question.id for slot in existing):
            raise Invalid(N_("This question is already in the quiz."), field="question_id")
        mark = data.mark if data.mark is not None else _default_mark(session, question)
        added.append(QuizSlot(quiz_id=quiz.id, question_id=question.id, mark=mark))
    else:
        category = session.get(QuestionCategory, data.category_id)
        if category is None or category.course_id != quiz.course_id:
            raise Invalid(N_("No such category in this course's bank."), field="category_id")
        for _ in range(data.count):
            added.append(
                QuizSlot(
                    quiz_id=quiz.id,
                    category_id=category.id,
                    include_subcategories=data.include_subcategories,
                    mark=data.mark if data.mark is not None else Decimal(1),
                )
            )
    for offset, slot in enumerate(added):
        slot.position = len(existing) + offset + 1
        session.add(slot)
    session.flush()
    repaginate(session, quiz)
    if data.page is not None:
        for slot in added:
            slot.page = data.page
        session.flush()
    return added


def _slot(session: Session, actor: Actor, slot_id: int) -> QuizSlot:
    slot = session.get(QuizSlot, slot_id)
    if slot is None:
        raise NotFound(N_("No such slot."))
    managed_quiz(session, actor, slot.quiz_id)
    return slot


def slot_quiz_id(session: Session, actor: Actor, slot_id: int) -> int:
    return _slot(session, actor, slot_id).quiz_id


def update_slot(session: Session, actor: Actor, slot_id: int, data: SlotUpdate) -> QuizSlot:
    """Change a slot's mark, page or place in the order (the others move to make room)."""
    slot = _slot(session, actor, slot_id)
    if data.mark is not None:
        slot.mark = data.mark
    if data.page is not None:
        slot.page = data.page
    if data.position is not None:
        slots = [other for other in ordered_slots(session, slot.quiz_id) if other.id != slot.id]
        slots.insert(min(data.position, len(slots) + 1) - 1, slot)
        for index, other in enumerate(slots):
            other.position = index + 1
    session.flush()
    return slot


def remove_slot(session: Session, actor: Actor, slot_id: int) -> None:
    """Take a slot out of the quiz; attempts already started keep their questions."""
    slot = _slot(session, actor, slot_id)
    quiz_id = slot.quiz_id
    session.delete(slot)
    session.flush()
    for index, other in enumerate(ordered_slots(session, quiz_id)):
        other.position = index + 1
    session.flush()


def bank_choices(
    session: Session, course_id: int
) -> tuple[list[tuple[int, str]], list[QuestionCategory]]:
    """The course's questions that may be added (id, latest version's name) and its
    categories, for the teacher's form (callers have checked the policy)."""
    questions = session.execute(
        select(Question.id, QuestionVersion.name)
        .join(QuestionVersion, QuestionVersion.question_id == Question.id)
        .where(
            Question.course_id == course_id,
            Question.retired.is_(False),
            QuestionVersion.version == Question.latest_version,
        )
        .order_by(QuestionVersion.name, Question.id)
    )
    categories = session.scalars(
        select(QuestionCategory)
        .where(QuestionCategory.course_id == course_id)
        .order_by(QuestionCategory.position, QuestionCategory.name)
    )
    return list(questions), list(categories)
