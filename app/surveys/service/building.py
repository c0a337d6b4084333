"""Making a survey: its title, language, audience, anonymity and dates. Who may make one for
which audience is the policy's; the target must exist and lie within the maker's reach. Every
refusal is raised before anything is written."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session

from app.accounts.models import Institution
from app.core.actors import Actor
from app.core.config import Settings
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.core.i18n import N_
from app.courses.models import Course, Programme
from app.enrolment.models import Cohort
from app.surveys import policy
from app.surveys.models import (
    AudienceKind,
    Survey,
    SurveyQuestion,
    SurveyResponse,
    SurveySection,
)
from app.surveys.schemas import SurveyCreate, SurveyUpdate, dates_in_order
from app.surveys.service import templates
from app.surveys.service.access import course_roles, reaches_target, survey_to_manage


class NoSuchAudience(NotFound):
    code = "no_such_audience"
    title = N_("No such course, programme, cohort or institution.")


class SurveyNotDraft(Conflict):
    code = "survey_not_draft"
    title = N_("Only a draft survey can be changed this way.")


class ThresholdTooLow(Invalid):
    code = "min_group_size_too_low"
    title = N_("The smallest group shown may not be below the platform's threshold.")


class BadDates(Invalid):
    code = "invalid_dates"
    title = N_("The closing date must come after the opening date.")


@dataclass(frozen=True)
class Target:
    """The columns a survey's audience sets."""

    course_id: int | None = None
    programme_id: int | None = None
    cohort_id: int | None = None
    institution_id: int | None = None


def _target(session: Session, kind: AudienceKind, target_id: int | None) -> Target:
    model = {
        AudienceKind.COURSE: Course, AudienceKind.PROGRAMME: Programme,
        AudienceKind.COHORT: Cohort, AudienceKind.INSTITUTION_STAFF: Institution,
        AudienceKind.PUBLIC: Institution,
    }[kind]  # fmt: skip
    found = session.get(model, target_id) if target_id is not None else None
    if target_id is not None and found is None:
        raise NoSuchAudience()
    if isinstance(found, Course):
        return Target(course_id=found.id, institution_id=found.institution_id)
    if isinstance(found, Programme):
        return Target(programme_id=found.id)
    if isinstance(found, Cohort):
        return Target(cohort_id=found.id, institution_id=found.institution_id)
    assert found is None or isinstance(found, Institution)
    return Target(institution_id=found.id if found is not None else None)


def _require_threshold(settings: Settings, size: int | None) -> None:
    if size is not None and size < settings.survey_min_group_size:
        raise ThresholdTooLow(field="min_group_size")


def create_survey(session: Session, actor: Actor, settings: Settings, data: SurveyCreate) -> Survey:
    """A draft survey owned by its maker, blank or with a ready-made questionnaire in its
    language. A target out of the maker's reach does not exist for them, nor does any for a
    partner system."""
    if actor.is_partner_client:
        raise NoSuchAudience()
    target = _target(session, data.audience_kind, data.target_id)
    reached = reaches_target(
        session, actor, data.audience_kind, data.target_id, target.institution_id
    )
    if not reached and data.target_id is not None:
        raise NoSuchAudience()
    roles = course_roles(session, actor, target.course_id)
    if not policy.can_create(actor, data.audience_kind, roles, reached):
        raise Forbidden(N_("You may not make a survey for this audience."))
    _require_threshold(settings, data.min_group_size)
    template = templates.find(data.template_key, data.language) if data.template_key else None
    institution_id = target.institution_id
    if institution_id is None and actor.is_confined:
        institution_id = actor.institution_id  # so its institution's managers reach it
    survey = Survey(
        title=data.title, description=data.description, language=data.language,
        template_key=data.template_key, audience_kind=data.audience_kind,
        course_id=target.course_id, programme_id=target.programme_id,
        cohort_id=target.cohort_id, institution_id=institution_id, anonymous=data.anonymous,
        opens_at=data.opens_at, closes_at=data.closes_at, min_group_size=data.min_group_size,
        owner_id=actor.user_id,
    )  # fmt: skip
    session.add(survey)
    session.flush()
    if template is not None:
        templates.fill(session, survey, template)
    return survey


def has_responses(session: Session, survey_id: int) -> bool:
    found = session.scalar(select(exists().where(SurveyResponse.survey_id == survey_id)))
    return found is True


def response_count(session: Session, survey_id: int) -> int:
    counted = select(func.count()).where(SurveyResponse.survey_id == survey_id)
    return session.scalar(counted) or 0


DRAFT_ONLY = frozenset({"language", "anonymous", "min_group_size"})


def update_survey(
    session: Session, actor: Actor, settings: Settings, survey_id: int, data: SurveyUpdate
) -> Survey:
    """Title, description and dates may change at any time; language, anonymity and the
    threshold only while it is a draft (its audience was told, its answers were given)."""
    survey = survey_to_manage(session, actor, survey_id)
    changes = data.model_dump(exclude_unset=True)
    if DRAFT_ONLY & changes.keys() and not policy.can_edit_settings(survey):
        raise SurveyNotDraft()
    if "min_group_size" in changes:
        _require_threshold(settings, changes["min_group_size"])
    opens_at = changes.get("opens_at", survey.opens_at)
    closes_at = changes.get("closes_at", survey.closes_at)
    try:
        dates_in_order(opens_at, closes_at)
    except ValueError as error:
        raise BadDates(field="closes_at") from error
    for name, value in changes.items():
        setattr(survey, name, value)
    session.flush()
    return survey


def delete_survey(session: Session, actor: Actor, survey_id: int) -> None:
    """Only a draft is deleted: an opened survey has told its audience and keeps its answers
    (close it instead)."""
    survey = survey_to_manage(session, actor, survey_id)
    if not policy.can_delete(survey):
        raise SurveyNotDraft()
    session.execute(delete(SurveyQuestion).where(SurveyQuestion.survey_id == survey.id))
    session.execute(delete(SurveySection).where(SurveySection.survey_id == survey.id))
    session.delete(survey)
    session.flush()


@dataclass(frozen=True)
class Outline:
    """A survey's sections in order, each with its questions in order."""

    survey: Survey
    sections: Sequence[tuple[SurveySection, Sequence[SurveyQuestion]]]

    @property
    def questions(self) -> list[SurveyQuestion]:
        return [question for _, questions in self.sections for question in questions]


def outline_of(session: Session, survey: Survey) -> Outline:
    """Two statements whatever the survey's size."""
    sections = session.scalars(
        select(SurveySection)
        .where(SurveySection.survey_id == survey.id)
        .order_by(SurveySection.position)
    ).all()
    questions = session.scalars(
        select(SurveyQuestion)
        .where(SurveyQuestion.survey_id == survey.id)
        .order_by(SurveyQuestion.position)
    ).all()
    by_section: dict[int, list[SurveyQuestion]] = {section.id: [] for section in sections}
    for question in questions:
        by_section[question.section_id].append(question)
    return Outline(survey, [(section, by_section[section.id]) for section in sections])


def outline(session: Session, actor: Actor, survey_id: int) -> Outline:
    """The survey as its builders see it."""
    return outline_of(session, survey_to_manage(session, actor, survey_id))
