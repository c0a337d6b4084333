"""Who builds, answers and reads surveys. A course survey is made by the course's teachers or
by managers who reach the course; a programme, cohort, institution-staff or public survey by
managers who reach its programme, cohort or institution (coordinators reach everything,
institution managers their institution's). Whoever may manage a survey reads its results.
People answer the surveys of their audience while they are open. Partner systems take no
part: surveys are between people, and for a partner client none exists."""

from datetime import datetime

from app.core.actors import Actor
from app.membership.models import CourseRole
from app.surveys.models import AudienceKind, Survey, SurveyStatus


def is_person(actor: Actor) -> bool:
    """Only people answer surveys."""
    return actor.user_id is not None and not actor.is_partner_client


def _builder(actor: Actor) -> bool:
    """People, and the platform itself (the seed loader, the command line)."""
    return actor.is_system or is_person(actor)


def can_create(
    actor: Actor, audience_kind: AudienceKind, course_roles: frozenset[CourseRole],
    reaches_target: bool,
) -> bool:  # fmt: skip
    """`course_roles` are the actor's in the survey's course (course surveys only);
    `reaches_target` says whether a manager's reach covers the course, programme, cohort or
    institution the survey is for."""
    if not _builder(actor):
        return False
    if actor.is_system:
        return True
    as_manager = actor.is_manager and reaches_target
    if audience_kind is AudienceKind.COURSE:
        return CourseRole.TEACHER in course_roles or as_manager
    return as_manager


def can_manage(
    actor: Actor, survey: Survey, course_roles: frozenset[CourseRole], reaches_survey: bool
) -> bool:
    """Edit, open, close, remind, delete a draft: its owner, the teachers of its course (for a
    course survey), and managers who reach it."""
    if not _builder(actor):
        return False
    if actor.is_system or (survey.owner_id is not None and survey.owner_id == actor.user_id):
        return True
    if survey.audience_kind is AudienceKind.COURSE and CourseRole.TEACHER in course_roles:
        return True
    return actor.is_manager and reaches_survey


def can_read_results(
    actor: Actor, survey: Survey, course_roles: frozenset[CourseRole], reaches_survey: bool
) -> bool:
    """Exactly those who may manage the survey."""
    return can_manage(actor, survey, course_roles, reaches_survey)


def is_answerable(survey: Survey, now: datetime) -> bool:
    """Open, and between its dates when it has them."""
    if survey.status is not SurveyStatus.OPEN:
        return False
    if survey.opens_at is not None and now < survey.opens_at:
        return False
    return survey.closes_at is None or now < survey.closes_at


def can_see_as_respondent(actor: Actor, survey: Survey, in_audience: bool) -> bool:
    """A survey exists for a person of its audience once it has been opened (a draft is its
    builders' only). A public survey is found through its link only."""
    if not is_person(actor) or survey.status is SurveyStatus.DRAFT:
        return False
    return in_audience and survey.audience_kind is not AudienceKind.PUBLIC


def can_respond(actor: Actor, survey: Survey, in_audience: bool, now: datetime) -> bool:
    """A person of the audience while the survey is answerable. For a public survey, whoever
    holds its link is its audience, signed in or not (`in_audience` then says they hold it)."""
    if actor.is_partner_client or actor.is_system:
        return False
    if survey.audience_kind is not AudienceKind.PUBLIC and not is_person(actor):
        return False
    return in_audience and is_answerable(survey, now)


def can_edit_structure(survey: Survey, has_responses: bool) -> bool:
    """Sections, questions and options change while no response refers to them."""
    return survey.status is not SurveyStatus.CLOSED and not has_responses


def can_edit_settings(survey: Survey) -> bool:
    """Audience, anonymity and language are chosen while it is a draft."""
    return survey.status is SurveyStatus.DRAFT


def can_delete(survey: Survey) -> bool:
    """Only a draft is deleted: an opened survey has told its audience."""
    return survey.status is SurveyStatus.DRAFT
