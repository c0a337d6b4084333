"""Programmes: degrees, inductions and workshops made of courses, awarded by institutions."""

from collections.abc import Sequence
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from app.accounts.models import Institution
from app.accounts.service import find_institution
from app.core.actors import Actor, require
from app.core.errors import Conflict, Invalid, NotFound
from app.core.i18n import N_
from app.courses import policy
from app.courses.models import Course, MandatoryCourse, Programme, ProgrammeCourse, Status
from app.courses.schemas import ProgrammeCreate


class ProgrammeCodeTaken(Conflict):
    code = "programme_code_taken"
    title = N_("A programme with this code already exists.")


class MandatoryCourseMissing(Invalid):
    code = "mandatory_course_missing"
    title = N_("The programme lacks a course that an awarding institution makes mandatory.")


# Made on first use: making a loader option configures every mapper, work for the first query.
@cache
def _with_links() -> tuple[LoaderOption, ...]:
    return (selectinload(Programme.institutions), selectinload(Programme.courses))


def list_programmes(session: Session, actor: Actor) -> Sequence[Programme]:
    stmt = select(Programme).options(*_with_links()).order_by(Programme.code)
    return session.scalars(stmt.where(policy.listed_programmes(actor))).all()


def programmes_to_manage(session: Session, actor: Actor) -> Sequence[Programme]:
    """Every programme, drafts included, for the managers' page."""
    require(policy.can_manage_programmes(actor))
    return list_programmes(session, actor)


def get_programme(session: Session, actor: Actor, code: str) -> Programme:
    programme = session.scalar(
        select(Programme).where(Programme.code == code).options(*_with_links())
    )
    if programme is None or (
        programme.status is not Status.PUBLISHED
        and not policy.can_manage_programme(actor, _awarding(programme))
    ):
        raise NotFound(N_("No such programme."))
    return programme


def _awarding(programme: Programme) -> list[int]:
    return [institution.id for institution in programme.institutions]


def create_programme(session: Session, actor: Actor, data: ProgrammeCreate) -> Programme:
    require(policy.can_manage_programmes(actor))
    if session.scalar(select(Programme.id).where(Programme.code == data.code)):
        raise ProgrammeCodeTaken(field="code")
    programme = Programme(
        code=data.code,
        kind=data.kind,
        title=data.title,
        languages=list(data.languages),
        eqf_level=data.eqf_level,
        ects=data.ects,
        attendance_hours_required=data.attendance_hours_required,
        outcomes=data.outcomes,
    )
    programme.institutions = [
        find_institution(session, code, field="institutions") for code in data.institutions
    ]
    if not programme.institutions and actor.is_institution_manager and actor.institution_id:
        programme.institutions = [session.get_one(Institution, actor.institution_id)]
    require(policy.can_manage_programme(actor, _awarding(programme)))
    courses = dict(
        session.execute(
            select(Course.code, Course.id).where(Course.code.in_([c.code for c in data.courses]))
        ).all()
    )
    for entry in data.courses:
        if entry.code not in courses:
            raise Invalid(f"No course has the code {entry.code!r}.", field="courses")
    programme.courses = [
        ProgrammeCourse(
            course_id=courses[entry.code],
            semester=entry.semester,
            position=entry.position,
            mandatory=entry.mandatory,
        )
        for entry in data.courses
    ]
    session.add(programme)
    session.flush()
    return programme


def missing_mandatory_courses(session: Session, programme: Programme) -> list[str]:
    """Course codes the awarding institutions require and the programme lacks."""
    institution_ids = [institution.id for institution in programme.institutions]
    required = set(
        session.scalars(
            select(MandatoryCourse.course_code).where(
                MandatoryCourse.institution_id.in_(institution_ids)
            )
        )
    )
    present = set(
        session.scalars(
            select(Course.code)
            .join(ProgrammeCourse, ProgrammeCourse.course_id == Course.id)
            .where(ProgrammeCourse.programme_id == programme.id)
        )
    )
    return sorted(required - present)


def publish_programme(session: Session, actor: Actor, code: str) -> Programme:
    """Publishing is refused while an awarding institution's mandatory course is missing."""
    programme = get_programme(session, actor, code)
    require(policy.can_manage_programme(actor, _awarding(programme)))
    missing = missing_mandatory_courses(session, programme)
    if missing:
        raise MandatoryCourseMissing(
            f"Add the mandatory course(s) {', '.join(missing)} before publishing {programme.code}.",
            field="courses",
        )
    programme.status = Status.PUBLISHED
    return programme


def declare_mandatory_course(
    session: Session, actor: Actor, institution: Institution, course_code: str
) -> None:
    """An institution declares a course every programme it awards must contain."""
    require(policy.can_manage_programme(actor, [institution.id]))
    exists = session.scalar(
        select(MandatoryCourse.id).where(
            MandatoryCourse.institution_id == institution.id,
            MandatoryCourse.course_code == course_code,
        )
    )
    if not exists:
        session.add(MandatoryCourse(institution_id=institution.id, course_code=course_code))
        session.flush()
