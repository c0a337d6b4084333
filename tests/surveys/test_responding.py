"""Opening, reminding and answering: the audience invited and told, reminders that skip who
answered, each kind's answers checked, conditions deciding what is required, anonymous
responses that keep no person but still one per person, a double submission stored once,
public links, and the ready-made questionnaires in four languages."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import inspect, select
from time_machine import TimeMachineFixture

from app.accounts.models import Institution
from app.core.actors import ANONYMOUS, Actor
from app.core.errors import Invalid
from app.core.security import token_digest
from app.enrolment.models import LearnerProfile, ProfessionalStatus
from app.membership.models import CourseRole
from app.notifications.models import Notification, NotificationKind
from app.surveys.models import (
    AudienceKind,
    QuestionKind,
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
)
from app.surveys.schemas import SurveyCreate
from app.surveys.service import access, building, lifecycle, responding
from app.surveys.service import templates as ready_made
from app.surveys.service.access import AlreadyResponded, NoSuchSurvey, SurveyNotOpen
from app.surveys.service.lifecycle import SurveyEmpty, SurveyNotOpened
from app.surveys.service.responding import (
    AnswerInvalid,
    AnswerRequired,
    AnswerTooLong,
    NumberOutOfRange,
)
from app.surveys.service.template_texts import TEXTS
from tests.accounts.factories import make_api_client, make_user
from tests.surveys.factories import (
    Built,
    World,
    built_survey,
    count,
    course_survey,
    enrol,
    question,
    section,
)

NOON = datetime(2026, 12, 1, 12, tzinfo=UTC)
pytestmark = pytest.mark.time_machine(NOON, tick=False)


def _notified(w: World, kind: NotificationKind = NotificationKind.SURVEY_OPEN) -> list[int]:
    rows = w.db.scalars(select(Notification.user_id).where(Notification.kind == kind))
    return sorted(rows)


# --- opening and reminding -----------------------------------------------------------------


def test_opening_invites_and_tells_each_active_learner(w: World) -> None:
    dropped = make_user(w.db)
    enrol(w.db, w.course, dropped, CourseRole.STUDENT)
    dropped.is_active = False
    built = built_survey(w, closes_at=NOON + timedelta(days=7))
    learners = sorted(s.id for s in w.students)
    invited = w.db.scalars(select(SurveyInvitation.user_id)).all()
    assert sorted(invited) == learners
    assert _notified(w) == learners
    note = w.db.scalar(select(Notification).limit(1))
    assert note is not None
    assert note.link == f"/surveys/{built.survey.id}"
    assert "Course evaluation" in note.subject
    assert "2026" in note.body
    assert built.survey.opened_at == NOON


def test_an_empty_survey_is_not_opened(w: World) -> None:
    survey = course_survey(w)
    with pytest.raises(SurveyEmpty):
        lifecycle.open_survey(w.db, w.actor(w.teacher), survey.id)
    assert count(w.db, SurveyInvitation) == 0
    assert _notified(w) == []


def test_a_learner_who_joins_after_opening_is_invited_on_first_visit(w: World) -> None:
    built = built_survey(w)
    late = make_user(w.db)
    enrol(w.db, w.course, late, CourseRole.STUDENT)
    answering = access.survey_to_answer(w.db, w.actor(late), built.survey.id)
    assert answering.invitation is not None
    assert answering.invitation.user_id == late.id


def test_reminders_skip_who_answered_and_who_was_reminded_today(
    w: World, time_machine: TimeMachineFixture
) -> None:
    built = built_survey(w)
    first, second, third = w.students
    responding.submit(w.db, w.actor(first), built.survey.id, {built.choice: 0})
    actor = w.actor(w.teacher)
    assert lifecycle.remind(w.db, actor, built.survey.id) == 2
    reminded = _notified(w)
    assert reminded.count(first.id) == 1
    assert reminded.count(second.id) == 2
    time_machine.move_to(NOON + timedelta(hours=23))
    assert lifecycle.remind(w.db, actor, built.survey.id) == 0
    time_machine.move_to(NOON + timedelta(hours=24))
    assert lifecycle.remind(w.db, actor, built.survey.id) == 2
    assert third.id in _notified(w)


def test_reminding_a_draft_or_a_closed_survey_is_refused(w: World) -> None:
    built = built_survey(w, open_it=False)
    with pytest.raises(SurveyNotOpened):
        lifecycle.remind(w.db, w.actor(w.teacher), built.survey.id)
    lifecycle.open_survey(w.db, w.actor(w.teacher), built.survey.id)
    lifecycle.close_survey(w.db, w.actor(w.teacher), built.survey.id)
    with pytest.raises(SurveyNotOpened):
        lifecycle.remind(w.db, w.actor(w.teacher), built.survey.id)


def test_a_closed_survey_takes_no_answer(w: World) -> None:
    built = built_survey(w)
    lifecycle.close_survey(w.db, w.actor(w.teacher), built.survey.id)
    with pytest.raises(SurveyNotOpen):
        responding.submit(w.db, w.actor(w.students[0]), built.survey.id, {built.choice: 0})
    assert count(w.db, SurveyResponse) == 0


def test_answers_are_taken_between_the_dates_only(
    w: World, time_machine: TimeMachineFixture
) -> None:
    built = built_survey(w, opens_at=NOON + timedelta(days=1), closes_at=NOON + timedelta(days=2))
    student = w.actor(w.students[0])
    with pytest.raises(SurveyNotOpen):
        responding.submit(w.db, student, built.survey.id, {built.choice: 0})
    time_machine.move_to(NOON + timedelta(days=2))
    with pytest.raises(SurveyNotOpen):
        responding.submit(w.db, student, built.survey.id, {built.choice: 0})
    time_machine.move_to(NOON + timedelta(days=1, hours=1))
    assert responding.submit(w.db, student, built.survey.id, {built.choice: 0})


# --- who answers ---------------------------------------------------------------------------


def test_a_person_outside_the_audience_finds_no_survey(w: World) -> None:
    built = built_survey(w)
    for user in (w.outsider, w.other_manager, w.teacher):
        with pytest.raises(NoSuchSurvey):
            access.survey_to_answer(w.db, w.actor(user), built.survey.id)
    assert count(w.db, SurveyInvitation) == len(w.students)


def test_a_draft_does_not_exist_for_its_audience(w: World) -> None:
    built = built_survey(w, open_it=False)
    with pytest.raises(NoSuchSurvey):
        access.survey_to_answer(w.db, w.actor(w.students[0]), built.survey.id)


def test_a_partner_client_finds_no_survey(w: World) -> None:
    built = built_survey(w)
    institution = w.db.get(Institution, w.institution.id)
    assert institution is not None
    client = make_api_client(w.db, institution, ["courses:read"])
    partner = Actor(api_client_id=client.id, institution_id=institution.id)
    for find in (access.survey_to_manage, access.survey_for_results):
        with pytest.raises(NoSuchSurvey):
            find(w.db, partner, built.survey.id)
    with pytest.raises(NoSuchSurvey):
        access.survey_to_answer(w.db, partner, built.survey.id)


# --- each kind's answers -------------------------------------------------------------------


def _kinds(w: World) -> tuple[Built, dict[QuestionKind, int]]:
    survey = course_survey(w)
    only = section(w, survey)
    made = {
        kind: question(w, only, kind) for kind in QuestionKind if kind is not QuestionKind.NUMBER
    }
    made[QuestionKind.NUMBER] = question(w, only, QuestionKind.NUMBER, min_value=0, max_value=80)
    lifecycle.open_survey(w.db, w.actor(w.teacher), survey.id)
    return Built(survey, only, only, 0, 0, 0), made


@pytest.mark.parametrize(
    ("kind", "value", "error"),
    [
        (QuestionKind.SINGLE, 3, AnswerInvalid),
        (QuestionKind.SINGLE, "one", AnswerInvalid),
        (QuestionKind.LIKERT, -1, AnswerInvalid),
        (QuestionKind.MULTIPLE, [0, 7], AnswerInvalid),
        (QuestionKind.RATING, 11, AnswerInvalid),
        (QuestionKind.NUMBER, "81", NumberOutOfRange),
        (QuestionKind.NUMBER, "1.2345", AnswerInvalid),
        (QuestionKind.NUMBER, "NaN", AnswerInvalid),
        (QuestionKind.SHORT_TEXT, "x" * 501, AnswerTooLong),
        (QuestionKind.LONG_TEXT, "x" * 5001, AnswerTooLong),
    ],
)
def test_each_kind_refuses_what_it_does_not_take(
    w: World, kind: QuestionKind, value: responding.RawAnswer, error: type[Invalid]
) -> None:
    built, made = _kinds(w)
    with pytest.raises(error) as refused:
        responding.submit(w.db, w.actor(w.students[0]), built.survey.id, {made[kind]: value})
    assert refused.value.field == f"q{made[kind]}"
    assert count(w.db, SurveyResponse) == 0
    invitation = w.db.scalar(
        select(SurveyInvitation).where(SurveyInvitation.user_id == w.students[0].id)
    )
    assert invitation is not None
    assert not invitation.responded


def test_each_kind_stores_its_values(w: World) -> None:
    built, made = _kinds(w)
    answers: dict[int, responding.RawAnswer] = {
        made[QuestionKind.SINGLE]: 1, made[QuestionKind.LIKERT]: "2",
        made[QuestionKind.MULTIPLE]: ["0", "2"], made[QuestionKind.RATING]: 10,
        made[QuestionKind.NUMBER]: "7,5", made[QuestionKind.SHORT_TEXT]: " Vientiane ",
        made[QuestionKind.LONG_TEXT]: "More webinars, please.",
    }  # fmt: skip
    responding.submit(w.db, w.actor(w.students[0]), built.survey.id, answers)
    rows = w.db.execute(
        select(SurveyAnswer.question_id, SurveyAnswer.number, SurveyAnswer.text)
    ).all()
    single, likert, multiple = (made[k] for k in (QuestionKind.SINGLE, QuestionKind.LIKERT,
                                                   QuestionKind.MULTIPLE))  # fmt: skip
    assert {tuple(row) for row in rows} == {
        (single, Decimal(1), None), (likert, Decimal(2), None),
        (multiple, Decimal(0), None), (multiple, Decimal(2), None),
        (made[QuestionKind.RATING], Decimal(10), None),
        (made[QuestionKind.NUMBER], Decimal("7.5"), None),
        (made[QuestionKind.SHORT_TEXT], None, "Vientiane"),
        (made[QuestionKind.LONG_TEXT], None, "More webinars, please."),
    }  # fmt: skip


# --- conditions ----------------------------------------------------------------------------


def test_a_conditional_question_is_required_only_when_shown(w: World) -> None:
    built = built_survey(w)
    first, second = w.students[:2]
    with pytest.raises(AnswerRequired) as refused:
        responding.submit(w.db, w.actor(first), built.survey.id, {built.choice: 1})
    assert refused.value.field == f"q{built.follow_up}"
    responding.submit(
        w.db, w.actor(first), built.survey.id, {built.choice: 1, built.follow_up: "Slow videos"}
    )
    # Not shown (the answer was "Yes"): not required, and an answer sent anyway is dropped.
    responding.submit(
        w.db, w.actor(second), built.survey.id, {built.choice: 0, built.follow_up: "ignored"}
    )
    texts = w.db.scalars(select(SurveyAnswer.text).where(SurveyAnswer.text.is_not(None))).all()
    assert texts == ["Slow videos"]


def test_a_required_question_must_be_answered(w: World) -> None:
    built = built_survey(w)
    with pytest.raises(AnswerRequired):
        responding.submit(w.db, w.actor(w.students[0]), built.survey.id, {built.rating: 5})
    assert count(w.db, SurveyResponse) == 0


def test_each_step_shows_what_the_earlier_answers_leave_shown(w: World) -> None:
    built = built_survey(w)
    outline = building.outline_of(w.db, built.survey)
    assert responding.step_of(outline, {built.choice: ["0"]}, 2).section_questions == []
    shown = responding.step_of(outline, {built.choice: ["1"]}, 2).section_questions
    assert [q.id for q in shown] == [built.follow_up]
    with pytest.raises(AnswerRequired):
        responding.step_of(outline, {}, 1, check_current=True)


# --- anonymity and one response a person ---------------------------------------------------


def test_an_anonymous_response_keeps_no_person_yet_a_second_is_refused(w: World) -> None:
    student = w.students[0]
    student.country = "LA"
    w.db.add(
        LearnerProfile(user_id=student.id, professional_status=ProfessionalStatus.CIVIL_SERVANT)
    )
    built = built_survey(w)
    responding.submit(w.db, w.actor(student), built.survey.id, {built.choice: 0})
    response = w.db.scalar(select(SurveyResponse))
    assert response is not None
    assert response.user_id is None
    assert response.submitted_on == date(2026, 12, 1)
    assert (response.country, response.institution_id, response.profession) == (
        "LA", w.institution.id, "civil_servant")  # fmt: skip
    # No column of the response, nor of its answers, points to a person or a moment.
    columns = {c.key for c in inspect(SurveyResponse).columns} | {
        c.key for c in inspect(SurveyAnswer).columns
    }
    assert not {name for name in columns if name.endswith("_at")}
    tables = (SurveyResponse.__table__, SurveyAnswer.__table__)
    to_people = {fk.parent.name for t in tables for fk in t.foreign_keys
                 if fk.column.table.name == "users"}  # fmt: skip
    assert to_people == {"user_id"}  # the named case only; NULL here
    assert {c.key for c in inspect(SurveyInvitation).columns} == {
        "id", "survey_id", "user_id", "responded", "reminded_at"}  # fmt: skip
    with pytest.raises(AlreadyResponded):
        responding.submit(
            w.db, w.actor(student), built.survey.id, {built.choice: 1, built.follow_up: "x"}
        )
    assert count(w.db, SurveyResponse) == 1


def test_a_named_response_keeps_its_person(w: World) -> None:
    built = built_survey(w, anonymous=False)
    responding.submit(w.db, w.actor(w.students[0]), built.survey.id, {built.choice: 0})
    assert w.db.scalar(select(SurveyResponse.user_id)) == w.students[0].id


def test_of_two_simultaneous_submissions_one_is_stored(w: World) -> None:
    """Both requests read the invitation unanswered; the database decides which claims it."""
    built = built_survey(w)
    student = w.actor(w.students[0])
    first = access.survey_to_answer(w.db, student, built.survey.id)
    second = access.survey_to_answer(w.db, student, built.survey.id)
    assert first.invitation is not None
    assert not first.invitation.responded
    responding._store(w.db, student, first, {built.choice: 0}, NOON)
    # The other request read the invitation unanswered before the first stored its response.
    with pytest.raises(AlreadyResponded):
        responding._store(w.db, student, second, {built.choice: 1, built.follow_up: "x"}, NOON)
    assert count(w.db, SurveyResponse) == 1


# --- public links --------------------------------------------------------------------------


def _public(w: World) -> tuple[str, int, int]:
    coordinator = w.actor(w.coordinator)
    data = SurveyCreate(title="Open study", audience_kind=AudienceKind.PUBLIC)
    survey = building.create_survey(w.db, coordinator, w.settings, data)
    only = section(w, survey, by=w.coordinator)
    choice = question(w, only, QuestionKind.SINGLE, by=w.coordinator, required=True)
    opened = lifecycle.open_survey(w.db, coordinator, survey.id)
    assert opened.public_secret is not None
    assert survey.public_token_digest == token_digest(opened.public_secret)
    return opened.public_secret, survey.id, choice


def test_a_public_link_is_answered_without_signing_in_once_per_browser(w: World) -> None:
    secret, survey_id, choice = _public(w)
    assert count(w.db, SurveyInvitation) == 0
    assert _notified(w) == []
    responding.submit_by_link(w.db, ANONYMOUS, secret, {choice: 0})
    with pytest.raises(AlreadyResponded):
        responding.submit_by_link(w.db, ANONYMOUS, secret, {choice: 0}, answered_in_browser=True)
    person = w.actor(w.students[0])
    responding.submit_by_link(w.db, person, secret, {choice: 1})
    with pytest.raises(AlreadyResponded):
        responding.submit_by_link(w.db, person, secret, {choice: 1})
    users = w.db.scalars(
        select(SurveyResponse.user_id).where(SurveyResponse.survey_id == survey_id)
    )
    assert list(users) == [None, None]


def test_a_wrong_link_finds_no_survey(w: World) -> None:
    _public(w)
    with pytest.raises(NoSuchSurvey):
        responding.submit_by_link(w.db, ANONYMOUS, "not-the-secret", {})


def test_a_public_survey_is_not_found_by_its_number(w: World) -> None:
    _, survey_id, _ = _public(w)
    with pytest.raises(NoSuchSurvey):
        access.survey_to_answer(w.db, w.actor(w.students[0]), survey_id)


# --- templates -----------------------------------------------------------------------------


def test_every_template_is_written_in_the_four_languages() -> None:
    keys = set(TEXTS["en"])
    for language in ready_made.LANGUAGES:
        assert set(TEXTS[language]) == keys, language
    french = " ".join(TEXTS["fr"].values())
    for mark in "?!;:":
        assert f" {mark}" not in french
        assert f"\u00a0{mark}" not in french
    assert "\u202f?" in french
    assert "مؤطِّر" in TEXTS["ar"]["teaching_support"]
    assert "الأساتذة" in TEXTS["ar"]["teaching_clear"]


@pytest.mark.parametrize("language", ready_made.LANGUAGES)
@pytest.mark.parametrize("key", sorted(ready_made.SHAPES))
def test_a_survey_made_from_a_template_is_in_its_language_and_answerable(
    w: World, language: str, key: str
) -> None:
    survey = course_survey(w, template_key=key, language=language)
    outline = building.outline_of(w.db, survey)
    assert (
        outline.sections[0][0].title
        == TEXTS[language][f"section.{ready_made.SHAPES[key].sections[0][0]}"]
    )
    conditional = [q for q in outline.questions if q.show_if_question_id]
    assert len(conditional) == 1
    lifecycle.open_survey(w.db, w.actor(w.teacher), survey.id)
    answers: dict[int, responding.RawAnswer] = {
        q.id: (1 if q.kind is not QuestionKind.LONG_TEXT else "ok")
        for q in outline.questions
        if q.required and not q.show_if_question_id
    }
    responding.submit(w.db, w.actor(w.students[0]), survey.id, answers)
    assert count(w.db, SurveyResponse) == 1


# --- paper questionnaires ------------------------------------------------------------------


def test_a_manager_types_in_a_paper_response_of_an_anonymous_survey_only(w: World) -> None:
    built = built_survey(w)
    attributes = ("MA", w.institution.id, "civil_servant")
    for user in (w.students[0], w.other_manager):
        with pytest.raises(NoSuchSurvey):
            responding.enter_collected(w.db, w.actor(user), built.survey.id, {built.choice: 0})
    made = responding.enter_collected(
        w.db, w.actor(w.teacher), built.survey.id, {built.choice: 0}, attributes=attributes
    )
    assert (made.user_id, made.country, made.profession) == (None, "MA", "civil_servant")
    invitations = w.db.scalars(select(SurveyInvitation.responded)).all()
    assert not any(invitations)
    named = built_survey(w, anonymous=False)
    with pytest.raises(responding.NotAnonymous):
        responding.enter_collected(w.db, w.actor(w.teacher), named.survey.id, {named.choice: 0})
    assert count(w.db, SurveyResponse) == 1
