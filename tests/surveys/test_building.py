"""Building a survey: who may make one for which audience, the shapes questions may take,
conditions on earlier sections only, structure frozen once answered; every refusal writes
nothing."""

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from app.accounts.models import Institution
from app.core.actors import SYSTEM, Actor
from app.core.errors import Forbidden
from app.surveys.models import (
    AudienceKind,
    QuestionKind,
    Survey,
    SurveyQuestion,
    SurveySection,
    SurveyStatus,
)
from app.surveys.schemas import (
    SurveyCreate,
    SurveyQuestionCreate,
    SurveyQuestionUpdate,
    SurveySectionUpdate,
    SurveyUpdate,
)
from app.surveys.service import building, responding, structure
from app.surveys.service.access import NoSuchSurvey
from app.surveys.service.building import NoSuchAudience, SurveyNotDraft, ThresholdTooLow
from app.surveys.service.structure import BadCondition, StructureLocked
from app.surveys.service.templates import UnknownTemplate
from tests.accounts.factories import make_api_client
from tests.surveys.factories import (
    World,
    built_survey,
    count,
    course_survey,
    question,
    section,
)

NOON = datetime(2026, 12, 1, 12, tzinfo=UTC)
pytestmark = pytest.mark.time_machine(NOON, tick=False)


def _create(
    w: World, actor: Actor, kind: AudienceKind, target: int | None, **fields: object
) -> Survey:
    data = SurveyCreate.model_validate(
        {"title": "Evaluation", "audience_kind": kind, "target_id": target, **fields}
    )
    return building.create_survey(w.db, actor, w.settings, data)


def test_a_teacher_makes_a_draft_survey_of_their_course(w: World) -> None:
    survey = course_survey(w)
    assert (survey.status, survey.owner_id, survey.course_id) == (
        SurveyStatus.DRAFT, w.teacher.id, w.course.id)  # fmt: skip
    assert survey.institution_id == w.institution.id


def test_a_student_may_not_make_a_course_survey_and_nothing_is_written(w: World) -> None:
    with pytest.raises(Forbidden):
        _create(w, w.actor(w.students[0]), AudienceKind.COURSE, w.course.id)
    assert count(w.db, Survey) == 0


def test_a_manager_of_another_institution_finds_no_such_course(w: World) -> None:
    with pytest.raises(NoSuchAudience):
        _create(w, w.actor(w.other_manager), AudienceKind.COURSE, w.course.id)
    assert count(w.db, Survey) == 0


def test_managers_make_staff_surveys_of_their_institution_only(w: World) -> None:
    made = _create(w, w.actor(w.manager), AudienceKind.INSTITUTION_STAFF, w.institution.id)
    assert made.institution_id == w.institution.id
    with pytest.raises(NoSuchAudience):
        _create(w, w.actor(w.other_manager), AudienceKind.INSTITUTION_STAFF, w.institution.id)
    with pytest.raises(Forbidden):
        _create(w, w.actor(w.teacher), AudienceKind.INSTITUTION_STAFF, w.institution.id)
    assert count(w.db, Survey) == 1


def test_coordinators_make_public_surveys_which_are_anonymous(w: World) -> None:
    made = _create(w, w.actor(w.coordinator), AudienceKind.PUBLIC, None)
    assert made.anonymous
    assert made.institution_id is None
    with pytest.raises(ValidationError, match="public survey is anonymous"):
        SurveyCreate(title="x", audience_kind=AudienceKind.PUBLIC, anonymous=False)


def test_a_partner_client_finds_no_audience(w: World) -> None:
    client = make_api_client(w.db, w.db.get_one(Institution, w.institution.id), ["courses:read"])
    partner = Actor(api_client_id=client.id, institution_id=w.institution.id)
    with pytest.raises(NoSuchAudience):
        _create(w, partner, AudienceKind.COURSE, w.course.id)


