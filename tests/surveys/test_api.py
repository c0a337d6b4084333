"""The surveys API on the wire: one status for each caller (nobody, a student outside the
audience, a student in it, the teacher, a manager of another institution, a coordinator, a
partner system), problem documents with stable codes, and refusals that write nothing."""

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from app.accounts.models import Institution, User
from app.notifications.models import Notification
from app.surveys.models import Survey, SurveyQuestion, SurveyResponse, SurveySection
from tests.accounts.factories import make_api_client
from tests.surveys.factories import World, built_survey, count, headers_for

NOON = datetime(2026, 12, 1, 12, tzinfo=UTC)
pytestmark = pytest.mark.time_machine(NOON, tick=False)
PROBLEM = "application/problem+json"


def _partner(client: TestClient, w: World) -> dict[str, str]:
    institution = w.db.get(Institution, w.institution.id)
    assert institution is not None
    partner = make_api_client(w.db, institution, ["courses:read", "courses:write"])
    token = client.post(
        "/api/v1/auth/token",
        data={"grant_type": "client_credentials", "client_id": partner.client_id,
              "client_secret": "s3cret-partner-key"},
    ).json()["access_token"]  # fmt: skip
    return {"Authorization": f"Bearer {token}"}


def _callers(client: TestClient, w: World) -> dict[str, dict[str, str]]:
    people: dict[str, User] = {
        "outsider": w.outsider, "student": w.students[0], "teacher": w.teacher,
        "other_manager": w.other_manager, "coordinator": w.coordinator,
    }  # fmt: skip
    found = {name: headers_for(client, user) for name, user in people.items()}
    return {"anonymous": {}, **found, "partner": _partner(client, w)}


MANAGE = {"anonymous": 401, "outsider": 404, "student": 404, "teacher": 200,
          "other_manager": 404, "coordinator": 200, "partner": 404}  # fmt: skip
ANSWER = {"anonymous": 401, "outsider": 404, "student": 200, "teacher": 404,
          "other_manager": 404, "coordinator": 404, "partner": 404}  # fmt: skip


def test_reading_a_survey_and_its_form_answers_each_caller_as_it_must(
    client: TestClient, w: World
) -> None:
    built = built_survey(w)
    callers = _callers(client, w)
    for name, headers in callers.items():
        managed = client.get(f"/api/v1/surveys/{built.survey.id}", headers=headers)
        assert managed.status_code == MANAGE[name], name
        form = client.get(f"/api/v1/surveys/{built.survey.id}/form", headers=headers)
        assert form.status_code == ANSWER[name], name
        if form.status_code == 404:
            assert form.headers["content-type"] == PROBLEM
            assert form.json()["code"] == "no_such_survey"
    body = client.get(f"/api/v1/surveys/{built.survey.id}", headers=callers["teacher"]).json()
    assert [len(s["questions"]) for s in body["sections"]] == [2, 1]


def test_a_student_answers_once(client: TestClient, w: World) -> None:
    built = built_survey(w)
    headers = headers_for(client, w.students[0])
    path = f"/api/v1/surveys/{built.survey.id}/responses"
    missing = client.post(path, headers=headers, json={"answers": {str(built.choice): 1}})
    assert missing.status_code == 422
    assert missing.json()["code"] == "answer_required"
    assert count(w.db, SurveyResponse) == 0
    done = client.post(path, headers=headers, json={"answers": {str(built.choice): 0}})
    assert done.status_code == 201, done.text
    assert done.json() == {"survey_id": built.survey.id, "submitted_on": "2026-12-01"}
    again = client.post(path, headers=headers, json={"answers": {str(built.choice): 0}})
    assert (again.status_code, again.json()["code"]) == (409, "already_responded")
    assert count(w.db, SurveyResponse) == 1
    invited = client.get("/api/v1/surveys/invited", headers=headers).json()
    assert invited == [{"id": built.survey.id, "title": "Course evaluation",
                        "closes_at": None, "responded": True}]  # fmt: skip


