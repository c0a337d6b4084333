"""Surveys over the API, for people's own tokens: build a questionnaire, open it to an
audience, remind, and answer. Partner systems take no part: for a partner client no survey
exists (404)."""

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.accounts.deps import SettingsDep, SignedInApiActor
from app.core.db import SessionDep
from app.core.inputs import Id
from app.core.routes import DeferredRoute
from app.surveys.schemas import (
    CollectedResponse,
    Reminded,
    ResponseReceipt,
    ResponseSubmit,
    SectionWithQuestions,
    SurveyCreate,
    SurveyDetail,
    SurveyOpened,
    SurveyQuestionCreate,
    SurveyQuestionRead,
    SurveyQuestionUpdate,
    SurveyRead,
    SurveySectionCreate,
    SurveySectionRead,
    SurveySectionUpdate,
    SurveyToAnswer,
    SurveyUpdate,
    TemplateRead,
)
from app.surveys.service import access, building, lifecycle, listing, responding, structure
from app.surveys.service import templates as ready_made
from app.surveys.service.building import Outline

router = APIRouter(tags=["surveys"], route_class=DeferredRoute)


class SurveyForm(BaseModel):
    """A survey as its respondent answers it: one section after another."""

    id: int
    title: str
    description: str
    language: str
    anonymous: bool
    closes_at: str | None = Field(description="ISO 8601, UTC")
    sections: list[SectionWithQuestions]


def _sections(outline: Outline) -> list[SectionWithQuestions]:
    return [
        SectionWithQuestions(
            **SurveySectionRead.model_validate(section).model_dump(),
            questions=[SurveyQuestionRead.model_validate(q) for q in questions],
        )
        for section, questions in outline.sections
    ]


def _detail(session: SessionDep, outline: Outline) -> SurveyDetail:
    survey = outline.survey
    return SurveyDetail(
        **SurveyRead.model_validate(survey).model_dump(),
        sections=_sections(outline),
        responses=building.response_count(session, survey.id),
    )


def _form(outline: Outline) -> SurveyForm:
    survey = outline.survey
    closes = survey.closes_at.isoformat() if survey.closes_at else None
    return SurveyForm(
        id=survey.id, title=survey.title, description=survey.description,
        language=survey.language, anonymous=survey.anonymous, closes_at=closes,
        sections=_sections(outline),
    )  # fmt: skip


@router.get("/surveys/managed", response_model=list[SurveyRead])
def list_managed(session: SessionDep, actor: SignedInApiActor) -> object:
    """The surveys the caller may build, open and read the results of, newest first."""
    return listing.managed(session, actor)


@router.get("/surveys/invited", response_model=list[SurveyToAnswer])
def list_invited(session: SessionDep, actor: SignedInApiActor) -> list[SurveyToAnswer]:
    """The opened surveys of the caller's audiences, with whether they have answered."""
    return [
        SurveyToAnswer(id=row.survey.id, title=row.survey.title,
                       closes_at=row.survey.closes_at, responded=row.responded)
        for row in listing.to_answer(session, actor)
    ]  # fmt: skip


@router.get("/survey-templates", response_model=list[TemplateRead])
def list_templates(_actor: SignedInApiActor) -> list[TemplateRead]:
    """The ready-made questionnaires, each written in English, French, Russian and Arabic:
    give its `key` as `template_key` and a `language` when creating a survey."""
    return [
        TemplateRead(key=t.shape.key, title=t.title, languages=list(ready_made.LANGUAGES))
        for t in ready_made.available()
    ]


@router.post("/surveys", response_model=SurveyDetail, status_code=201)
def create_survey(
    data: SurveyCreate, session: SessionDep, actor: SignedInApiActor, settings: SettingsDep
) -> SurveyDetail:
    """A draft survey, blank or from a template. A course survey is made by the course's
    teachers or managers; other audiences by managers who reach them. A public survey is
    anonymous."""
    survey = building.create_survey(session, actor, settings, data)
    return _detail(session, building.outline_of(session, survey))


@router.get("/surveys/{survey_id:int}", response_model=SurveyDetail)
def read_survey(survey_id: Id, session: SessionDep, actor: SignedInApiActor) -> SurveyDetail:
    """The survey with its sections and questions, and its number of responses (its
    builders)."""
    return _detail(session, building.outline(session, actor, survey_id))


@router.patch("/surveys/{survey_id:int}", response_model=SurveyRead)
def update_survey(
    survey_id: Id, data: SurveyUpdate, session: SessionDep, actor: SignedInApiActor,
    settings: SettingsDep,
) -> object:  # fmt: skip
    """Title, description and dates at any time; language, anonymity and the smallest group
    shown while a draft (409 `survey_not_draft` after)."""
    return building.update_survey(session, actor, settings, survey_id, data)


@router.delete("/surveys/{survey_id:int}", status_code=204)
def delete_survey(survey_id: Id, session: SessionDep, actor: SignedInApiActor) -> None:
    """Delete a draft; an opened survey is closed instead (409 `survey_not_draft`)."""
    building.delete_survey(session, actor, survey_id)


