"""The survey pages without JavaScript: making a survey (blank or ready-made), the builder's
forms, opening with the public link shown once, answering section by section with earlier
answers carried in hidden fields, the thank-you page; one status for each caller; refused
forms shown again with their message, writing nothing."""

import re
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select

from app.accounts.models import User
from app.surveys.models import Survey, SurveyQuestion, SurveyResponse, SurveySection, SurveyStatus
from app.surveys.service import responding
from tests.accounts.factories import page_csrf
from tests.surveys.factories import World, built_survey, count, sign_in_as

NOON = datetime(2026, 12, 1, 12, tzinfo=UTC)
pytestmark = pytest.mark.time_machine(NOON, tick=False)


def _post(client: TestClient, path: str, data: dict[str, object]) -> Response:
    token = page_csrf(client, "/")
    response: Response = client.post(path, data={**data, "csrf_token": token},
                                     follow_redirects=False)  # fmt: skip
    return response


def _no_script(html: str) -> None:
    assert "<script" not in html


def _as(client: TestClient, user: User | None) -> None:
    client.cookies.clear()
    if user is not None:
        sign_in_as(client, user)


def test_each_caller_gets_the_one_status_it_must(client: TestClient, w: World) -> None:
    built = built_survey(w)
    sid = built.survey.id
    expected = [
        (None, 303, 303), (w.outsider, 404, 404), (w.students[0], 404, 200),
        (w.teacher, 200, 303), (w.other_manager, 404, 404), (w.coordinator, 200, 303),
    ]  # fmt: skip
    for user, build, intro in expected:
        _as(client, user)
        page = client.get(f"/surveys/{sid}/build", follow_redirects=False)
        assert page.status_code == build, (user and user.email, page.text[:200])
        first = client.get(f"/surveys/{sid}", follow_redirects=False)
        assert first.status_code == intro, user and user.email
        if user is None:  # to the sign-in page
            assert first.headers["location"].startswith("/login")


def test_a_teacher_makes_a_survey_from_a_template_and_opens_it(
    client: TestClient, w: World
) -> None:
    _as(client, w.teacher)
    form = client.get("/surveys/new")
    assert form.status_code == 200
    _no_script(form.text)
    assert f'value="course:{w.course.id}"' in form.text
    made = _post(client, "/surveys/new", {
        "title": "Évaluation de fin de cours", "language": "fr",
        "audience": f"course:{w.course.id}", "anonymous": "1",
        "template_key": "course_evaluation"})  # fmt: skip
    assert made.status_code == 303, made.text
    builder = client.get(made.headers["location"])
    assert builder.status_code == 200
    _no_script(builder.text)
    assert "Enseignement" in builder.text
    assert 'lang="fr"' in builder.text
    assert re.search(r'href="/surveys/\d+/results"', builder.text)
    survey = w.db.scalar(select(Survey))
    assert survey is not None
    opened = _post(client, f"/surveys/{survey.id}/open", {})
    assert opened.status_code == 303
    w.db.refresh(survey)
    assert survey.status is SurveyStatus.OPEN


def test_a_refused_new_survey_is_shown_again_and_writes_nothing(
    client: TestClient, w: World
) -> None:
    _as(client, w.teacher)
    refused = _post(client, "/surveys/new", {"title": "", "audience": f"course:{w.course.id}"})
    assert refused.status_code == 400
    assert "This field is required." in refused.text
    assert count(w.db, Survey) == 0


def test_the_builder_adds_sections_and_questions_and_refuses_bad_ones(
    client: TestClient, w: World
) -> None:
    built = built_survey(w, open_it=False)
    sid = built.survey.id
    _as(client, w.teacher)
    assert _post(client, f"/surveys/{sid}/sections", {"title": "Workload"}).status_code == 303
    added = _post(client, f"/surveys/{sid}/sections/{built.second}/questions", {
        "kind": "single", "text": "Too long?", "options": "Yes\nNo", "required": "1",
        "show_if_question_id": str(built.choice), "show_if_options": "2"})  # fmt: skip
    assert added.status_code == 303, added.text
    made = w.db.scalar(select(SurveyQuestion).where(SurveyQuestion.text == "Too long?"))
    assert made is not None
    assert made.show_if_options == [1]
    before = count(w.db, SurveyQuestion)
    refused = _post(client, f"/surveys/{sid}/sections/{built.first}/questions",
                    {"kind": "likert", "text": "Scale", "options": "Only one"})  # fmt: skip
    assert refused.status_code == 400
    assert "A Likert scale has 2 to 11 labels." in refused.text
    assert count(w.db, SurveyQuestion) == before
    assert count(w.db, SurveySection) == 3


def test_the_builder_edits_a_questions_options_and_condition(client: TestClient, w: World) -> None:
    built = built_survey(w, open_it=False)
    sid = built.survey.id
    _as(client, w.teacher)
    page = client.get(f"/surveys/{sid}/build").text
    assert f'id="qo-{built.choice}"' in page  # the options of a choice can be edited
    assert f'id="qc-{built.follow_up}"' in page  # and the condition of a later question

    edited = _post(client, f"/surveys/{sid}/questions/{built.choice}", {
        "text": "Was it useful?", "required": "1", "options": "Yes\nPartly\nNo"})  # fmt: skip
    shifted = _post(client, f"/surveys/{sid}/questions/{built.follow_up}", {
        "text": "Why?", "required": "1", "show_if_question_id": str(built.choice),
        "show_if_options": "2, 3"})  # fmt: skip

    assert (edited.status_code, shifted.status_code) == (303, 303), edited.text
    choice = w.db.get_one(SurveyQuestion, built.choice)
    follow_up = w.db.get_one(SurveyQuestion, built.follow_up)
    w.db.refresh(choice)
    w.db.refresh(follow_up)
    assert (choice.text, choice.options) == ("Was it useful?", ["Yes", "Partly", "No"])
    assert follow_up.show_if_options == [1, 2]


