"""The surveys of a person: those they may answer (invited, or of an audience they joined
since it opened) and those they manage; and what a builder may aim a new survey at."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.orm import Session

from app.accounts.models import Institution
from app.core.actors import Actor
from app.courses.models import Course, Programme, ProgrammeCourse, programme_institutions
from app.enrolment.models import Cohort, CohortMember, ProgrammeEnrolment
from app.membership.models import CourseRole, Enrolment, EnrolmentStatus
from app.membership.policy import in_reached_institution, reached_courses
from app.surveys import policy
from app.surveys.models import AudienceKind, Survey, SurveyInvitation, SurveyStatus
from app.surveys.service.audience import in_audience

LIMIT = 200


def _taught_courses(user_id: int) -> ColumnElement[bool]:
    taught = select(Enrolment.course_id).where(
        Enrolment.user_id == user_id, Enrolment.role == CourseRole.TEACHER,
        Enrolment.status == EnrolmentStatus.ACTIVE,
    )  # fmt: skip
    return Survey.course_id.in_(taught)


def _reached_as_manager(actor: Actor) -> ColumnElement[bool]:
    if not actor.is_manager:
        return false()
    if not actor.is_confined:
        return true()
    awarded = select(programme_institutions.c.programme_id).where(
        programme_institutions.c.institution_id == actor.institution_id
    )
    cohorts = select(Cohort.id).where(Cohort.institution_id == actor.institution_id)
    return or_(
        (Survey.audience_kind == AudienceKind.COURSE) & reached_courses(actor, Survey.course_id),
        (Survey.audience_kind == AudienceKind.PROGRAMME) & Survey.programme_id.in_(awarded),
        (Survey.audience_kind == AudienceKind.COHORT) & Survey.cohort_id.in_(cohorts),
        Survey.audience_kind.in_([AudienceKind.INSTITUTION_STAFF, AudienceKind.PUBLIC])
        & in_reached_institution(actor, Survey.institution_id),
    )


def managed(session: Session, actor: Actor) -> Sequence[Survey]:
    """The surveys the actor may manage, newest first."""
    if not policy.is_person(actor) or actor.user_id is None:
        return []
    mine = or_(
        Survey.owner_id == actor.user_id,
        (Survey.audience_kind == AudienceKind.COURSE) & _taught_courses(actor.user_id),
        _reached_as_manager(actor),
    )
    return session.scalars(
        select(Survey).where(mine).order_by(Survey.created_at.desc(), Survey.id.desc()).limit(LIMIT)
    ).all()


@dataclass(frozen=True)
class ToAnswer:
    survey: Survey
    responded: bool


def _candidates(user_id: int, institution_id: int | None) -> ColumnElement[bool]:
    """Opened surveys whose audience may hold the person (checked exactly afterwards)."""
    courses = select(Enrolment.course_id).where(Enrolment.user_id == user_id)
    programmes = (
        select(ProgrammeEnrolment.programme_id)
        .where(ProgrammeEnrolment.user_id == user_id)
        .union(select(ProgrammeCourse.programme_id).where(ProgrammeCourse.course_id.in_(courses)))
    )
    cohorts = select(CohortMember.cohort_id).where(CohortMember.user_id == user_id)
    return or_(
        Survey.course_id.in_(courses),
        Survey.programme_id.in_(programmes),
        Survey.cohort_id.in_(cohorts),
        (Survey.audience_kind == AudienceKind.INSTITUTION_STAFF)
        & (Survey.institution_id == institution_id),
    )


def to_answer(session: Session, actor: Actor) -> list[ToAnswer]:
    """Opened surveys of the person's audiences, open ones first, with whether they have
    answered. Public surveys are reached through their links only."""
    if not policy.is_person(actor) or actor.user_id is None:
        return []
    opened = Survey.status != SurveyStatus.DRAFT
    not_public = Survey.audience_kind != AudienceKind.PUBLIC
    rows = session.execute(
        select(Survey, SurveyInvitation.responded)
        .outerjoin(
            SurveyInvitation,
            (SurveyInvitation.survey_id == Survey.id) & (SurveyInvitation.user_id == actor.user_id),
        )
        .where(
            opened,
            not_public,
            SurveyInvitation.id.is_not(None) | _candidates(actor.user_id, actor.institution_id),
        )
        .order_by(Survey.status.desc(), Survey.closes_at, Survey.id.desc())
        .limit(LIMIT)
    ).all()
    return [
        ToAnswer(survey, bool(responded))
        for survey, responded in rows
        if responded is not None or in_audience(session, survey, actor.user_id)
    ]


@dataclass(frozen=True)
class Choice:
    kind: AudienceKind
    target_id: int | None
    label: str

    @property
    def value(self) -> str:
        return f"{self.kind.value}:{self.target_id or ''}"


def audience_choices(session: Session, actor: Actor) -> list[Choice]:
    """What the actor may make a survey for: the courses they teach; for managers, the
    courses, programmes, cohorts and institutions they reach, and a public link."""
    if not policy.is_person(actor) or actor.user_id is None:
        return []
    courses = select(Course).order_by(Course.code).limit(LIMIT)
    if actor.is_manager:
        courses = courses.where(reached_courses(actor, Course.id))
    else:
        courses = courses.where(Course.id.in_(select(Enrolment.course_id).where(
            Enrolment.user_id == actor.user_id, Enrolment.role == CourseRole.TEACHER,
            Enrolment.status == EnrolmentStatus.ACTIVE)))  # fmt: skip
    found = [
        Choice(AudienceKind.COURSE, c.id, f"{c.code} — {c.title}") for c in session.scalars(courses)
    ]
    if actor.is_manager:
        found += _manager_choices(session, actor)
    return found


def _manager_choices(session: Session, actor: Actor) -> list[Choice]:
    programmes = select(Programme).order_by(Programme.code).limit(LIMIT)
    if actor.is_confined:
        awarded = select(programme_institutions.c.programme_id).where(
            programme_institutions.c.institution_id == actor.institution_id
        )
        programmes = programmes.where(Programme.id.in_(awarded))
    cohorts = select(Cohort).where(in_reached_institution(actor, Cohort.institution_id))
    institutions = select(Institution).where(in_reached_institution(actor, Institution.id))
    found = [
        Choice(AudienceKind.PROGRAMME, p.id, f"{p.code} — {p.title}")
        for p in session.scalars(programmes)
    ]
    found += [
        Choice(AudienceKind.COHORT, c.id, f"{c.code} — {c.name}")
        for c in session.scalars(cohorts.order_by(Cohort.code).limit(LIMIT))
    ]
    found += [
        Choice(AudienceKind.INSTITUTION_STAFF, i.id, f"{i.code} — {i.name}")
        for i in session.scalars(institutions.order_by(Institution.code).limit(LIMIT))
    ]
    home = actor.institution_id if actor.is_confined else None
    return [*found, Choice(AudienceKind.PUBLIC, home, "public")]
