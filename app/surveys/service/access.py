"""Finding a survey as its caller may see it: to manage it (build, open, close, remind), to read
its results, or to answer it. A survey the caller may not see does not exist for them (404)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.core.actors import Actor
from app.core.db import utcnow
from app.core.errors import Conflict, NotFound
from app.core.i18n import N_
from app.courses.models import Course, programme_institutions
from app.enrolment.models import Cohort
from app.membership.models import CourseRole, Enrolment
from app.membership.policy import reaches_any, reaches_course, reaches_institution
from app.membership.service import active_enrolment, partner_institution_ids
from app.surveys import policy
from app.surveys.models import AudienceKind, Survey, SurveyInvitation
from app.surveys.service.audience import in_audience


class NoSuchSurvey(NotFound):
    code = "no_such_survey"
    title = N_("No such survey.")


class SurveyNotOpen(Conflict):
    code = "survey_not_open"
    title = N_("This survey is not open for answers.")


class AlreadyResponded(Conflict):
    code = "already_responded"
    title = N_("You have already answered this survey.")


def course_roles(session: Session, actor: Actor, course_id: int | None) -> frozenset[CourseRole]:
    """The actor's roles in a course (active enrolments only); none without a course."""
    if course_id is None or actor.user_id is None:
        return frozenset()
    active = active_enrolment(actor.user_id, Enrolment.course_id == course_id)
    return frozenset(session.scalars(select(Enrolment.role).where(active)))


def _reaches_course(session: Session, actor: Actor, course_id: int) -> bool:
    owner = session.scalar(select(Course.institution_id).where(Course.id == course_id))
    return reaches_course(actor, owner, partner_institution_ids(session, course_id))


def _reaches_programme(session: Session, actor: Actor, programme_id: int) -> bool:
    awarding = session.scalars(
        select(programme_institutions.c.institution_id).where(
            programme_institutions.c.programme_id == programme_id
        )
    )
    return reaches_any(actor, list(awarding))


def reaches_target(
    session: Session, actor: Actor, kind: AudienceKind, target_id: int | None,
    institution_id: int | None,
) -> bool:  # fmt: skip
    """Whether a manager's reach covers what a survey is for: the course (run or partnered by
    their institution), the programme (awarded by it), the cohort or the institution (theirs).
    Coordinators reach everything."""
    if not actor.is_confined:
        return True
    if kind is AudienceKind.COURSE and target_id is not None:
        return _reaches_course(session, actor, target_id)
    if kind is AudienceKind.PROGRAMME and target_id is not None:
        return _reaches_programme(session, actor, target_id)
    if kind is AudienceKind.COHORT and target_id is not None:
        cohort = session.get(Cohort, target_id)
        return cohort is not None and reaches_institution(actor, cohort.institution_id)
    return reaches_institution(actor, institution_id)


def target_id(survey: Survey) -> int | None:
    """The course, programme, cohort or institution a survey is for."""
    return {
        AudienceKind.COURSE: survey.course_id,
        AudienceKind.PROGRAMME: survey.programme_id,
        AudienceKind.COHORT: survey.cohort_id,
    }.get(survey.audience_kind, survey.institution_id)


def may_manage(session: Session, actor: Actor, survey: Survey) -> bool:
    roles = course_roles(session, actor, survey.course_id)
    reached = actor.is_manager and reaches_target(
        session, actor, survey.audience_kind, target_id(survey), survey.institution_id
    )
    return policy.can_manage(actor, survey, roles, reached)


def _found(session: Session, actor: Actor, survey_id: int) -> Survey:
    survey = session.get(Survey, survey_id) if not actor.is_partner_client else None
    if survey is None:
        raise NoSuchSurvey()
    return survey


def survey_to_manage(session: Session, actor: Actor, survey_id: int) -> Survey:
    """The survey for its owner, its course's teachers and the managers who reach it."""
    survey = _found(session, actor, survey_id)
    if not may_manage(session, actor, survey):
        raise NoSuchSurvey()
    return survey


def survey_for_results(session: Session, actor: Actor, survey_id: int) -> Survey:
    """The survey for those who may read its results: exactly those who may manage it."""
    survey = _found(session, actor, survey_id)
    roles = course_roles(session, actor, survey.course_id)
    reached = actor.is_manager and reaches_target(
        session, actor, survey.audience_kind, target_id(survey), survey.institution_id
    )
    if not policy.can_read_results(actor, survey, roles, reached):
        raise NoSuchSurvey()
    return survey


@dataclass(frozen=True)
class Answering:
    """A survey its respondent may answer, with the invitation that lets them answer once
    (none for a public link followed without signing in)."""

    survey: Survey
    invitation: SurveyInvitation | None


def _invitation(session: Session, survey: Survey, user_id: int) -> SurveyInvitation:
    """The person's invitation, made now if they joined the audience after the survey opened;
    two first visits at once make one."""
    found = session.scalar(
        select(SurveyInvitation).where(
            SurveyInvitation.survey_id == survey.id, SurveyInvitation.user_id == user_id
        )
    )
    if found is not None:
        return found
    try:
        with session.begin_nested():
            invitation = SurveyInvitation(survey_id=survey.id, user_id=user_id)
            session.add(invitation)
    except IntegrityError:
        return _invitation(session, survey, user_id)
    return invitation


def _require_answerable(
    actor: Actor, answering: Answering, now: datetime, *, for_answer: bool
) -> Answering:
    if not for_answer:
        return answering
    if not policy.can_respond(actor, answering.survey, True, now):
        raise SurveyNotOpen()
    if answering.invitation is not None and answering.invitation.responded:
        raise AlreadyResponded()
    return answering


def survey_to_answer(
    session: Session, actor: Actor, survey_id: int, *, for_answer: bool = True,
    now: datetime | None = None,
) -> Answering:  # fmt: skip
    """The survey for a person of its audience, once opened; with `for_answer`, only while it
    takes answers and they have not answered yet (409 otherwise)."""
    survey = _found(session, actor, survey_id)
    if survey.audience_kind is AudienceKind.PUBLIC or actor.user_id is None:
        raise NoSuchSurvey()
    member = policy.is_person(actor) and in_audience(session, survey, actor.user_id)
    if not policy.can_see_as_respondent(actor, survey, member):
        raise NoSuchSurvey()
    answering = Answering(survey, _invitation(session, survey, actor.user_id))
    return _require_answerable(actor, answering, now or utcnow(), for_answer=for_answer)


def survey_by_link(
    session: Session, actor: Actor, digest: str, *, for_answer: bool = True,
    now: datetime | None = None,
) -> Answering:  # fmt: skip
    """A public survey for whoever holds its link (`digest` is its secret's sha256); a
    signed-in person answers once through their invitation."""
    if actor.is_partner_client:
        raise NoSuchSurvey()
    survey = session.scalar(select(Survey).where(Survey.public_token_digest == digest))
    if survey is None or survey.audience_kind is not AudienceKind.PUBLIC:
        raise NoSuchSurvey()
    invitation = None
    if policy.is_person(actor) and actor.user_id is not None:
        invitation = _invitation(session, survey, actor.user_id)
    return _require_answerable(
        actor, Answering(survey, invitation), now or utcnow(), for_answer=for_answer
    )
