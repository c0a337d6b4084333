"""The "exam rush" dataset, added to a generated benchmark dataset (`bench/generate.py`):

- learners `exam<n>@example.org` enrolled as students of the first course until it has 200
  (size S has 100 students, so 100 are added; size L's courses already have 200);
- 10 auto-graded questions in the course's default bank category, of six types: true/false ×2,
  multiple choice with one right answer ×2 and with several ×1, short answer ×1, numerical ×2
  (one with units), matching ×1 and cloze ×1 (no essay: an essay leaves the attempt without a
  total until marked, so its submit would skip the gradebook write an exam's submit pays);
- two quiz modules in the last section using them: `exam` (5 pages of 2 questions, a 60-minute
  time limit, one attempt, free navigation, answers shuffled) and `exam-one-page` (the same
  10 questions on one page, unlimited attempts: the shape Moodle was measured with).

    python -m bench.exam_data     # prints the quiz and module ids as JSON
"""

import json
from typing import Any

from sqlalchemy import func, insert, select

from app.accounts.models import User
from app.core.actors import SYSTEM, PlatformRole
from app.core.config import get_settings
from app.core.db import session_factory
from app.courses.models import CompletionRule, Course, Module, ModuleKind, Section
from app.courses.schemas import ModuleCreate
from app.courses.service.content import add_module
from app.membership.models import CourseRole, Enrolment, EnrolmentMethod, EnrolmentStatus
from app.quizzes.bank_schemas import QuestionCreate
from app.quizzes.models import QuestionType
from app.quizzes.quiz_schemas import QuizSettings, SlotAdd
from app.quizzes.service import bank, quizzes, slots

LEARNERS = 200
TIME_LIMIT_MINUTES = 60
QUESTIONS: list[dict[str, Any]] = [
    {"qtype": QuestionType.TRUEFALSE, "name": "Quarterly meetings",
     "text": "District health teams meet the community each quarter.",
     "definition": {"answer": True, "feedback_true": "Yes.", "feedback_false": "They do."}},
    {"qtype": QuestionType.MULTICHOICE, "name": "Who plans",
     "text": "Who plans the district's primary care?",
     "definition": {"single": True, "choices": [
         {"id": "a", "text": "The district health team", "fraction": 1, "feedback": "Yes."},
         {"id": "b", "text": "The ministry alone", "fraction": 0, "feedback": "Not alone."},
         {"id": "c", "text": "Each village", "fraction": 0, "feedback": "No."},
         {"id": "d", "text": "Nobody", "fraction": 0, "feedback": "No."}]}},
    {"qtype": QuestionType.SHORTANSWER, "name": "What they count",
     "text": "What do district teams count what they do with?",
     "definition": {"case_sensitive": False, "answers": [
         {"text": "indicator*", "fraction": 1, "feedback": "Yes."}]}},
    {"qtype": QuestionType.NUMERICAL, "name": "Meetings a year",
     "text": "How many community meetings does a district team hold in a year?",
     "definition": {"answers": [{"value": "4", "tolerance": "0", "fraction": 1}]}},
    {"qtype": QuestionType.MATCHING, "name": "Tasks",
     "text": "Match each task with what it produces.",
     "definition": {"shuffle": True, "pairs": [
         {"id": "p1", "question": "Plan", "answer": "A district plan"},
         {"id": "p2", "question": "Budget", "answer": "A budget"},
         {"id": "p3", "question": "Supervise", "answer": "A supervision report"},
         {"id": "p4", "question": "", "answer": "A census"}]}},
    {"qtype": QuestionType.TRUEFALSE, "name": "Indicators",
     "text": "Indicators are only counted once a year.",
     "definition": {"answer": False, "feedback_true": "No.", "feedback_false": "Right."}},
    {"qtype": QuestionType.MULTICHOICE, "name": "Supervision",
     "text": "Which of these does a district team supervise? (several)",
     "definition": {"single": False, "choices": [
         {"id": "a", "text": "Health centres", "fraction": "0.5", "feedback": "Yes."},
         {"id": "b", "text": "Village health workers", "fraction": "0.5", "feedback": "Yes."},
         {"id": "c", "text": "Private banks", "fraction": "-0.5", "feedback": "No."},
         {"id": "d", "text": "Airlines", "fraction": "-0.5", "feedback": "No."}]}},
    {"qtype": QuestionType.CLOZE, "name": "Cycle",
     "text": "The team writes the {1:SHORTANSWER:=budget} and reports to the "
             "{1:MULTICHOICE:=province~village~school}.",
     "definition": {}},
    {"qtype": QuestionType.NUMERICAL, "name": "Distance",
     "text": "A health centre serves people within 5 km. How far is that in metres?",
     "definition": {"answers": [{"value": "5000", "tolerance": "10", "fraction": 1}],
                    "units": [{"unit": "m", "multiplier": 1},
                              {"unit": "km", "multiplier": "0.001"}],
                    "unit_handling": "optional"}},
    {"qtype": QuestionType.MULTICHOICE, "name": "Budget year",
     "text": "When is the district budget prepared?",
     "definition": {"single": True, "choices": [
         {"id": "a", "text": "Before the fiscal year", "fraction": 1, "feedback": "Yes."},
         {"id": "b", "text": "After it", "fraction": 0, "feedback": "Too late."},
         {"id": "c", "text": "Never", "fraction": 0, "feedback": "No."}]}},
]  # fmt: skip