def test_creating_and_building_through_the_api(client: TestClient, w: World) -> None:
    headers = headers_for(client, w.teacher)
    made = client.post("/api/v1/surveys", headers=headers, json={
        "title": "Évaluation", "language": "fr", "audience_kind": "course",
        "target_id": w.course.id, "template_key": "course_evaluation"})  # fmt: skip
    assert made.status_code == 201, made.text
    survey = made.json()
    assert survey["sections"][0]["title"] == "Enseignement"
    section = client.post(f"/api/v1/surveys/{survey['id']}/sections", headers=headers,
                          json={"title": "Bonus"})  # fmt: skip
    assert section.status_code == 201
    question = client.post(f"/api/v1/survey-sections/{section.json()['id']}/questions",
                           headers=headers, json={"kind": "number", "text": "Âge ?",
                                                  "min_value": 18, "max_value": 99})  # fmt: skip
    assert question.status_code == 201, question.text
    moved = client.patch(f"/api/v1/survey-sections/{section.json()['id']}", headers=headers,
                         json={"position": 1})  # fmt: skip
    assert moved.status_code == 200
    assert moved.json()["position"] == 1
    opened = client.post(f"/api/v1/surveys/{survey['id']}/open", headers=headers)
    assert opened.status_code == 200
    assert opened.json()["status"] == "open"
    assert opened.json()["public_link"] is None
    assert count(w.db, Notification) == len(w.students)
    again = client.post(f"/api/v1/surveys/{survey['id']}/open", headers=headers)
    assert (again.status_code, again.json()["code"]) == (409, "survey_already_open")
    reminded = client.post(f"/api/v1/surveys/{survey['id']}/remind", headers=headers)
    assert reminded.json() == {"reminded": len(w.students)}
    deleted = client.delete(f"/api/v1/surveys/{survey['id']}", headers=headers)
    assert (deleted.status_code, deleted.json()["code"]) == (409, "survey_not_draft")
    closed = client.post(f"/api/v1/surveys/{survey['id']}/close", headers=headers)
    assert closed.json()["status"] == "closed"


def test_refused_creations_write_nothing(client: TestClient, w: World) -> None:
    cases = [
        (w.students[0], {"audience_kind": "course", "target_id": w.course.id}, 403),
        (w.other_manager, {"audience_kind": "course", "target_id": w.course.id}, 404),
        (w.teacher, {"audience_kind": "course", "target_id": 99999}, 404),
        (w.coordinator, {"audience_kind": "public", "anonymous": False}, 422),
        (
            w.teacher,
            {"audience_kind": "course", "target_id": w.course.id, "min_group_size": 2},
            422,
        ),
        (w.teacher, {"audience_kind": "course", "target_id": w.course.id, "owner_id": 1}, 422),
    ]
    for user, body, status in cases:
        response = client.post("/api/v1/surveys", headers=headers_for(client, user),
                               json={"title": "Evaluation", **body})  # fmt: skip
        assert response.status_code == status, (body, response.text)
    partner = client.post("/api/v1/surveys", headers=_partner(client, w), json={
        "title": "x", "audience_kind": "course", "target_id": w.course.id})  # fmt: skip
    assert partner.status_code == 404
    assert count(w.db, Survey) == 0


def test_a_refused_question_writes_nothing(client: TestClient, w: World) -> None:
    built = built_survey(w, open_it=False)
    headers = headers_for(client, w.teacher)
    before = count(w.db, SurveyQuestion), count(w.db, SurveySection)
    bad = [
        {"kind": "likert", "text": "Scale", "options": ["only one"]},
        {"kind": "long_text", "text": "Why?", "show_if_question_id": built.follow_up,
         "show_if_options": [0]},
        {"kind": "short_text", "text": "Same section", "show_if_question_id": built.choice,
         "show_if_options": [0]},
    ]  # fmt: skip
    for body in bad:
        response = client.post(f"/api/v1/survey-sections/{built.first}/questions",
                               headers=headers, json=body)  # fmt: skip
        assert response.status_code == 422, body
    stranger = client.post(f"/api/v1/survey-sections/{built.first}/questions",
                           headers=headers_for(client, w.other_manager),
                           json={"kind": "rating", "text": "Rate"})  # fmt: skip
    assert (stranger.status_code, stranger.json()["code"]) == (404, "no_such_section")
    assert (count(w.db, SurveyQuestion), count(w.db, SurveySection)) == before


