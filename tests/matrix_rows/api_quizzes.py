"""Quizzes and attempts over the API. Settings, questions, overrides and regrading are for the
course's teachers and managers; results and manual marks for its teachers, tutors and
managers; an attempt is its student's (the course's graders read it), anyone else is told it
does not exist. Partner systems never take or set quizzes."""

from tests.quizzes import quiz_world as q
from tests.test_permission_matrix import register

register(
    "get",
    "/api/v1/modules/{module_id}/quiz",
    "401 | 403 404 403 200 | 200 200 | 404 404 | 404 404",
    lambda w: {"module_id": q.quiz_module(w)},
)
register(
    "put",
    "/api/v1/modules/{module_id}/quiz",
    "401 | 403 404 403 200 | 200 200 | 404 404 | 404 404",
    lambda w: {"module_id": q.quiz_module(w), "json": {"time_limit_minutes": 20}},
)
register(
    "get",
    "/api/v1/quizzes/{quiz_id}/slots",
    "401 | 403 404 403 200 | 200 200 | 404 404 | 404 404",
    lambda w: {"quiz_id": q.quiz(w)},
)
register(
    "post",
    "/api/v1/quizzes/{quiz_id}/slots",
    "401 | 403 404 403 201 | 201 201 | 404 404 | 404 404",
    lambda w: {"quiz_id": q.quiz(w), "json": {"category_id": q.category(w), "count": 1}},
)
register(
    "patch",
    "/api/v1/quiz-slots/{slot_id}",
    "401 | 403 404 403 200 | 200 200 | 404 404 | 404 404",
    lambda w: {"slot_id": q.slot(w), "json": {"mark": 2}},
)
register(
    "delete",
    "/api/v1/quiz-slots/{slot_id}",
    "401 | 403 404 403 204 | 204 204 | 404 404 | 404 404",
    lambda w: {"slot_id": q.slot(w)},
)
register(
    "get",
    "/api/v1/quizzes/{quiz_id}/overrides",
    "401 | 403 404 403 200 | 200 200 | 404 404 | 404 404",
    lambda w: {"quiz_id": q.quiz(w)},
)
register(
    "post",
    "/api/v1/quizzes/{quiz_id}/overrides",
    "401 | 403 404 403 201 | 201 201 | 404 404 | 404 404",
    lambda w: {"quiz_id": q.quiz(w), "json": {"group_id": w.group_id, "time_limit_minutes": 30}},
)
register(
    "delete",
    "/api/v1/quiz-overrides/{override_id}",
    "401 | 403 404 403 204 | 204 204 | 404 404 | 404 404",
    lambda w: {"override_id": q.override(w)},
)
register(
    "post",
    "/api/v1/quizzes/{quiz_id}/regrade",
    "401 | 403 404 403 200 | 200 200 | 404 404 | 404 404",
    lambda w: {"quiz_id": q.attempt_quiz(w), "json": {}},
)
register(
    "get",
    "/api/v1/quizzes/{quiz_id}/results",
    "401 | 403 404 200 200 | 200 200 | 404 404 | 404 404",
    lambda w: {"quiz_id": q.attempt_quiz(w)},
)
register(
    "post",
    "/api/v1/quizzes/{quiz_id}/attempts",
    "401 | 201 404 403 403 | 403 403 | 404 404 | 404 404",
    lambda w: {"quiz_id": q.quiz(w)},
)
register(
    "get",
    "/api/v1/attempts/{attempt_id}",
    "401 | 200 404 403 403 | 403 403 | 404 404 | 404 404",
    lambda w: {"attempt_id": q.attempt(w)},
)
register(
    "put",
    "/api/v1/attempts/{attempt_id}/answers",
    "401 | 200 404 403 403 | 403 403 | 404 404 | 404 404",
    lambda w: {
        "attempt_id": q.attempt(w),
        "json": {"page": 1, "answers": [{"slot": 1, "fields": {"answer": "true"}}]},
    },
)
register(
    "post",
    "/api/v1/attempts/{attempt_id}/submit",
    "401 | 200 404 403 403 | 403 403 | 404 404 | 404 404",
    lambda w: {"attempt_id": q.attempt(w)},
)
register(
    "get",
    "/api/v1/attempts/{attempt_id}/review",
    "401 | 200 404 200 200 | 200 200 | 404 404 | 404 404",
    lambda w: {"attempt_id": q.finished_attempt(w)},
)
register(
    "put",
    "/api/v1/attempts/{attempt_id}/slots/{slot}/grade",
    "401 | 403 404 200 200 | 200 200 | 404 404 | 404 404",
    lambda w: {"attempt_id": q.finished_attempt(w), "slot": 1, "json": {"mark": "0.5"}},
)