def test_the_threshold_is_never_below_the_platform_setting(w: World) -> None:
    with pytest.raises(ThresholdTooLow):
        course_survey(w, min_group_size=w.settings.survey_min_group_size - 1)
    assert count(w.db, Survey) == 0
    assert course_survey(w, min_group_size=8).min_group_size == 8


def test_closing_before_opening_is_refused() -> None:
    with pytest.raises(ValidationError, match="closing date"):
        SurveyCreate(title="x", audience_kind=AudienceKind.COURSE, target_id=1,
                     opens_at=NOON, closes_at=NOON)  # fmt: skip


def test_an_unknown_template_writes_nothing(w: World) -> None:
    with pytest.raises(UnknownTemplate):
        course_survey(w, template_key="no-such")
    assert count(w.db, Survey) == 0


@pytest.mark.parametrize(
    ("kind", "options"),
    [
        (QuestionKind.LIKERT, ["one"]),
        (QuestionKind.LIKERT, [str(n) for n in range(12)]),
        (QuestionKind.SINGLE, ["only"]),
        (QuestionKind.MULTIPLE, [str(n) for n in range(31)]),
        (QuestionKind.RATING, ["a", "b"]),
        (QuestionKind.SHORT_TEXT, ["a", "b"]),
    ],
)
def test_questions_take_the_options_their_kind_allows(
    kind: QuestionKind, options: list[str]
) -> None:
    with pytest.raises(ValidationError):
        SurveyQuestionCreate(kind=kind, text="Q", options=options)


def test_only_numbers_have_bounds_in_order() -> None:
    with pytest.raises(ValidationError):
        SurveyQuestionCreate(kind=QuestionKind.RATING, text="Q", min_value=1)
    with pytest.raises(ValidationError):
        SurveyQuestionCreate(kind=QuestionKind.NUMBER, text="Q", min_value=5, max_value=1)
    assert SurveyQuestionCreate(kind=QuestionKind.NUMBER, text="Q", min_value=0, max_value=80)


def test_a_condition_must_look_back_at_an_earlier_section(w: World) -> None:
    survey = course_survey(w)
    first, second = section(w, survey), section(w, survey)
    choice = question(w, first, QuestionKind.SINGLE)
    text = question(w, first, QuestionKind.SHORT_TEXT)
    same = question(w, first, QuestionKind.SINGLE)
    before = count(w.db, SurveyQuestion)
    refusals = [
        (first, {"show_if_question_id": same, "show_if_options": [0]}),  # same section
        (second, {"show_if_question_id": text, "show_if_options": [0]}),  # not a choice
        (second, {"show_if_question_id": choice, "show_if_options": [3]}),  # no 4th option
    ]
    for section_id, condition in refusals:
        with pytest.raises(BadCondition):
            question(w, section_id, QuestionKind.LONG_TEXT, **condition)
    assert count(w.db, SurveyQuestion) == before
    made = question(w, second, QuestionKind.LONG_TEXT, show_if_question_id=choice,
                    show_if_options=[1])  # fmt: skip
    assert w.db.get_one(SurveyQuestion, made).show_if_question_id == choice


def test_a_condition_on_a_rating_names_ratings(w: World) -> None:
    survey = course_survey(w)
    first, second = section(w, survey), section(w, survey)
    rating = question(w, first, QuestionKind.RATING)
    assert question(w, second, QuestionKind.SHORT_TEXT, show_if_question_id=rating,
                    show_if_options=[0, 1, 2, 10])  # fmt: skip


def test_moving_a_section_before_the_one_it_depends_on_is_refused(w: World) -> None:
    built = built_survey(w, open_it=False)
    actor = w.actor(w.teacher)
    with pytest.raises(BadCondition):
        structure.update_section(w.db, actor, built.second, SurveySectionUpdate(position=1))
    positions = w.db.scalars(select(SurveySection.id).order_by(SurveySection.position)).all()
    assert positions == [built.first, built.second]