@router.post("/surveys/{survey_id:int}/sections", response_model=SurveySectionRead, status_code=201)
def add_section(
    survey_id: Id, data: SurveySectionCreate, session: SessionDep, actor: SignedInApiActor
) -> object:
    """A new last section. Refused once the survey has responses (409
    `survey_has_responses`)."""
    return structure.add_section(session, actor, survey_id, data)


@router.patch("/survey-sections/{section_id}", response_model=SurveySectionRead)
def update_section(
    section_id: Id, data: SurveySectionUpdate, session: SessionDep, actor: SignedInApiActor
) -> object:
    """Rename a section, or move it to `position` (while the survey has no responses, and so
    that every condition still looks back at an earlier section)."""
    return structure.update_section(session, actor, section_id, data)


@router.delete("/survey-sections/{section_id}", status_code=204)
def delete_section(section_id: Id, session: SessionDep, actor: SignedInApiActor) -> None:
    """Delete a section and its questions; questions depending on them are shown always."""
    structure.delete_section(session, actor, section_id)


@router.post(
    "/survey-sections/{section_id}/questions", response_model=SurveyQuestionRead, status_code=201
)
def add_question(
    section_id: Id, data: SurveyQuestionCreate, session: SessionDep, actor: SignedInApiActor
) -> object:
    """A new last question of the section: Likert (2–11 labels), single or multiple choice
    (2–30 options), rating 0–10, number (optional bounds), short text (500 characters) or
    long text (5,000). A condition names a choice, Likert or rating question of an earlier
    section."""
    return structure.add_question(session, actor, section_id, data)


@router.patch("/survey-questions/{question_id}", response_model=SurveyQuestionRead)
def update_question(
    question_id: Id, data: SurveyQuestionUpdate, session: SessionDep, actor: SignedInApiActor
) -> object:
    """Reword a question at any time; change its options, bounds, requirement, condition or
    `position` while the survey has no responses."""
    return structure.update_question(session, actor, question_id, data)


@router.delete("/survey-questions/{question_id}", status_code=204)
def delete_question(question_id: Id, session: SessionDep, actor: SignedInApiActor) -> None:
    """Delete a question (while the survey has no responses); questions depending on it are
    shown always."""
    structure.delete_question(session, actor, question_id)


@router.post("/surveys/{survey_id:int}/open", response_model=SurveyOpened)
def open_survey(survey_id: Id, session: SessionDep, actor: SignedInApiActor) -> SurveyOpened:
    """Open the survey: its audience is invited and told. A public survey's `public_link` is
    in this answer only, the first time it opens: keep it."""
    opened = lifecycle.open_survey(session, actor, survey_id)
    return SurveyOpened(
        **SurveyRead.model_validate(opened.survey).model_dump(), public_link=opened.public_link
    )


@router.post("/surveys/{survey_id:int}/close", response_model=SurveyRead)
def close_survey(survey_id: Id, session: SessionDep, actor: SignedInApiActor) -> object:
    """It takes no more answers; its results stay."""
    return lifecycle.close_survey(session, actor, survey_id)


@router.post("/surveys/{survey_id:int}/remind", response_model=Reminded)
def remind(survey_id: Id, session: SessionDep, actor: SignedInApiActor) -> Reminded:
    """Tell again the invited who have not answered and were not reminded in the last 24
    hours."""
    return Reminded(reminded=lifecycle.remind(session, actor, survey_id))


@router.get("/surveys/{survey_id:int}/form", response_model=SurveyForm)
def read_form(survey_id: Id, session: SessionDep, actor: SignedInApiActor) -> SurveyForm:
    """The survey as its respondent answers it (a person of its audience, once opened)."""
    survey = access.survey_to_answer(session, actor, survey_id, for_answer=False).survey
    return _form(building.outline_of(session, survey))


@router.post("/surveys/{survey_id:int}/responses", response_model=ResponseReceipt, status_code=201)
def submit_response(
    survey_id: Id, data: ResponseSubmit, session: SessionDep, actor: SignedInApiActor
) -> ResponseReceipt:
    """Answer the survey, once (a second answer is 409 `already_responded`). Required
    questions must be answered when shown; an answer that breaks its question's rule is 422
    naming it (`q<id>`)."""
    response = responding.submit(session, actor, survey_id, data.answers)
    return ResponseReceipt(survey_id=survey_id, submitted_on=response.submitted_on)


@router.post(
    "/surveys/{survey_id:int}/collected-responses", response_model=ResponseReceipt,
    status_code=201,
)  # fmt: skip
def enter_collected_response(
    survey_id: Id, data: CollectedResponse, session: SessionDep, actor: SignedInApiActor
) -> ResponseReceipt:
    """Type in a response collected outside the platform (a paper questionnaire handed in at
    a workshop), with its country, institution and profession: its managers, for an open
    anonymous survey (409 `survey_not_anonymous` otherwise). It claims no invitation."""
    attributes = responding.attributes_of(
        session, data.country, data.institution_code, data.profession
    )
    response = responding.enter_collected(
        session, actor, survey_id, data.answers, attributes=attributes
    )
    return ResponseReceipt(survey_id=survey_id, submitted_on=response.submitted_on)


routers = [router]