def test_a_public_link_is_shown_once(client: TestClient, w: World) -> None:
    headers = headers_for(client, w.coordinator)
    made = client.post("/api/v1/surveys", headers=headers,
                       json={"title": "Open study", "audience_kind": "public"}).json()  # fmt: skip
    section = client.post(f"/api/v1/surveys/{made['id']}/sections", headers=headers,
                          json={"title": "Only"}).json()  # fmt: skip
    client.post(f"/api/v1/survey-sections/{section['id']}/questions", headers=headers,
                json={"kind": "rating", "text": "Rate us"})  # fmt: skip
    opened = client.post(f"/api/v1/surveys/{made['id']}/open", headers=headers).json()
    assert opened["public_link"].startswith("/s/")
    secret = opened["public_link"].removeprefix("/s/")
    stored = w.db.get(Survey, made["id"])
    assert stored is not None
    assert secret not in (stored.public_token_digest or "")
    detail = client.get(f"/api/v1/surveys/{made['id']}", headers=headers).text
    assert secret not in detail


def test_the_lists_of_a_teacher_and_of_a_partner(client: TestClient, w: World) -> None:
    built = built_survey(w)
    managed = client.get("/api/v1/surveys/managed", headers=headers_for(client, w.teacher))
    assert [s["id"] for s in managed.json()] == [built.survey.id]
    other = client.get("/api/v1/surveys/managed", headers=headers_for(client, w.other_manager))
    assert other.json() == []
    partner = client.get("/api/v1/surveys/managed", headers=_partner(client, w))
    assert partner.json() == []
    templates = client.get("/api/v1/survey-templates", headers=headers_for(client, w.teacher))
    assert {t["key"] for t in templates.json()} == {
        "course_evaluation",
        "health_workforce_satisfaction",
    }


def test_a_manager_types_in_a_paper_questionnaire_with_its_attributes(
    client: TestClient, w: World
) -> None:
    built = built_survey(w)
    path = f"/api/v1/surveys/{built.survey.id}/collected-responses"
    paper = {"answers": {str(built.choice): 0}, "country": "MA",
             "institution_code": w.institution.code, "profession": "civil_servant"}  # fmt: skip

    refused = {name: client.post(path, headers=headers, json=paper).status_code
               for name, headers in _callers(client, w).items()
               if name not in ("teacher", "coordinator")}  # fmt: skip
    assert refused == {"anonymous": 401, "outsider": 404, "student": 404,
                       "other_manager": 404, "partner": 404}  # fmt: skip
    teacher = headers_for(client, w.teacher)
    unknown = client.post(path, headers=teacher, json={**paper, "institution_code": "NOPE"})
    assert (unknown.status_code, unknown.json()["code"]) == (422, "invalid")
    assert count(w.db, SurveyResponse) == 0

    typed = client.post(path, headers=teacher, json=paper)

    assert typed.status_code == 201, typed.text
    [response] = w.db.query(SurveyResponse).all()
    assert (response.user_id, response.country, response.institution_id, response.profession) == (
        None, "MA", w.institution.id, "civil_servant")  # fmt: skip


def test_a_named_survey_takes_no_paper_questionnaire(client: TestClient, w: World) -> None:
    built = built_survey(w, anonymous=False)
    typed = client.post(
        f"/api/v1/surveys/{built.survey.id}/collected-responses",
        headers=headers_for(client, w.teacher), json={"answers": {str(built.choice): 0}},
    )  # fmt: skip
    assert (typed.status_code, typed.json()["code"]) == (409, "survey_not_anonymous")
    assert count(w.db, SurveyResponse) == 0
