"""A survey's sections and questions. The respondent answers section by section, so a
question is shown on a condition only about a question of an earlier section: no script is
needed to show or hide it. Once a survey has responses its structure stays as it was answered
(text may still be corrected)."""

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from app.core.actors import Actor
from app.core.errors import Conflict, Invalid, NotFound
from app.core.i18n import N_
from app.surveys import policy
from app.surveys.models import QuestionKind, Survey, SurveyQuestion, SurveySection
from app.surveys.schemas import (
    CONDITION_KINDS,
    RATING_MAX,
    SurveyQuestionCreate,
    SurveyQuestionUpdate,
    SurveySectionCreate,
    SurveySectionUpdate,
)
from app.surveys.service.access import survey_to_manage
from app.surveys.service.building import has_responses, outline_of

REWORDING = frozenset({"text", "help_text", "title", "description"})


class StructureLocked(Conflict):
    code = "survey_has_responses"
    title = N_("This survey has responses: its questions and options can no longer change.")


class NoSuchSection(NotFound):
    code = "no_such_section"
    title = N_("No such section.")


class NoSuchQuestion(NotFound):
    code = "no_such_question"
    title = N_("No such question.")


class BadCondition(Invalid):
    code = "invalid_condition"
    title = N_(
        "A question can depend only on a choice, Likert or rating question of an earlier "
        "section, and on answers it has."
    )


def _require_structure(session: Session, survey: Survey, changes: set[str] | None = None) -> None:
    if changes is not None and changes <= REWORDING:
        return  # correcting a word changes nothing that was answered
    if not policy.can_edit_structure(survey, has_responses(session, survey.id)):
        raise StructureLocked()


def _section(session: Session, actor: Actor, section_id: int) -> tuple[Survey, SurveySection]:
    section = session.get(SurveySection, section_id)
    if section is None:
        raise NoSuchSection()
    try:
        return survey_to_manage(session, actor, section.survey_id), section
    except NotFound:
        raise NoSuchSection() from None


def _question(session: Session, actor: Actor, question_id: int) -> tuple[Survey, SurveyQuestion]:
    question = session.get(SurveyQuestion, question_id)
    if question is None:
        raise NoSuchQuestion()
    try:
        return survey_to_manage(session, actor, question.survey_id), question
    except NotFound:
        raise NoSuchQuestion() from None


def _renumber(session: Session, rows: Sequence[SurveySection | SurveyQuestion]) -> None:
    """Positions 1, 2, … in the given order; through negative ones first, so that the unique
    position is never held twice on the way."""
    for index, row in enumerate(rows, start=1):
        row.position = -index
    session.flush()
    for row in rows:
        row.position = -row.position
    session.flush()


def _moved(rows: Sequence[Any], row: Any, position: int) -> list[Any]:
    others = [other for other in rows if other is not row]
    at = min(max(position, 1), len(rows)) - 1
    return [*others[:at], row, *others[at:]]


# --- sections ------------------------------------------------------------------------------


def add_section(
    session: Session, actor: Actor, survey_id: int, data: SurveySectionCreate
) -> SurveySection:
    """A new last section."""
    survey = survey_to_manage(session, actor, survey_id)
    _require_structure(session, survey)
    last = select(func.max(SurveySection.position)).where(SurveySection.survey_id == survey.id)
    section = SurveySection(
        survey_id=survey.id, position=(session.scalar(last) or 0) + 1,
        title=data.title, description=data.description,
    )  # fmt: skip
    session.add(section)
    session.flush()
    return section


def _check_order(session: Session, survey: Survey, order: Sequence[SurveySection]) -> None:
    """Every condition still refers to an earlier section in the new order."""
    rank = {section.id: index for index, section in enumerate(order)}
    questions = outline_of(session, survey).questions
    section_of = {question.id: question.section_id for question in questions}
    for question in questions:
        source = question.show_if_question_id
        if source is not None and rank[section_of[source]] >= rank[question.section_id]:
            raise BadCondition(field="position")


def update_section(
    session: Session, actor: Actor, section_id: int, data: SurveySectionUpdate
) -> SurveySection:
    """Rename it at any time; move it (a structural change) while the survey has no answers
    and its conditions still look back."""
    survey, section = _section(session, actor, section_id)
    changes = data.model_dump(exclude_unset=True)
    _require_structure(session, survey, set(changes))
    position = changes.pop("position", None)
    order = None
    if position is not None:
        sections = [s for s, _ in outline_of(session, survey).sections]
        order = _moved(sections, section, position)
        _check_order(session, survey, order)
    for name, value in changes.items():
        setattr(section, name, value)
    if order is not None:
        _renumber(session, order)
    session.flush()
    return section


