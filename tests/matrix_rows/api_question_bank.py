"""The question bank's API operations: only the course's teachers and managers reach the bank;
the course's other people and outsiders are told it does not exist (404), partner systems may
never use one (403)."""

import itertools

from tests.quizzes.bank_factories import CAPITAL, make_category, make_question
from tests.test_permission_matrix import World, register

C = "/api/v1/courses/{course_id}"
_unique = itertools.count(1)
READ = "401 | 404 404 404 200 | 200 200 | 403 403 | 404 404"


def _category(w: World) -> int:
    return make_category(w.db, w.course.id, f"C{next(_unique)}").id


def _question(w: World) -> int:
    return make_question(w.db, w.course.id).question.id


QUESTION = {
    "qtype": "multichoice", "name": "New", "text": "Which?", "definition": CAPITAL,
    "tags": ["week-1"],
}  # fmt: skip

register("get", C + "/question-categories", READ, lambda w: {})
register(
    "post",
    C + "/question-categories",
    "401 | 404 404 404 201 | 201 201 | 403 403 | 404 404",
    lambda w: {"json": {"name": f"Fresh {next(_unique)}"}},
)
register(
    "patch",
    "/api/v1/question-categories/{category_id}",
    "401 | 404 404 404 200 | 200 200 | 403 403 | 404 404",
    lambda w: {"category_id": _category(w), "json": {"name": f"Renamed {next(_unique)}"}},
)
register(
    "delete",
    "/api/v1/question-categories/{category_id}",
    "401 | 404 404 404 204 | 204 204 | 403 403 | 404 404",
    lambda w: {"category_id": _category(w)},
)
register("get", C + "/questions", READ, lambda w: {})
register(
    "post",
    C + "/questions",
    "401 | 404 404 404 201 | 201 201 | 403 403 | 404 404",
    lambda w: {"json": QUESTION},
)
register("get", "/api/v1/questions/{question_id}", READ, lambda w: {"question_id": _question(w)})
register(
    "put",
    "/api/v1/questions/{question_id}",
    "401 | 404 404 404 200 | 200 200 | 403 403 | 404 404",
    lambda w: {
        "question_id": _question(w),
        "json": {k: v for k, v in QUESTION.items() if k != "qtype"},
    },
)
register(
    "delete",
    "/api/v1/questions/{question_id}",
    "401 | 404 404 404 200 | 200 200 | 403 403 | 404 404",
    lambda w: {"question_id": _question(w)},
)
register(
    "get", "/api/v1/questions/{question_id}/versions", READ, lambda w: {"question_id": _question(w)}
)
register(
    "post",
    C + "/questions/import",
    "401 | 404 404 404 200 | 200 200 | 403 403 | 404 404",
    lambda w: {"files": {"file": ("q.gift", b"::Mekong:: The Mekong flows through Laos. {T}\n")}},
)
register("get", C + "/questions/export", READ, lambda w: {"params": {"format": "gift"}})