def _learners(course_id: int, password_hash: str, institution_id: int | None) -> list[int]:
    with session_factory() as session, session.begin():
        enrolled = session.scalar(
            select(func.count()).select_from(Enrolment).where(
                Enrolment.course_id == course_id, Enrolment.role == CourseRole.STUDENT)
        ) or 0  # fmt: skip
        missing = max(0, LEARNERS - enrolled)
        if missing:
            session.execute(insert(User), [
                {"email": f"exam{n}@example.org", "display_name": f"Exam Learner {n}",
                 "password_hash": password_hash, "platform_role": PlatformRole.USER,
                 "institution_id": institution_id, "time_zone": "Asia/Vientiane",
                 "preferred_language": "en"} for n in range(missing)
            ])  # fmt: skip
            added = session.scalars(select(User.id).where(User.email.like("exam%@example.org")))
            session.execute(insert(Enrolment), [
                {"user_id": u, "course_id": course_id, "role": CourseRole.STUDENT,
                 "status": EnrolmentStatus.ACTIVE, "method": EnrolmentMethod.MANUAL}
                for u in added
            ])  # fmt: skip
        return list(
            session.scalars(
                select(Enrolment.user_id)
                .where(Enrolment.course_id == course_id, Enrolment.role == CourseRole.STUDENT)
                .order_by(Enrolment.user_id)
            )
        )


def _quiz(section_id: int, key: str, title: str, questions: list[int],
          settings_in: dict[str, Any]) -> tuple[int, int]:  # fmt: skip
    with session_factory() as session, session.begin():
        data = ModuleCreate(key=key, kind=ModuleKind.QUIZ, title=title,
                            completion=CompletionRule.SUBMITTED, required=False)  # fmt: skip
        module = add_module(session, SYSTEM, get_settings(), section_id, data)
        access = quizzes.update_quiz(
            session, SYSTEM, module.id, QuizSettings.model_validate(settings_in)
        )
        for question_id in questions:
            slots.add_slots(session, SYSTEM, access.quiz.id, SlotAdd(question_id=question_id))
        quizzes.update_quiz(session, SYSTEM, module.id, QuizSettings.model_validate(settings_in))
        return access.quiz.id, module.id


def prepare() -> dict[str, Any]:
    with session_factory() as session:
        course = session.scalars(select(Course).order_by(Course.id)).first()
        assert course is not None, "generate the dataset first"
        course_id, code = course.id, course.code
        model = session.scalars(select(User).where(User.email == "bench0@example.org")).one()
        password_hash, institution_id = model.password_hash, model.institution_id
        section_id = session.scalars(
            select(Section.id).where(Section.course_id == course_id)
            .order_by(Section.position.desc())
        ).first()  # fmt: skip
        assert section_id is not None
        assert password_hash is not None
    learners = _learners(course_id, password_hash, institution_id)
    with session_factory() as session, session.begin():
        questions = [
            bank.create_question(session, SYSTEM, course_id, QuestionCreate(**q)).question.id
            for q in QUESTIONS
        ]
    common = {"time_limit_minutes": TIME_LIMIT_MINUTES, "navigation": "free",
              "shuffle_answers": True}  # fmt: skip
    exam = _quiz(section_id, "exam", "Final exam", questions,
                 {**common, "questions_per_page": 2, "max_attempts": 1})  # fmt: skip
    one_page = _quiz(section_id, "exam-one-page", "Final exam (one page)", questions,
                     {**common, "questions_per_page": 0})  # fmt: skip
    with session_factory() as session:
        emails = dict(session.execute(select(User.id, User.email).where(User.id.in_(learners))
                                      ).all())  # fmt: skip
        teacher = session.scalars(
            select(User.email).join(Enrolment, Enrolment.user_id == User.id).where(
                Enrolment.course_id == course_id, Enrolment.role == CourseRole.TEACHER)
        ).first()  # fmt: skip
        edited = session.scalar(
            select(Module.id).where(Module.course_id == course_id, Module.key == "page-7")
        )
    return {
        "course_id": course_id, "course_code": code, "questions": len(questions),
        "exam_quiz_id": exam[0], "exam_module_id": exam[1],
        "one_page_quiz_id": one_page[0], "one_page_module_id": one_page[1],
        "learners": [emails[u] for u in learners], "teacher": teacher, "edited_module_id": edited,
    }  # fmt: skip


if __name__ == "__main__":
    print(json.dumps(prepare()))
