"""What the platform records about a project's learners, read in a fixed number of
statements whatever the data: each learner's first enrolment, completions, credits,
scholarships and profile, and the hours of the sessions held. The indicators are computed
from these facts in Python (`indicators`), so a dashboard's statements do not grow with its
targets, terms or breakdowns."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVarTuple

from sqlalchemy import Result, Select, and_, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.courses.models import CourseCompletion, ProgrammeCourse
from app.credits.models import CreditEntry, EntryKind
from app.enrolment.models import LearnerProfile, ProfessionalStatus, ProgrammeEnrolment
from app.membership.models import CourseRole, Enrolment, EnrolmentStatus, Funding
from app.reporting.models import ReportingProgramme, ReportingProject
from app.webinars.models import SessionStatus, Sitting, WebinarSession

Ts = TypeVarTuple("Ts")
PROFESSIONALS = frozenset(
    {ProfessionalStatus.WORKING_PROFESSIONAL, ProfessionalStatus.CIVIL_SERVANT}
)


@dataclass
class Learner:
    user_id: int
    country: str | None
    institution_id: int | None
    professional: bool
    refugee: bool
    # programme id -> the day the learner was first enrolled in one of its courses
    enrolled: dict[int, date] = field(default_factory=dict)
    courses: set[int] = field(default_factory=set)  # the courses they study in
    scholarship: dict[int, date] = field(default_factory=dict)
    completions: dict[int, date] = field(default_factory=dict)  # course id -> completed on
    credits: list[tuple[int, date, Decimal]] = field(default_factory=list)  # course, day, ECTS


@dataclass(frozen=True)
class Held:
    course_id: int
    day: date
    hours: Decimal


@dataclass(frozen=True)
class Facts:
    learners: dict[int, Learner]
    # programme id -> (its courses, the mandatory ones)
    programmes: dict[int, tuple[frozenset[int], frozenset[int]]]
    held: tuple[Held, ...]
    memo: dict[object, Any] = field(default_factory=dict)  # events already computed


def _rows(session: Session, stmt: Select[*Ts]) -> Result[*Ts]:
    """Plain rows, not ORM results: the facts are many and only read."""
    return session.connection().execute(stmt)


def _day(moment: datetime) -> date:
    return moment.date()


def _programme_courses(
    session: Session, project_id: int
) -> dict[int, tuple[frozenset[int], frozenset[int]]]:
    rows = _rows(
        session,
        select(ProgrammeCourse.programme_id, ProgrammeCourse.course_id, ProgrammeCourse.mandatory)
        .join(ReportingProgramme, ReportingProgramme.programme_id == ProgrammeCourse.programme_id)
        .where(ReportingProgramme.project_id == project_id),
    )
    every: dict[int, set[int]] = defaultdict(set)
    mandatory: dict[int, set[int]] = defaultdict(set)
    for programme_id, course_id, is_mandatory in rows:
        every[programme_id].add(course_id)
        if is_mandatory:
            mandatory[programme_id].add(course_id)
    return {
        programme: (frozenset(courses), frozenset(mandatory[programme] or courses))
        for programme, courses in every.items()
    }


def _learners(
    session: Session, project: ReportingProject, institution_id: int | None
) -> dict[int, Learner]:
    stmt = (
        select(
            Enrolment.user_id, Enrolment.course_id, ProgrammeCourse.programme_id,
            Enrolment.created_at,
            Enrolment.funding, Enrolment.funder_name, User.country, User.institution_id,
            LearnerProfile.professional_status, LearnerProfile.refugee,
        )
        .join(ProgrammeCourse, ProgrammeCourse.course_id == Enrolment.course_id)
        .join(ReportingProgramme, ReportingProgramme.programme_id == ProgrammeCourse.programme_id)
        .join(User, User.id == Enrolment.user_id)
        .outerjoin(LearnerProfile, LearnerProfile.user_id == Enrolment.user_id)
        .where(
            ReportingProgramme.project_id == project.id,
            Enrolment.role == CourseRole.STUDENT,
            Enrolment.status != EnrolmentStatus.PENDING,
        )
    )  # fmt: skip
    if institution_id is not None:
        stmt = stmt.where(User.institution_id == institution_id)
    learners: dict[int, Learner] = {}
    for row in _rows(session, stmt):
        (user_id, course_id, programme_id, created_at, funding, funder_name, country, home,
         status, refugee) = row  # fmt: skip
        learner = learners.get(user_id)
        if learner is None:
            learner = learners[user_id] = Learner(
                user_id, country, home, status in PROFESSIONALS, refugee is True
            )
        learner.courses.add(course_id)
        day = _day(created_at)
        _keep_first(learner.enrolled, programme_id, day)
        if _funded_by(project, funding, funder_name):
            _keep_first(learner.scholarship, programme_id, day)
    return learners


def _apply_programme_enrolments(
    session: Session, project: ReportingProject, learners: dict[int, Learner]
) -> None:
    """A learner enrolled in a programme of the project belongs to that programme only, from
    that day, even when its courses are shared with another programme (the LMQS Licence and
    Master share theirs); the others are known by their courses alone."""
    rows = _rows(session,
        select(
            ProgrammeEnrolment.user_id, ProgrammeEnrolment.programme_id,
            ProgrammeEnrolment.created_at, ProgrammeEnrolment.funding,
            ProgrammeEnrolment.funder_name,
        )
        .join(
            ReportingProgramme,
            ReportingProgramme.programme_id == ProgrammeEnrolment.programme_id,
        )
        .where(ReportingProgramme.project_id == project.id)
    )  # fmt: skip
    chosen: dict[int, dict[int, date]] = defaultdict(dict)
    for user_id, programme_id, created_at, funding, funder_name in rows:
        learner = learners.get(user_id)
        if learner is None:
            continue
        _keep_first(chosen[user_id], programme_id, _day(created_at))
        if _funded_by(project, funding, funder_name):
            _keep_first(learner.scholarship, programme_id, _day(created_at))
    for user_id, programmes in chosen.items():
        learner = learners[user_id]
        learner.enrolled = programmes
        learner.scholarship = {p: d for p, d in learner.scholarship.items() if p in programmes}


def _funded_by(project: ReportingProject, funding: Funding, funder_name: str | None) -> bool:
    """A scholarship, from the project's funder when the project names one."""
    funder = project.funder.strip().casefold()
    return funding is Funding.SCHOLARSHIP and (
        not funder or (funder_name or "").strip().casefold() == funder
    )


