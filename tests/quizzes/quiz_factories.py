"""A course with a quiz module, its teacher and students, and a bank of true/false questions
built through the laid models (one category with a subcategory)."""

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.auth import actor_for_user
from app.accounts.models import User
from app.core.actors import SYSTEM, Actor
from app.core.config import Settings
from app.courses.models import CompletionRule, Course, Module, ModuleKind, Section
from app.courses.schemas import ModuleCreate
from app.courses.service.content import add_module
from app.membership.models import CourseRole
from app.quizzes.attempt_models import Quiz
from app.quizzes.models import Question, QuestionCategory, QuestionType, QuestionVersion
from app.quizzes.quiz_schemas import QuizSettings, SlotAdd
from app.quizzes.service import quizzes, slots
from tests.accounts.factories import PASSWORD, make_user
from tests.courses.factories import enrol_as, import_hs101


def actor_of(user: User) -> Actor:
    return actor_for_user(user)


@dataclass
class QuizWorld:
    course: Course
    module: Module
    teacher: User
    tutor: User
    student: User
    other_student: User
    category: QuestionCategory
    subcategory: QuestionCategory
    questions: list[Question] = field(default_factory=list)
    quiz: Quiz | None = None


def add_question(
    db: Session,
    course: Course,
    category: QuestionCategory,
    *,
    answer: bool = True,
    name: str = "Statement",
    qtype: QuestionType = QuestionType.TRUEFALSE,
    definition: dict[str, object] | None = None,
) -> Question:
    question = Question(course_id=course.id, category_id=category.id, latest_version=1)
    db.add(question)
    db.flush()
    default = {"answer": answer, "feedback_true": f"FBT-{name}", "feedback_false": f"FBF-{name}"}
    version = QuestionVersion(
        question_id=question.id,
        version=1,
        qtype=qtype,
        name=name,
        text_html=f"<p>{name}</p>",
        definition=definition or default,
        general_feedback_html=f"<p>EXPLAIN-{name}</p>",
    )
    db.add(version)
    db.flush()
    return question


def quiz_module(db: Session, settings: Settings, course: Course, key: str = "w1-quiz") -> Module:
    section = db.scalar(
        select(Section).where(Section.course_id == course.id).order_by(Section.position)
    )
    assert section is not None
    data = ModuleCreate(
        key=key, kind=ModuleKind.QUIZ, title="Check yourself", completion=CompletionRule.SUBMITTED
    )
    return add_module(db, SYSTEM, settings, section.id, data)


def quiz_world(db: Session, settings: Settings, *, fixed: int = 4, **quiz: object) -> QuizWorld:
    """A quiz of `fixed` true/false questions (all `true`), one per page unless said."""
    course = import_hs101(db, settings)
    module = quiz_module(db, settings, course)
    people = [make_user(db, password=PASSWORD, language="en", time_zone="UTC") for _ in range(4)]
    teacher, tutor, student, other = people
    enrol_as(db, course, teacher, CourseRole.TEACHER)
    enrol_as(db, course, tutor, CourseRole.TUTOR)
    enrol_as(db, course, student, CourseRole.STUDENT)
    enrol_as(db, course, other, CourseRole.STUDENT)
    category = QuestionCategory(course_id=course.id, name="Week 1")
    db.add(category)
    db.flush()
    sub = QuestionCategory(course_id=course.id, parent_id=category.id, name="Health systems")
    db.add(sub)
    db.flush()
    world = QuizWorld(course, module, teacher, tutor, student, other, category, sub)
    world.questions = [add_question(db, course, category, name=f"Q{n}") for n in range(fixed)]
    settings_in = QuizSettings.model_validate({"questions_per_page": 1, **quiz})
    access = quizzes.update_quiz(db, actor_of(teacher), module.id, settings_in)
    for question in world.questions:
        slots.add_slots(db, actor_of(teacher), access.quiz.id, SlotAdd(question_id=question.id))
    world.quiz = access.quiz
    db.flush()
    return world


def mark_of(value: str) -> Decimal:
    return Decimal(value)
