"""Reading a course's results and released grades: staff, managers and partner systems. A
confined actor (a partner client, an institution manager) reads only its institution's
learners; the released grades list shows only what the learners themselves see."""

from collections.abc import Sequence

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from app.core.actors import Actor, require
from app.core.db import utcnow
from app.core.pagination import paginate
from app.grades import policy
from app.grades.models import CourseResult, Grade, GradeItem
from app.grades.service.setup import roles_in
from app.membership.models import CourseRole, Enrolment, EnrolmentStatus
from app.membership.policy import reached_user_ids


def _learners(course_id: int) -> Select[int]:
    return select(Enrolment.user_id).where(
        Enrolment.course_id == course_id,
        Enrolment.role == CourseRole.STUDENT,
        Enrolment.status == EnrolmentStatus.ACTIVE,
    )


def course_results(session: Session, actor: Actor, course_id: int) -> Sequence[CourseResult]:
    """The course results of the learners within the actor's reach, by learner; one query
    after the access check."""
    require(policy.can_read_course_grades(actor, roles_in(session, actor, course_id)))
    return session.scalars(
        select(CourseResult)
        .where(
            CourseResult.course_id == course_id,
            CourseResult.user_id.in_(_learners(course_id)),
            reached_user_ids(actor, CourseResult.user_id),
        )
        .order_by(CourseResult.user_id)
    ).all()


def released_grades(
    session: Session, actor: Actor, course_id: int, cursor: str | None, limit: int
) -> tuple[Sequence[Grade], str | None]:
    """Released grades whose item is no longer hidden, of the course's learners within the
    actor's reach, one page in order of grade id."""
    require(policy.can_read_course_grades(actor, roles_in(session, actor, course_id)))
    now = utcnow()
    stmt = (
        select(Grade)
        .join(GradeItem, GradeItem.id == Grade.item_id)
        .where(
            GradeItem.course_id == course_id,
            Grade.released_at.is_not(None),
            or_(GradeItem.hidden_until.is_(None), GradeItem.hidden_until <= now),
            Grade.user_id.in_(_learners(course_id)),
            reached_user_ids(actor, Grade.user_id),
        )
    )
    return paginate(session, stmt, Grade.id, cursor, limit)
