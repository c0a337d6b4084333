"""Surveys for the permission matrices, made through the surveys service by the platform
(owner none) on the matrices' course: a draft with one section and one required choice, the
same opened to the course's students, and an opened public survey with its link's secret."""

from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.actors import SYSTEM
from app.core.config import Settings
from app.courses.models import Course
from app.surveys.models import AudienceKind, QuestionKind, SurveyQuestion, SurveySection
from app.surveys.schemas import SurveyCreate, SurveyQuestionCreate, SurveySectionCreate
from app.surveys.service import building, lifecycle, structure


class World(Protocol):
    db: Session
    settings: Settings
    course: Course


def draft(w: World, audience: AudienceKind = AudienceKind.COURSE) -> int:
    target = w.course.id if audience is AudienceKind.COURSE else None
    data = SurveyCreate(title="Evaluation", audience_kind=audience, target_id=target)
    survey = building.create_survey(w.db, SYSTEM, w.settings, data)
    section = structure.add_section(w.db, SYSTEM, survey.id, SurveySectionCreate(title="Teaching"))
    choice = SurveyQuestionCreate(kind=QuestionKind.SINGLE, text="Clear?", options=["Yes", "No"],
                            required=True)  # fmt: skip
    structure.add_question(w.db, SYSTEM, section.id, choice)
    w.db.flush()
    return survey.id


def opened(w: World) -> int:
    survey_id = draft(w)
    lifecycle.open_survey(w.db, SYSTEM, survey_id)
    w.db.flush()
    return survey_id


def public_secret(w: World) -> str:
    survey_id = draft(w, AudienceKind.PUBLIC)
    secret = lifecycle.open_survey(w.db, SYSTEM, survey_id).public_secret
    w.db.flush()
    assert secret is not None
    return secret


def section_of(w: World, survey_id: int) -> int:
    found = w.db.scalar(select(SurveySection.id).where(SurveySection.survey_id == survey_id))
    assert found is not None
    return found


def question_of(w: World, survey_id: int) -> int:
    found = w.db.scalar(select(SurveyQuestion.id).where(SurveyQuestion.survey_id == survey_id))
    assert found is not None
    return found


def question_of_link(w: World, secret: str) -> int:
    from app.core.security import token_digest
    from app.surveys.models import Survey

    found = w.db.scalar(
        select(SurveyQuestion.id)
        .join(Survey, Survey.id == SurveyQuestion.survey_id)
        .where(Survey.public_token_digest == token_digest(secret))
    )
    assert found is not None
    return found
