"""A quiz module's settings: created with defaults the first time its teacher opens them, read
by everyone who may open the module, changed only by the course's teachers and managers."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.actors import Actor
from app.core.errors import Forbidden, NotFound
from app.core.i18n import N_
from app.core.markdown import render_markdown
from app.courses.models import Course, Module, ModuleKind
from app.courses.service.content import read_module
from app.membership.models import CourseRole
from app.quizzes import policy
from app.quizzes.attempt_models import Quiz, ReviewItem, ReviewMoment
from app.quizzes.quiz_schemas import QuizSettings
from app.quizzes.service.paging import repaginate

ALL_ITEMS = [item.value for item in ReviewItem]
# Like Moodle's defaults: nothing while answering, everything once finished.
DEFAULT_REVIEW: dict[str, list[str]] = {
    ReviewMoment.DURING.value: [],
    ReviewMoment.IMMEDIATELY.value: ALL_ITEMS,
    ReviewMoment.OPEN.value: ALL_ITEMS,
    ReviewMoment.CLOSED.value: ALL_ITEMS,
}


@dataclass(frozen=True)
class QuizAccess:
    """A quiz with its module and the reader's roles in the course."""

    quiz: Quiz
    module: Module
    roles: frozenset[CourseRole]
    course: Course


def _quiz_module(
    session: Session, actor: Actor, module_id: int
) -> tuple[Module, frozenset[CourseRole], Course]:
    access = read_module(session, actor, module_id)
    if access.module.kind is not ModuleKind.QUIZ:
        raise NotFound(N_("No such quiz."))
    return access.module, access.course.roles, access.course.course


def _new_quiz(session: Session, module: Module) -> Quiz:
    quiz = Quiz(course_id=module.course_id, module_id=module.id, review=dict(DEFAULT_REVIEW))
    session.add(quiz)
    session.flush()
    return quiz


def quiz_of_module(session: Session, actor: Actor, module_id: int) -> QuizAccess:
    """The settings of a quiz module, for its teachers; created with defaults the first time."""
    module, roles, course = _quiz_module(session, actor, module_id)
    if not policy.can_manage_quiz(actor, roles):
        raise Forbidden(N_("Only the course's teachers set its quizzes."))
    quiz = session.scalar(select(Quiz).where(Quiz.module_id == module.id))
    return QuizAccess(quiz or _new_quiz(session, module), module, roles, course)


def find_quiz_of_module(session: Session, module: Module) -> Quiz | None:
    """The quiz a module stands for, if its teacher has set it up (no policy: callers have
    read the module)."""
    return session.scalar(select(Quiz).where(Quiz.module_id == module.id))


def get_quiz(session: Session, actor: Actor, quiz_id: int) -> QuizAccess:
    """A quiz as its reader may see it: through its module, so a hidden or locked module
    hides its quiz too."""
    quiz = session.get(Quiz, quiz_id)
    if quiz is None:
        raise NotFound(N_("No such quiz."))
    module, roles, course = _quiz_module(session, actor, quiz.module_id)
    return QuizAccess(quiz, module, roles, course)


def managed_quiz(session: Session, actor: Actor, quiz_id: int) -> QuizAccess:
    """A quiz its reader may set; others who may see it are refused, the rest told nothing."""
    access = get_quiz(session, actor, quiz_id)
    if not policy.can_manage_quiz(actor, access.roles):
        raise (Forbidden if access.roles or actor.is_manager else NotFound)(N_("No such quiz."))
    return access


def graded_quiz(session: Session, actor: Actor, quiz_id: int) -> QuizAccess:
    """A quiz whose attempts its reader may read and mark (teachers, tutors, managers)."""
    access = get_quiz(session, actor, quiz_id)
    if not policy.can_grade_attempts(actor, access.roles):
        raise Forbidden(N_("Only the course's teachers and tutors read the attempts."))
    return access


def _clean_review(review: dict[ReviewMoment, list[ReviewItem]]) -> dict[str, list[str]]:
    cleaned = dict(DEFAULT_REVIEW)
    for moment, items in review.items():
        cleaned[moment.value] = [item.value for item in ReviewItem if item in items]
    return cleaned


def update_quiz(session: Session, actor: Actor, module_id: int, data: QuizSettings) -> QuizAccess:
    """Change a quiz's settings. A self-check quiz has unlimited attempts and shows each
    checked question's feedback while answering."""
    access = quiz_of_module(session, actor, module_id)
    quiz = access.quiz
    for name in (
        "opens_at", "closes_at", "time_limit_minutes", "grace_minutes", "on_expiry",
        "max_attempts", "delay_minutes", "grading_method", "questions_per_page", "navigation",
        "shuffle_questions", "shuffle_answers", "max_grade", "pass_grade", "self_check",
    ):  # fmt: skip
        setattr(quiz, name, getattr(data, name))
    if data.self_check:
        quiz.max_attempts = None
    quiz.review = _clean_review(data.review) if data.review else quiz.review or DEFAULT_REVIEW
    quiz.feedback_bands = [
        {
            "min_percent": str(band.min_percent),
            "html": render_markdown(band.text),
            "text": band.text,
        }
        for band in sorted(data.feedback_bands, key=lambda band: band.min_percent, reverse=True)
    ]
    session.flush()
    repaginate(session, quiz)
    return access
