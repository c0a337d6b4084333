"""The seeded surveys: the MPHM induction's end-of-course evaluation answered by the demo
students and the resilience workshop's satisfaction study with six paper questionnaires,
open and anonymous; loaded once, with no account added."""

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import cli, seed
from app.accounts.models import User
from app.courses.models import Course
from app.surveys.models import Survey, SurveyAnswer, SurveyResponse, SurveyStatus


@pytest.fixture
def var_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(seed, "VAR_DIR", tmp_path)
    return tmp_path


def _responses(db: Session) -> dict[str, int]:
    rows = db.execute(
        select(Course.code, func.count(SurveyResponse.id))
        .join(Survey, Survey.course_id == Course.id)
        .outerjoin(SurveyResponse, SurveyResponse.survey_id == Survey.id)
        .group_by(Course.code)
    )
    return {str(code): int(number) for code, number in rows}


@pytest.mark.usefixtures("connection", "var_dir")
def test_the_demo_surveys_are_open_anonymous_and_answered_once(db: Session) -> None:
    assert cli.main(["seed", "--demo"]) == 0
    surveys = db.scalars(select(Survey).order_by(Survey.id)).all()
    assert [(s.template_key, s.language) for s in surveys] == [
        ("course_evaluation", "en"), ("health_workforce_satisfaction", "fr")]  # fmt: skip
    assert all(s.status is SurveyStatus.OPEN and s.anonymous for s in surveys)
    assert _responses(db) == {"MPHM-IND": 2, "RES-WS": 6}
    assert db.scalar(select(func.count()).where(SurveyResponse.user_id.is_not(None))) == 0
    professions = db.scalars(select(SurveyResponse.profession).where(
        SurveyResponse.country == "MA"))  # fmt: skip
    assert sorted(set(professions)) == ["civil_servant", "working_professional"]
    assert db.scalar(select(func.count()).select_from(SurveyAnswer))

    users = db.scalar(select(func.count()).select_from(User))
    assert users == len(seed.DEMO_ACCOUNTS)

    assert cli.main(["seed", "--demo"]) == 0

    assert db.scalar(select(func.count()).select_from(Survey)) == 2
    assert _responses(db) == {"MPHM-IND": 2, "RES-WS": 6}
