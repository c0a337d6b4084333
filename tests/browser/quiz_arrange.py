"""Arrange the quiz journey in the live server's database (run as a separate process, like
`prepare.py`): in MBA-TSM, a quiz module of two true/false questions, one per page, that the
demo student may take; prints the module's id."""

import sys

from sqlalchemy import select

import app.models  # noqa: F401  (every table's mapping, for the foreign keys)
from app.accounts.service import find_user_by_email
from app.core.actors import SYSTEM
from app.core.config import get_settings
from app.core.db import session_factory
from app.courses.models import CompletionRule, Course, ModuleKind, Section
from app.courses.schemas import ModuleCreate
from app.courses.service.content import add_module
from app.enrolment.service import enrol
from app.membership.models import CourseRole, Enrolment
from app.quizzes.models import Question, QuestionCategory, QuestionType, QuestionVersion
from app.quizzes.quiz_schemas import QuizSettings, SlotAdd
from app.quizzes.service import quizzes, slots

STATEMENTS = (
    ("Primary health care was defined at Alma-Ata in 1978.", True),
    ("Universal health coverage means free care for every service.", False),
)


def main() -> None:
    with session_factory() as session, session.begin():
        course = session.scalars(select(Course).where(Course.code == "MBA-TSM")).one()
        section_id = session.scalars(
            select(Section.id).where(Section.course_id == course.id).order_by(Section.position)
        ).first()
        assert section_id is not None
        data = ModuleCreate(
            key="journey-quiz", kind=ModuleKind.QUIZ, title="Journey quiz: check yourself",
            completion=CompletionRule.SUBMITTED,
        )  # fmt: skip
        module = add_module(session, SYSTEM, get_settings(), section_id, data)
        quiz = quizzes.update_quiz(
            session, SYSTEM, module.id, QuizSettings(questions_per_page=1, shuffle_answers=False)
        ).quiz
        category = QuestionCategory(course_id=course.id, name="Journey")
        session.add(category)
        session.flush()
        for text, answer in STATEMENTS:
            question = Question(course_id=course.id, category_id=category.id)
            session.add(question)
            session.flush()
            session.add(
                QuestionVersion(
                    question_id=question.id, qtype=QuestionType.TRUEFALSE, name=text[:40],
                    text_html=f"<p>{text}</p>", general_feedback_html=f"<p>Because: {text}</p>",
                    definition={"answer": answer, "feedback_true": "", "feedback_false": ""},
                )
            )  # fmt: skip
            session.flush()
            slots.add_slots(session, SYSTEM, quiz.id, SlotAdd(question_id=question.id))
        student = find_user_by_email(session, "student1@demo.agora")
        assert student is not None
        enrolled = session.scalar(
            select(Enrolment.id).where(
                Enrolment.user_id == student.id, Enrolment.course_id == course.id
            )
        )
        if enrolled is None:
            enrol(session, SYSTEM, course.id, student.id, CourseRole.STUDENT)
        session.flush()
        sys.stdout.write(f"{module.id}\n")


if __name__ == "__main__":
    main()
