"""Reading a person's roles in courses, for every domain's policy checks, and the one place
where a confined actor's reach over a course or a person is enforced."""

from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, exists, select
from sqlalchemy.orm import Session

from app.core.actors import Actor
from app.core.errors import NotFound
from app.core.i18n import N_
from app.membership import policy
from app.membership.models import CoursePartner, CourseRole, Enrolment, EnrolmentStatus
from app.membership.policy import courses_table, users_table


def course_roles(session: Session, actor: Actor, course_id: int) -> frozenset[CourseRole]:
    """The actor's roles in a course, from active enrolments only. A partner client or an
    institution manager outside the course's reach is told the course does not exist."""
    if actor.is_confined:
        require_course_reach(session, actor, course_id)
    if actor.user_id is None:
        return frozenset()
    active = active_enrolment(actor.user_id, Enrolment.course_id == course_id)
    roles = session.scalars(select(Enrolment.role).where(active))
    return frozenset(roles)


def active_enrolment(user_id: int, in_course: ColumnElement[bool]) -> ColumnElement[bool]:
    """The user's active enrolments in the course `in_course` picks (`course_roles`' rule):
    a join condition, for reading a course and the roles in it in one statement."""
    return and_(Enrolment.user_id == user_id, in_course, Enrolment.status == EnrolmentStatus.ACTIVE)


def require_course_reach(session: Session, actor: Actor, course_id: int) -> None:
    """NotFound unless the actor reaches the course: one query, for confined actors only."""
    if not actor.is_confined:
        return
    home = actor.institution_id if actor.institution_id is not None else -1
    found = session.execute(
        select(
            courses_table.c.institution_id,
            exists().where(
                CoursePartner.course_id == course_id, CoursePartner.institution_id == home
            ),
        ).where(courses_table.c.id == course_id)
    ).first()
    if found is None:
        raise NotFound(N_("No such course."))
    owner, partnered = found
    if not policy.reaches_course(actor, owner, [home] if partnered else []):
        raise NotFound(N_("No such course."))


def person_reached(session: Session, actor: Actor, user_id: int) -> bool:
    """Whether the person exists and lies within the actor's reach (their institution's)."""
    found = session.execute(
        select(users_table.c.institution_id).where(users_table.c.id == user_id)
    ).first()
    return found is not None and policy.reaches_person(actor, found[0])


def partner_institution_ids(session: Session, course_id: int) -> list[int]:
    return list(
        session.scalars(
            select(CoursePartner.institution_id)
            .where(CoursePartner.course_id == course_id)
            .order_by(CoursePartner.institution_id)
        )
    )


def set_partner(session: Session, course_id: int, institution_id: int, *, partner: bool) -> bool:
    """Make an institution a partner of a course or not (callers check); whether it changed."""
    existing = session.get(CoursePartner, (course_id, institution_id))
    if partner and existing is None:
        session.add(CoursePartner(course_id=course_id, institution_id=institution_id))
        session.flush()
        return True
    if not partner and existing is not None:
        session.delete(existing)
        session.flush()
        return True
    return False


def copy_partners(session: Session, from_course_id: int, to_course_id: int) -> Sequence[int]:
    """A new run of a course keeps its partners."""
    ids = partner_institution_ids(session, from_course_id)
    session.add_all(CoursePartner(course_id=to_course_id, institution_id=i) for i in ids)
    return ids


def require_person_reach(session: Session, actor: Actor, user_id: int) -> None:
    """NotFound unless the person exists and lies within the actor's reach."""
    if not person_reached(session, actor, user_id):
        raise NotFound(N_("No such user."))