def test_once_answered_a_question_is_reworded_but_its_options_stay(
    client: TestClient, w: World
) -> None:
    built = built_survey(w)
    responding.submit(w.db, w.actor(w.students[0]), built.survey.id, {built.choice: 0})
    sid = built.survey.id
    _as(client, w.teacher)
    choice = w.db.get_one(SurveyQuestion, built.choice)
    kept = "\n".join(choice.options)

    path, wording = f"/surveys/{sid}/questions/{built.choice}", "Was the course useful?"
    reworded = _post(client, path, {"text": wording, "required": "1", "options": kept})
    refused = _post(client, path, {"text": wording, "required": "1", "options": "A\nB"})

    assert reworded.status_code == 303, reworded.text
    assert refused.status_code == 400
    w.db.refresh(choice)
    assert choice.text == "Was the course useful?"
    assert choice.options == kept.split("\n")


def test_answering_section_by_section_without_javascript(client: TestClient, w: World) -> None:
    built = built_survey(w)
    sid = built.survey.id
    _as(client, w.students[0])
    intro = client.get(f"/surveys/{sid}")
    assert intro.status_code == 200
    assert "anonymous" in intro.text
    first = client.get(f"/surveys/{sid}/respond")
    assert first.status_code == 200
    _no_script(first.text)
    assert "<fieldset" in first.text
    assert "<legend>" in first.text
    missing = _post(client, f"/surveys/{sid}/respond?step=1", {})
    assert missing.status_code == 400
    assert "Answer this question." in missing.text
    second = _post(client, f"/surveys/{sid}/respond?step=1", {f"q{built.choice}": "1"})
    assert second.status_code == 200
    assert f'<input type="hidden" name="q{built.choice}" value="1">' in second.text
    assert f'name="q{built.follow_up}"' in second.text  # shown: the answer was "No"
    refused = _post(client, f"/surveys/{sid}/respond?step=2", {f"q{built.choice}": "1"})
    assert refused.status_code == 400
    assert count(w.db, SurveyResponse) == 0
    answers = {f"q{built.choice}": "1", f"q{built.follow_up}": "The videos were slow."}
    done = _post(client, f"/surveys/{sid}/respond?step=2", answers)
    assert done.status_code == 303
    assert done.headers["location"] == f"/surveys/{sid}/thanks"
    assert client.get(done.headers["location"]).status_code == 200
    assert count(w.db, SurveyResponse) == 1
    again = _post(client, f"/surveys/{sid}/respond?step=2", {f"q{built.choice}": "0"})
    assert again.status_code == 409
    assert count(w.db, SurveyResponse) == 1


def test_the_survey_pages_list_what_to_answer_and_what_one_manages(
    client: TestClient, w: World
) -> None:
    built = built_survey(w)
    _as(client, w.students[0])
    mine = client.get("/surveys")
    assert f'href="/surveys/{built.survey.id}"' in mine.text
    assert "/surveys/new" not in mine.text
    _as(client, w.teacher)
    managed = client.get("/surveys")
    assert f'href="/surveys/{built.survey.id}/build"' in managed.text
    assert 'href="/surveys/new"' in managed.text


def test_a_public_link_is_shown_once_and_answered_once_per_browser(
    client: TestClient, w: World
) -> None:
    _as(client, w.coordinator)
    made = _post(client, "/surveys/new", {"title": "Open study", "audience": "public:",
                                          "anonymous": "1"})  # fmt: skip
    assert made.status_code == 303, made.text
    survey = w.db.scalar(select(Survey))
    assert survey is not None
    _post(client, f"/surveys/{survey.id}/sections", {"title": "Only"})
    section = w.db.scalar(select(SurveySection))
    assert section is not None
    _post(client, f"/surveys/{survey.id}/sections/{section.id}/questions",
          {"kind": "rating", "text": "Rate us", "required": "1"})  # fmt: skip
    opened = _post(client, f"/surveys/{survey.id}/open", {})
    assert opened.status_code == 200
    link = re.search(r'value="https?://[^"]+(/s/[^"]+)"', opened.text)
    assert link is not None
    assert link.group(1) not in client.get(f"/surveys/{survey.id}/build").text
    question = w.db.scalar(select(SurveyQuestion))
    assert question is not None
    _as(client, None)
    page = client.get(link.group(1))
    assert page.status_code == 200
    _no_script(page.text)
    done = _post(client, link.group(1), {f"q{question.id}": "9"})
    assert done.status_code == 303
    assert client.get(done.headers["location"]).status_code == 200
    assert client.get(link.group(1)).status_code == 409
    assert _post(client, link.group(1), {f"q{question.id}": "9"}).status_code == 409
    assert count(w.db, SurveyResponse) == 1
    assert client.get("/s/not-a-link").status_code == 404
