"""Enrolments: who holds which role in which course. The enrolment issue extends this."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.actors import Actor, require
from app.core.errors import NotFound
from app.enrolment import policy
from app.enrolment.models import CourseRole, Enrolment, EnrolmentStatus


def course_roles(session: Session, actor: Actor, course_id: int) -> frozenset[CourseRole]:
    """The actor's roles in a course, from active enrolments only."""
    if actor.user_id is None:
        return frozenset()
    roles = session.scalars(
        select(Enrolment.role).where(
            Enrolment.user_id == actor.user_id,
            Enrolment.course_id == course_id,
            Enrolment.status == EnrolmentStatus.ACTIVE,
        )
    )
    return frozenset(roles)


def enrolled_course_ids(session: Session, user_id: int) -> list[int]:
    return list(
        session.scalars(
            select(Enrolment.course_id).where(
                Enrolment.user_id == user_id, Enrolment.status == EnrolmentStatus.ACTIVE
            )
        )
    )


def enrol(
    session: Session, actor: Actor, course_id: int, user_id: int, role: CourseRole
) -> Enrolment:
    """Give a person a role in a course (teachers of the course and managers); enrolling an
    enrolled person changes their role and reactivates them."""
    require(policy.can_enrol_others(actor, course_roles(session, actor, course_id)))
    enrolment = session.scalar(
        select(Enrolment).where(Enrolment.user_id == user_id, Enrolment.course_id == course_id)
    )
    if enrolment is None:
        enrolment = Enrolment(user_id=user_id, course_id=course_id, role=role)
        session.add(enrolment)
    else:
        enrolment.role, enrolment.status = role, EnrolmentStatus.ACTIVE
    session.flush()
    return enrolment


def get_enrolment(session: Session, enrolment_id: int) -> Enrolment:
    enrolment = session.get(Enrolment, enrolment_id)
    if enrolment is None:
        raise NotFound("No such enrolment.")
    return enrolment