def _clear_conditions_on(session: Session, question_ids: Sequence[int]) -> None:
    """Questions that depended on deleted ones are shown always."""
    session.execute(
        update(SurveyQuestion)
        .where(SurveyQuestion.show_if_question_id.in_(question_ids))
        .values(show_if_question_id=None, show_if_options=[])
        .execution_options(synchronize_session="fetch")
    )


def delete_section(session: Session, actor: Actor, section_id: int) -> None:
    """The section and its questions; the others close up."""
    survey, section = _section(session, actor, section_id)
    _require_structure(session, survey)
    gone = list(session.scalars(select(SurveyQuestion.id).where(
        SurveyQuestion.section_id == section.id)))  # fmt: skip
    _clear_conditions_on(session, gone)
    session.execute(delete(SurveyQuestion).where(SurveyQuestion.section_id == section.id))
    session.delete(section)
    session.flush()
    _renumber(session, [s for s, _ in outline_of(session, survey).sections])


# --- questions -----------------------------------------------------------------------------


def _check_condition(
    session: Session, survey: Survey, section: SurveySection, data: SurveyQuestionCreate
) -> None:
    if data.show_if_question_id is None:
        return
    source = session.get(SurveyQuestion, data.show_if_question_id)
    source_section = session.get(SurveySection, source.section_id) if source else None
    if (
        source is None
        or source_section is None
        or source.survey_id != survey.id
        or source.kind not in CONDITION_KINDS
        or source_section.position >= section.position
    ):
        raise BadCondition(field="show_if_question_id")
    choices = RATING_MAX + 1 if source.kind is QuestionKind.RATING else len(source.options)
    if any(index >= choices for index in data.show_if_options):
        raise BadCondition(field="show_if_options")


def add_question(
    session: Session, actor: Actor, section_id: int, data: SurveyQuestionCreate
) -> SurveyQuestion:
    """A new last question of the section."""
    survey, section = _section(session, actor, section_id)
    _require_structure(session, survey)
    _check_condition(session, survey, section, data)
    last = select(func.max(SurveyQuestion.position)).where(SurveyQuestion.section_id == section.id)
    question = SurveyQuestion(
        survey_id=survey.id,
        section_id=section.id,
        position=(session.scalar(last) or 0) + 1,
        **data.model_dump(),
    )
    session.add(question)
    session.flush()
    return question


def _merged(question: SurveyQuestion, changes: dict[str, Any]) -> SurveyQuestionCreate:
    current = {name: getattr(question, name) for name in SurveyQuestionCreate.model_fields}
    try:
        return SurveyQuestionCreate.model_validate({**current, **changes})
    except ValidationError as error:
        raise Invalid(str(error.errors()[0]["msg"]), field="options") from error


def _check_dependants(session: Session, question: SurveyQuestion, options: int) -> None:
    """Shortening a choice leaves no condition on an option that is gone."""
    if question.kind is QuestionKind.RATING:
        return
    dependants = session.scalars(
        select(SurveyQuestion).where(SurveyQuestion.show_if_question_id == question.id)
    )
    if any(index >= options for dep in dependants for index in dep.show_if_options):
        raise BadCondition(field="options")


def update_question(
    session: Session, actor: Actor, question_id: int, data: SurveyQuestionUpdate
) -> SurveyQuestion:
    """Its wording at any time; its options, bounds, requirement, condition and place while
    the survey has no answers. The result obeys the rules of a new question."""
    survey, question = _question(session, actor, question_id)
    given = data.model_dump(exclude_unset=True)
    # A form gives every field again: a value left as it was is no change.
    changes = {name: value for name, value in given.items()
               if name == "position" or getattr(question, name) != value}  # fmt: skip
    _require_structure(session, survey, set(changes))
    position = changes.pop("position", None)
    merged = _merged(question, changes)
    section = session.get(SurveySection, question.section_id)
    assert section is not None
    _check_condition(session, survey, section, merged)
    _check_dependants(session, question, len(merged.options))
    for name, value in changes.items():
        setattr(question, name, value)
    if position is not None:
        siblings = outline_of(session, survey).sections
        rows = next(qs for s, qs in siblings if s.id == section.id)
        _renumber(session, _moved(rows, question, position))
    session.flush()
    return question


def delete_question(session: Session, actor: Actor, question_id: int) -> None:
    """The question; those depending on it are shown always; the others close up."""
    survey, question = _question(session, actor, question_id)
    _require_structure(session, survey)
    section_id = question.section_id
    _clear_conditions_on(session, [question.id])
    session.delete(question)
    session.flush()
    rows = next(qs for s, qs in outline_of(session, survey).sections if s.id == section_id)
    _renumber(session, rows)
