"""Survey pages (building, opening, answering; results are in their own rows). The survey is
a course survey of the matrix's course, made by the platform: its builder's forms answer the
course's teacher and the platform's manager (200, or 303 after a form), and for everyone else
it does not exist (404). Making one is for the teacher and the manager (303); someone not in
the course and the course's student see the course but may not (403); the manager of another
institution does not reach the course (404). The survey's own page leads its builders to the
builder (303) and its respondent — the course's student, the only one of its audience here —
to its first page (200); the answering pages are the student's only. A public survey's link
is answered by anyone holding it, signed in or not."""

from tests.surveys import survey_world as s
from tests.test_page_permission_matrix import LOGIN, answers, everyone, page, signed_in

BUILDERS = answers(LOGIN, 404, 404, 200, 200, 404)
BUILT = answers(LOGIN, 404, 404, 303, 303, 404)
STUDENT = answers(LOGIN, 404, 200, 404, 404, 404)
S = "/surveys/{survey_id}"

page("GET", "/surveys", signed_in(200))
page("GET", "/surveys/new", signed_in(200))
page(
    "POST", "/surveys/new", answers(LOGIN, 403, 403, 303, 303, 404),
    lambda w: {"data": {"title": "Evaluation", "audience": f"course:{w.course.id}",
                        "anonymous": "1"}},
)  # fmt: skip
page("GET", S, answers(LOGIN, 404, 200, 303, 303, 404), lambda w: {"survey_id": s.opened(w)})
page("GET", S + "/build", BUILDERS, lambda w: {"survey_id": s.draft(w)})
page("POST", S + "/settings", BUILT,
     lambda w: {"survey_id": s.draft(w), "data": {"title": "Renamed"}})  # fmt: skip
page("POST", S + "/sections", BUILT,
     lambda w: {"survey_id": s.draft(w), "data": {"title": "Workload"}})  # fmt: skip


def _section(w: s.World) -> dict[str, object]:
    survey_id = s.draft(w)
    return {"survey_id": survey_id, "section_id": s.section_of(w, survey_id)}


def _question(w: s.World) -> dict[str, object]:
    survey_id = s.draft(w)
    return {"survey_id": survey_id, "question_id": s.question_of(w, survey_id)}


page("POST", S + "/sections/{section_id}", BUILT,
     lambda w: {**_section(w), "data": {"title": "Renamed"}})  # fmt: skip
page("POST", S + "/sections/{section_id}/delete", BUILT, _section)
page("POST", S + "/sections/{section_id}/questions", BUILT,
     lambda w: {**_section(w), "data": {"kind": "rating", "text": "Rate the course"}})  # fmt: skip
page("POST", S + "/questions/{question_id}", BUILT,
     lambda w: {**_question(w), "data": {"text": "Clearer?"}})  # fmt: skip
page("POST", S + "/questions/{question_id}/delete", BUILT, _question)
page("POST", S + "/open", BUILT, lambda w: {"survey_id": s.draft(w)})
page("POST", S + "/close", BUILT, lambda w: {"survey_id": s.opened(w)})
page("POST", S + "/remind", BUILT, lambda w: {"survey_id": s.opened(w)})
page("POST", S + "/delete", BUILT, lambda w: {"survey_id": s.draft(w)})
page("GET", S + "/respond", STUDENT, lambda w: {"survey_id": s.opened(w)})


def _answer(w: s.World) -> dict[str, object]:
    survey_id = s.opened(w)
    return {"survey_id": survey_id, "data": {f"q{s.question_of(w, survey_id)}": "0"}}


page("POST", S + "/respond", answers(LOGIN, 404, 303, 404, 404, 404), _answer)
page("GET", S + "/thanks", STUDENT, lambda w: {"survey_id": s.opened(w)})


def _link(w: s.World) -> dict[str, object]:
    secret = s.public_secret(w)
    return {"secret": secret, "data": {f"q{s.question_of_link(w, secret)}": "1"}}


page("GET", "/s/{secret}", everyone(200), _link)
page("POST", "/s/{secret}", everyone(303), _link)
page("GET", "/s/{secret}/thanks", everyone(200), _link)

# Results and their download: those who manage the survey.
page("GET", S + "/results", BUILDERS, lambda w: {"survey_id": s.opened(w)})
page("GET", S + "/results.csv", BUILDERS, lambda w: {"survey_id": s.opened(w)})
