"""Regrading after a question is fixed: every finished attempt graded again with the version it
used, or first moved to each question's latest version when asked (its prompt is then shown
anew, unshuffled answers keeping their ids); the learners' grades follow in the gradebook."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.actors import Actor
from app.core.db import utcnow
from app.quizzes.attempt_models import Attempt, AttemptState
from app.quizzes.models import QuestionVersion
from app.quizzes.questions.types import for_type
from app.quizzes.service import grading
from app.quizzes.service.drawing import latest_versions
from app.quizzes.service.quizzes import managed_quiz
from app.quizzes.service.results import write_grade


@dataclass(frozen=True)
class Regraded:
    attempts: int
    changed: int


def _move_to_latest(session: Session, attempt: Attempt) -> None:
    slots = grading.attempt_slots(session, attempt.id)
    versions = grading.versions_of(session, slots)
    latest = latest_versions(session, {v.question_id for v in versions.values()})
    for slot in slots:
        newest: QuestionVersion = latest[versions[slot.question_version_id].question_id]
        if newest.id != slot.question_version_id:
            slot.question_version_id = newest.id
            slot.prompt = for_type(newest.qtype).prompt(newest, None)
    session.flush()


def regrade(session: Session, actor: Actor, quiz_id: int, *, to_latest: bool = False) -> Regraded:
    """Grade every finished attempt again; the number graded and the number whose marks changed."""
    quiz = managed_quiz(session, actor, quiz_id).quiz
    attempts = session.scalars(
        select(Attempt)
        .where(Attempt.quiz_id == quiz.id, Attempt.state == AttemptState.FINISHED)
        .order_by(Attempt.id)
    ).all()
    changed = 0
    for attempt in attempts:
        before = attempt.sum_marks
        if to_latest:
            _move_to_latest(session, attempt)
        grading.grade_attempt(session, attempt)
        changed += attempt.sum_marks != before
    now = utcnow()
    for user_id in sorted({attempt.user_id for attempt in attempts}):
        write_grade(session, quiz, user_id, now)
    return Regraded(len(attempts), changed)
