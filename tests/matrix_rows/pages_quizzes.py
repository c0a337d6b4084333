"""Quiz pages: settings, questions, overrides and regrading are the course's teachers' and
managers'; results theirs too; an attempt is its student's. Outsiders are told nothing exists."""

from tests.quizzes import quiz_world as q
from tests.test_page_permission_matrix import LOGIN, answers, page

READ = answers(LOGIN, 404, 403, 200, 200, 404)
WRITE = answers(LOGIN, 404, 403, 303, 303, 404)
OWN_READ = answers(LOGIN, 404, 200, 403, 403, 404)
OWN_WRITE = answers(LOGIN, 404, 303, 403, 403, 404)
REVIEW = answers(LOGIN, 404, 200, 200, 200, 404)

page("GET", "/modules/{module_id}/quiz", READ, lambda w: {"module_id": q.quiz_module(w)})
page(
    "POST",
    "/modules/{module_id}/quiz",
    WRITE,
    lambda w: {
        "module_id": q.quiz_module(w),
        "data": {"time_limit_minutes": "20", "max_grade": "10", "questions_per_page": "1"},
    },
)
page(
    "POST",
    "/quizzes/{quiz_id}/questions",
    WRITE,
    lambda w: {"quiz_id": q.quiz(w), "data": {"category_id": str(q.category(w)), "count": "1"}},
)
page(
    "POST", "/quiz-slots/{slot_id}", WRITE, lambda w: {"slot_id": q.slot(w), "data": {"mark": "2"}}
)
page("GET", "/quizzes/{quiz_id}/overrides", WRITE, lambda w: {"quiz_id": q.quiz(w)})
page(
    "POST",
    "/quizzes/{quiz_id}/overrides",
    WRITE,
    lambda w: {"quiz_id": q.quiz(w), "data": {"who": f"group-{w.group_id}", "max_attempts": "3"}},
)
page(
    "POST", "/quiz-overrides/{override_id}/delete", WRITE, lambda w: {"override_id": q.override(w)}
)
page("POST", "/quizzes/{quiz_id}/regrade", WRITE, lambda w: {"quiz_id": q.attempt_quiz(w)})
page("GET", "/quizzes/{quiz_id}/results", READ, lambda w: {"quiz_id": q.attempt_quiz(w)})
page("POST", "/quizzes/{quiz_id}/attempts", OWN_WRITE, lambda w: {"quiz_id": q.quiz(w)})
page("GET", "/attempts/{attempt_id}", OWN_READ, lambda w: {"attempt_id": q.attempt(w)})
page(
    "POST",
    "/attempts/{attempt_id}",
    OWN_WRITE,
    lambda w: {"attempt_id": q.attempt(w), "data": {"page": "1", "s1-answer": "true"}},
)
page("POST", "/attempts/{attempt_id}/submit", OWN_WRITE, lambda w: {"attempt_id": q.attempt(w)})
page(
    "GET", "/attempts/{attempt_id}/review", REVIEW, lambda w: {"attempt_id": q.finished_attempt(w)}
)
page(
    "GET", "/attempts/{attempt_id}/slots/{slot}/grade", READ,
    lambda w: {"attempt_id": q.finished_attempt(w), "slot": 1},
)  # fmt: skip
page(
    "POST", "/attempts/{attempt_id}/slots/{slot}/grade", WRITE,
    lambda w: {"attempt_id": q.finished_attempt(w), "slot": 1, "data": {"mark": "0.5"}},
)  # fmt: skip
