"""Overrides of a quiz's dates, time limit and attempts for one learner (extra time for a
disability) or one group; listed on the quiz's settings page."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.actors import Actor
from app.core.errors import Conflict, Invalid, NotFound
from app.core.i18n import N_
from app.enrolment.models import Group
from app.membership.models import CourseRole, Enrolment, EnrolmentStatus
from app.quizzes.attempt_models import QuizOverride
from app.quizzes.quiz_schemas import OverrideCreate
from app.quizzes.service.quizzes import managed_quiz


class OverrideExists(Conflict):
    code = "override_exists"
    title = N_("This learner or group already has an override: delete it first.")


def list_overrides(session: Session, actor: Actor, quiz_id: int) -> list[QuizOverride]:
    managed_quiz(session, actor, quiz_id)
    return list(
        session.scalars(
            select(QuizOverride).where(QuizOverride.quiz_id == quiz_id).order_by(QuizOverride.id)
        )
    )


def _check_target(session: Session, course_id: int, data: OverrideCreate) -> None:
    if data.user_id is not None:
        student = session.scalar(
            select(Enrolment.id).where(
                Enrolment.user_id == data.user_id,
                Enrolment.course_id == course_id,
                Enrolment.role == CourseRole.STUDENT,
                Enrolment.status == EnrolmentStatus.ACTIVE,
            )
        )
        if student is None:
            raise Invalid(N_("No such student in this course."), field="user_id")
    if data.group_id is not None:
        group = session.get(Group, data.group_id)
        if group is None or group.course_id != course_id:
            raise Invalid(N_("No such group in this course."), field="group_id")


def add_override(
    session: Session, actor: Actor, quiz_id: int, data: OverrideCreate
) -> QuizOverride:
    """One override per learner and per group; it applies to attempts started afterwards."""
    quiz = managed_quiz(session, actor, quiz_id).quiz
    _check_target(session, quiz.course_id, data)
    taken = session.scalar(
        select(QuizOverride.id).where(
            QuizOverride.quiz_id == quiz.id,
            (QuizOverride.user_id == data.user_id)
            if data.user_id is not None
            else (QuizOverride.group_id == data.group_id),
        )
    )
    if taken is not None:
        raise OverrideExists()
    override = QuizOverride(quiz_id=quiz.id, **data.model_dump())
    session.add(override)
    session.flush()
    return override


def delete_override(session: Session, actor: Actor, override_id: int) -> int:
    """Remove an override; the quiz's id."""
    override = session.get(QuizOverride, override_id)
    if override is None:
        raise NotFound(N_("No such override."))
    managed_quiz(session, actor, override.quiz_id)
    session.delete(override)
    session.flush()
    return override.quiz_id


def override_targets(
    session: Session, course_id: int
) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The course's active students and its groups (id, name), for the teacher's form
    (callers have checked the policy)."""
    students = session.execute(
        select(User.id, User.display_name)
        .join(Enrolment, Enrolment.user_id == User.id)
        .where(
            Enrolment.course_id == course_id,
            Enrolment.role == CourseRole.STUDENT,
            Enrolment.status == EnrolmentStatus.ACTIVE,
        )
        .order_by(User.display_name, User.id)
    )
    groups = session.execute(
        select(Group.id, Group.name).where(Group.course_id == course_id).order_by(Group.name)
    )
    return list(students), list(groups)
