"""Surveys over the API (building, opening, answering; results are in their own rows), for
people's own tokens. The survey is a course survey of the matrix's course, made by the
platform: it is managed by the course's teacher and by the managers who reach the course (the
platform's manager and admin), and does not exist for anyone else (404) — the tutor, who does
not edit the course, included. It is answered by the course's student only. Making one is for
the teacher and the managers (201); the course's other people and people of other courses see
the course but may not (403); partner systems take no part in surveys and the manager of
another institution does not reach the course (404). Everyone signed in has their lists and
the ready-made questionnaires (200; a partner system's lists are empty)."""

from tests.surveys import survey_world as s
from tests.test_permission_matrix import register

EVERYONE = "401 | 200 200 200 200 | 200 200 | 200 200 | 200 200"
MANAGERS = "401 | 404 404 404 {0} | {0} {0} | 404 404 | 404 404"
S = "/api/v1/surveys"

register("get", S + "/managed", EVERYONE, lambda w: {})
register("get", S + "/invited", EVERYONE, lambda w: {})
register("get", "/api/v1/survey-templates", EVERYONE, lambda w: {})
register(
    "post", S, "401 | 403 403 403 201 | 201 201 | 404 404 | 404 404",
    lambda w: {"json": {"title": "Evaluation", "audience_kind": "course",
                        "target_id": w.course.id}},
)  # fmt: skip
register("get", S + "/{survey_id}", MANAGERS.format(200), lambda w: {"survey_id": s.draft(w)})
register(
    "patch", S + "/{survey_id}", MANAGERS.format(200),
    lambda w: {"survey_id": s.draft(w), "json": {"title": "Renamed"}},
)  # fmt: skip
register("delete", S + "/{survey_id}", MANAGERS.format(204), lambda w: {"survey_id": s.draft(w)})
register(
    "post", S + "/{survey_id}/sections", MANAGERS.format(201),
    lambda w: {"survey_id": s.draft(w), "json": {"title": "Workload"}},
)  # fmt: skip


def _section(w: s.World) -> dict[str, object]:
    return {"section_id": s.section_of(w, s.draft(w))}


def _question(w: s.World) -> dict[str, object]:
    return {"question_id": s.question_of(w, s.draft(w))}


SECTION, QUESTION = "/api/v1/survey-sections/{section_id}", "/api/v1/survey-questions/{question_id}"
register("patch", SECTION, MANAGERS.format(200), lambda w: {**_section(w), "json": {"title": "R"}})
register("delete", SECTION, MANAGERS.format(204), _section)
register(
    "post", SECTION + "/questions", MANAGERS.format(201),
    lambda w: {**_section(w), "json": {"kind": "rating", "text": "Rate the course"}},
)  # fmt: skip
register("patch", QUESTION, MANAGERS.format(200), lambda w: {**_question(w), "json": {"text": "Q"}})
register("delete", QUESTION, MANAGERS.format(204), _question)
register("post", S + "/{survey_id}/open", MANAGERS.format(200), lambda w: {"survey_id": s.draft(w)})
register(
    "post", S + "/{survey_id}/close", MANAGERS.format(200), lambda w: {"survey_id": s.opened(w)}
)
register(
    "post", S + "/{survey_id}/remind", MANAGERS.format(200), lambda w: {"survey_id": s.opened(w)}
)  # fmt: skip
ONLY_THE_STUDENT = "401 | {0} 404 404 404 | 404 404 | 404 404 | 404 404"
register("get", S + "/{survey_id}/form", ONLY_THE_STUDENT.format(200),
         lambda w: {"survey_id": s.opened(w)})  # fmt: skip


def _answer(w: s.World) -> dict[str, object]:
    survey_id = s.opened(w)
    return {"survey_id": survey_id, "json": {"answers": {str(s.question_of(w, survey_id)): 0}}}


register("post", S + "/{survey_id}/responses", ONLY_THE_STUDENT.format(201), _answer)

# Results (suppressed while the survey has too few responses; who may read them is the rule
# under test): those who manage the survey.
register("get", S + "/{survey_id}/results", MANAGERS.format(200),
         lambda w: {"survey_id": s.opened(w)})  # fmt: skip
register("get", S + "/{survey_id}/results.csv", MANAGERS.format(200),
         lambda w: {"survey_id": s.opened(w)})  # fmt: skip


def _paper(w: s.World) -> dict[str, object]:
    survey_id = s.opened(w)
    return {"survey_id": survey_id, "json": {"answers": {str(s.question_of(w, survey_id)): 0}}}


register("post", S + "/{survey_id}/collected-responses", MANAGERS.format(201), _paper)