def test_sections_reorder_and_close_up_after_a_delete(w: World) -> None:
    survey = course_survey(w)
    a, b, c = (section(w, survey, title) for title in "ABC")
    actor = w.actor(w.teacher)
    structure.update_section(w.db, actor, c, SurveySectionUpdate(position=1))
    structure.delete_section(w.db, actor, a)
    order = w.db.execute(select(SurveySection.id, SurveySection.position)
                         .order_by(SurveySection.position)).all()  # fmt: skip
    assert [tuple(row) for row in order] == [(c, 1), (b, 2)]


def test_deleting_a_question_frees_those_depending_on_it(w: World) -> None:
    built = built_survey(w, open_it=False)
    structure.delete_question(w.db, w.actor(w.teacher), built.choice)
    follow_up = w.db.get(SurveyQuestion, built.follow_up)
    assert follow_up is not None
    w.db.refresh(follow_up)
    assert (follow_up.show_if_question_id, follow_up.show_if_options) == (None, [])
    rating = w.db.get(SurveyQuestion, built.rating)
    assert rating is not None
    assert rating.position == 1


def test_shortening_a_choice_a_condition_names_is_refused(w: World) -> None:
    built = built_survey(w, open_it=False)
    question(w, built.second, QuestionKind.SHORT_TEXT, show_if_question_id=built.choice,
             show_if_options=[2])  # fmt: skip
    with pytest.raises(BadCondition):
        structure.update_question(w.db, w.actor(w.teacher), built.choice,
                                  SurveyQuestionUpdate(options=["Yes", "No"]))  # fmt: skip
    choice = w.db.get(SurveyQuestion, built.choice)
    assert choice is not None
    assert len(choice.options) == 3


def test_once_answered_the_structure_is_frozen_but_wording_may_change(w: World) -> None:
    built = built_survey(w)
    responding.submit(w.db, w.actor(w.students[0]), built.survey.id, {built.choice: 0})
    actor = w.actor(w.teacher)
    with pytest.raises(StructureLocked):
        question(w, built.first, QuestionKind.SHORT_TEXT)
    with pytest.raises(StructureLocked):
        structure.update_question(
            w.db, actor, built.choice, SurveyQuestionUpdate(options=["A", "B"])
        )
    with pytest.raises(StructureLocked):
        structure.delete_section(w.db, actor, built.second)
    changed = structure.update_question(
        w.db, actor, built.choice, SurveyQuestionUpdate(text="Clear?")
    )
    assert changed.text == "Clear?"
    assert count(w.db, SurveyQuestion) == 3


def test_an_open_survey_keeps_its_anonymity_but_its_dates_may_move(w: World) -> None:
    built = built_survey(w)
    actor = w.actor(w.teacher)
    with pytest.raises(SurveyNotDraft):
        building.update_survey(
            w.db, actor, w.settings, built.survey.id, SurveyUpdate(anonymous=False)
        )
    later = datetime(2026, 12, 20, tzinfo=UTC)
    moved = building.update_survey(
        w.db, actor, w.settings, built.survey.id, SurveyUpdate(closes_at=later)
    )
    assert moved.closes_at == later
    assert moved.anonymous


def test_only_a_draft_is_deleted(w: World) -> None:
    built = built_survey(w)
    with pytest.raises(SurveyNotDraft):
        building.delete_survey(w.db, w.actor(w.teacher), built.survey.id)
    draft = built_survey(w, open_it=False)
    building.delete_survey(w.db, w.actor(w.teacher), draft.survey.id)
    assert count(w.db, Survey) == 1


def test_who_manages_a_survey(w: World) -> None:
    survey = course_survey(w)
    for user in (w.teacher, w.manager, w.coordinator):
        assert building.outline(w.db, w.actor(user), survey.id).survey is survey
    for user in (w.students[0], w.outsider, w.other_manager):
        with pytest.raises(NoSuchSurvey):
            building.outline(w.db, w.actor(user), survey.id)
    assert building.outline(w.db, SYSTEM, survey.id).survey is survey