def _keep_first(days: dict[int, date], key: int, day: date) -> None:
    if key not in days or day < days[key]:
        days[key] = day


def project_courses(project_id: int) -> Select[int]:
    """The ids of the courses of the project's programmes, as a subquery."""
    return (
        select(ProgrammeCourse.course_id)
        .join(ReportingProgramme, ReportingProgramme.programme_id == ProgrammeCourse.programme_id)
        .where(ReportingProgramme.project_id == project_id)
    )


def _add_completions(session: Session, project_id: int, learners: dict[int, Learner]) -> None:
    rows = _rows(
        session,
        select(
            CourseCompletion.user_id, CourseCompletion.course_id, CourseCompletion.completed_at
        ).where(CourseCompletion.course_id.in_(project_courses(project_id))),
    )
    for user_id, course_id, completed_at in rows:
        if user_id in learners:
            learners[user_id].completions[course_id] = _day(completed_at)


def _add_credits(session: Session, project_id: int, learners: dict[int, Learner]) -> None:
    """Credits in force: awards and corrections that nothing supersedes (a revocation
    supersedes what it withdraws and carries none)."""
    later = CreditEntry.__table__.alias("later")
    rows = _rows(
        session,
        select(
            CreditEntry.user_id, CreditEntry.course_id, CreditEntry.awarded_on, CreditEntry.credits
        )
        .outerjoin(later, later.c.supersedes_id == CreditEntry.id)
        .where(
            CreditEntry.course_id.in_(project_courses(project_id)),
            CreditEntry.kind != EntryKind.REVOCATION,
            later.c.id.is_(None),
        ),
    )
    for user_id, course_id, awarded_on, credits in rows:
        if user_id in learners and course_id is not None:
            learners[user_id].credits.append((course_id, awarded_on, Decimal(credits)))


def _held(session: Session, project_id: int, now: datetime) -> tuple[Held, ...]:
    rows = _rows(
        session,
        select(WebinarSession.course_id, Sitting.starts_at, Sitting.ends_at)
        .join(Sitting, Sitting.session_id == WebinarSession.id)
        .where(
            WebinarSession.course_id.in_(project_courses(project_id)),
            WebinarSession.status != SessionStatus.CANCELLED,
            and_(Sitting.ends_at <= now),
        ),
    )
    return tuple(
        Held(course_id, _day(starts), Decimal((ends - starts).total_seconds()) / 3600)
        for course_id, starts, ends in rows
    )


def gather(
    session: Session, project: ReportingProject, now: datetime, institution_id: int | None
) -> Facts:
    """Everything the indicators count, for one project (one institution's learners only,
    when given): six statements."""
    programmes = _programme_courses(session, project.id)
    learners = _learners(session, project, institution_id)
    _apply_programme_enrolments(session, project, learners)
    _add_completions(session, project.id, learners)
    _add_credits(session, project.id, learners)
    return Facts(learners, programmes, _held(session, project.id, now))
