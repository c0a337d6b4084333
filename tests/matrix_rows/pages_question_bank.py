"""The question bank's pages: the course's teachers and managers only; everyone else signed in
is told the bank does not exist (404), visitors are sent to sign in."""

import itertools

from tests.quizzes.bank_factories import make_category, make_question
from tests.test_page_permission_matrix import LOGIN, World, answers, page

_unique = itertools.count(1)
READ = answers(LOGIN, 404, 404, 200, 200, 404)
WRITE = answers(LOGIN, 404, 404, 303, 303, 404)
FORM = {
    "qtype": "truefalse", "name": "Statement", "text": "The Mekong flows through Laos.",
    "answer": "true", "default_mark": "1",
}  # fmt: skip


def _question(w: World) -> int:
    return make_question(w.db, w.course.id).question.id


def _category(w: World) -> int:
    return make_category(w.db, w.course.id, f"Matrix {next(_unique)}").id


page("GET", "/courses/{code}/questions", READ)
page("GET", "/courses/{code}/questions/new", READ)
page("POST", "/courses/{code}/questions/new", WRITE, lambda w: {"data": FORM})
page("GET", "/questions/{question_id}/edit", READ, lambda w: {"question_id": _question(w)})
page(
    "POST", "/questions/{question_id}/edit", WRITE,
    lambda w: {"question_id": _question(w), "data": {**FORM, "qtype": "multichoice",
               "choice-0-text": "Yes", "choice-0-grade": "100", "choice-1-text": "No"}},
)  # fmt: skip
page("GET", "/questions/{question_id}/preview", READ, lambda w: {"question_id": _question(w)})
page("POST", "/questions/{question_id}/retire", WRITE, lambda w: {"question_id": _question(w)})
page(
    "POST", "/questions/{question_id}/tags", WRITE,
    lambda w: {"question_id": _question(w), "data": {"tag": "revision"}},
)  # fmt: skip
page(
    "POST", "/questions/{question_id}/tags/remove", WRITE,
    lambda w: {"question_id": _question(w), "data": {"tag": "revision"}},
)  # fmt: skip
page(
    "POST", "/questions/{question_id}/move", WRITE,
    lambda w: {"question_id": _question(w), "data": {"category_id": str(_category(w))}},
)  # fmt: skip
page("GET", "/courses/{code}/question-categories", READ)
page(
    "POST", "/courses/{code}/question-categories", WRITE,
    lambda w: {"data": {"name": f"New {next(_unique)}"}},
)  # fmt: skip
page(
    "POST", "/question-categories/{category_id}", WRITE,
    lambda w: {"category_id": _category(w), "data": {"name": f"Renamed {next(_unique)}"}},
)  # fmt: skip
page(
    "POST",
    "/question-categories/{category_id}/delete",
    WRITE,
    lambda w: {"category_id": _category(w)},
)
page("GET", "/courses/{code}/questions/import", READ)
page(
    "POST", "/courses/{code}/questions/import", answers(LOGIN, 404, 404, 200, 200, 404),
    lambda w: {"files": {"file": ("q.gift", b"::Mekong:: The Mekong flows through Laos. {T}\n")}},
)  # fmt: skip
page("GET", "/courses/{code}/questions/export", READ)
