"""A course's partner institutions: their managers and API clients reach the course as those
of the institution running it do (see `membership.policy.reaches_course`)."""

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Institution
from app.accounts.service import audit, find_institution
from app.core.actors import Actor, require
from app.core.errors import Invalid, NotFound
from app.core.i18n import N_
from app.courses import policy
from app.courses.models import Course
from app.courses.service.courses import get_course
from app.membership.models import CoursePartner
from app.membership.service import set_partner


class RunningInstitutionNotPartner(Invalid):
    code = "running_institution_not_partner"
    title = N_("The institution running the course cannot also be its partner.")


def _managed_course(session: Session, actor: Actor, course_id: int) -> Course:
    course = get_course(session, actor, course_id).course
    require(policy.can_manage_partners(actor, course))
    return course


def partners_of(session: Session, actor: Actor, course_id: int) -> Sequence[Institution]:
    """The partner institutions of a course, for whoever may choose them."""
    course = _managed_course(session, actor, course_id)
    return partner_institutions(session, course.id)


def partner_institutions(session: Session, course_id: int) -> Sequence[Institution]:
    return session.scalars(
        select(Institution)
        .join(CoursePartner, CoursePartner.institution_id == Institution.id)
        .where(CoursePartner.course_id == course_id)
        .order_by(Institution.code)
    ).all()


def add_partner(
    session: Session, actor: Actor, course_id: int, institution_code: str
) -> Sequence[Institution]:
    """Make an institution a partner of the course; adding a partner again changes nothing."""
    course = _managed_course(session, actor, course_id)
    institution = find_institution(session, institution_code, field="institution_code")
    if institution.id == course.institution_id:
        raise RunningInstitutionNotPartner(field="institution_code")
    if set_partner(session, course.id, institution.id, partner=True):
        audit(session, actor, "course.add_partner", f"course:{course.id}", institution.code)
    return partner_institutions(session, course.id)


def remove_partner(session: Session, actor: Actor, course_id: int, institution_code: str) -> None:
    """The institution's managers and clients no longer reach the course."""
    course = _managed_course(session, actor, course_id)
    institution = session.scalar(
        select(Institution).where(Institution.code == institution_code.upper())
    )
    if institution is None or not set_partner(session, course.id, institution.id, partner=False):
        raise NotFound(N_("This institution is not a partner of the course."))
    audit(session, actor, "course.remove_partner", f"course:{course.id}", institution.code)


def may_choose_partners(actor: Actor, course: Course) -> bool:
    """Whether the course's edit page offers the partners' form."""
    return policy.can_manage_partners(actor, course)
