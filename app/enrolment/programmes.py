"""Programme enrolment and the scholarship report for funders."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.accounts.models import User
from app.core.actors import Actor, require
from app.core.errors import Invalid, NotFound
from app.core.i18n import N_
from app.courses.models import Course, Programme, ProgrammeCourse
from app.enrolment import policy
from app.enrolment.models import ProgrammeEnrolment
from app.enrolment.service import EnrolmentTerms, place
from app.membership.models import Enrolment, EnrolmentMethod, Funding
from app.membership.policy import reached_courses


def _programme(session: Session, code: str) -> Programme:
    programme = session.scalar(
        select(Programme)
        .where(Programme.code == code)
        .options(selectinload(Programme.institutions))
    )
    if programme is None:
        raise NotFound(N_("No such programme."))
    return programme


def enrol_in_programme(
    session: Session,
    actor: Actor,
    code: str,
    user_id: int,
    funding: Funding = Funding.SELF,
    funder_name: str | None = None,
) -> ProgrammeEnrolment:
    """Enrol a person in a programme and so in each of its courses (managers, partners)."""
    require(policy.can_enrol_in_programmes(actor))
    terms = EnrolmentTerms(funding=funding, funder_name=funder_name)
    programme = _programme(session, code)
    awarding = [institution.id for institution in programme.institutions]
    require(policy.can_enrol_in_programme(actor, awarding))
    person = session.get(User, user_id)
    if person is None or not policy.can_enrol_person(actor, person.institution_id):
        raise Invalid("No such user.", field="user_id")
    membership = session.scalar(
        select(ProgrammeEnrolment).where(
            ProgrammeEnrolment.programme_id == programme.id, ProgrammeEnrolment.user_id == user_id
        )
    )
    if membership is None:
        membership = ProgrammeEnrolment(programme_id=programme.id, user_id=user_id)
        session.add(membership)
    membership.funding, membership.funder_name = funding, funder_name
    session.flush()
    for course_id in session.scalars(
        select(ProgrammeCourse.course_id).where(ProgrammeCourse.programme_id == programme.id)
    ):
        place(session, actor, course_id, user_id, terms, EnrolmentMethod.PROGRAMME,
              reason=f"programme {programme.code}")  # fmt: skip
    return membership


def enrol_programme_members(session: Session, actor: Actor, course_id: int) -> int:
    """A course newly part of programmes (a new run) enrols those programmes' members."""
    members = session.execute(
        select(ProgrammeEnrolment, Programme.code)
        .join(Programme, Programme.id == ProgrammeEnrolment.programme_id)
        .join(ProgrammeCourse, ProgrammeCourse.programme_id == Programme.id)
        .where(ProgrammeCourse.course_id == course_id)
    ).all()
    for membership, code in members:
        terms = EnrolmentTerms(funding=membership.funding, funder_name=membership.funder_name)
        place(session, actor, course_id, membership.user_id, terms, EnrolmentMethod.PROGRAMME,
              reason=f"programme {code}")  # fmt: skip
    return len(members)


@dataclass(frozen=True)
class ScholarshipHolder:
    programme: str
    funder: str
    user_id: int
    display_name: str
    course: str


def scholarship_holders(
    session: Session, actor: Actor, programme: str | None = None, funder: str | None = None
) -> list[ScholarshipHolder]:
    """Scholarship holders per programme and funder, for reporting to funders (managers)."""
    require(policy.can_list_scholarships(actor))
    stmt = (
        select(Programme.code, Enrolment.funder_name, User.id, User.display_name, Course.code)
        .join(ProgrammeCourse, ProgrammeCourse.programme_id == Programme.id)
        .join(Enrolment, Enrolment.course_id == ProgrammeCourse.course_id)
        .join(User, User.id == Enrolment.user_id)
        .join(Course, Course.id == Enrolment.course_id)
        .where(
            Enrolment.funding == Funding.SCHOLARSHIP, reached_courses(actor, Enrolment.course_id)
        )
        .order_by(Programme.code, Enrolment.funder_name, User.display_name, Course.code)
    )
    if programme:
        stmt = stmt.where(Programme.code == programme)
    if funder:
        stmt = stmt.where(Enrolment.funder_name == funder)
    return [ScholarshipHolder(p, f or "", u, n, c) for p, f, u, n, c in session.execute(stmt)]
