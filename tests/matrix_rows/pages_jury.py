"""The jury's pages: the course's teacher (the jury's chair here) and managers reach them;
students, outsiders and managers of another institution are told they do not exist (404)."""

from typing import Any

from tests.assignments.jury_factories import MatrixJury, matrix_jury
from tests.test_page_permission_matrix import LOGIN, TEA, World, _n, answers, page

STAFF = answers(LOGIN, 404, 404, 200, 200, 404)
STAFF_WRITES = answers(LOGIN, 404, 404, 303, 303, 404)


def _jury(w: World, **options: bool) -> MatrixJury:
    return matrix_jury(w.db, w.settings, w.course, w.victim_id, w.people[TEA], **options)


def _assignment(w: World, **extra: Any) -> dict[str, Any]:
    return {"assignment_id": _jury(w).assignment_id, **extra}


def _submission(w: World, data: dict[str, str] | None = None, **options: bool) -> dict[str, Any]:
    return {"submission_id": _jury(w, **options).submission_id, **({"data": data} if data else {})}


def _file(w: World) -> dict[str, Any]:
    found = _jury(w)
    return {"submission_id": found.submission_id, "file_id": found.file_id}


page("GET", "/assignments/{assignment_id}/jury", STAFF, _assignment)
page(
    "POST", "/assignments/{assignment_id}/jury", STAFF_WRITES,
    lambda w: _assignment(w, data={"action": "add", "email": f"jury{_n()}@example.org",
                                   "display_name": "Pr. Examiner"}),
)  # fmt: skip
page(
    "POST", "/submissions/{submission_id}/defence", STAFF_WRITES,
    lambda w: _submission(w, {"starts_at": "2026-12-15T10:00", "place": "Rabat"}),
)  # fmt: skip
page("GET", "/submissions/{submission_id}/jury-mark", STAFF, _submission)
page(
    "POST", "/submissions/{submission_id}/jury-mark", answers(LOGIN, 404, 404, 303, 403, 404),
    lambda w: _submission(w, {"points": "12"}),
)  # fmt: skip
page("GET", "/submissions/{submission_id}/jury-files/{file_id}", STAFF, _file)
page("GET", "/submissions/{submission_id}/jury-final", STAFF, _submission)
page(
    "POST", "/submissions/{submission_id}/jury-final", STAFF_WRITES,
    lambda w: _submission(w, {"points": "13", "reason": "Agreed.", "release": "true"},
                          marked=True),
)  # fmt: skip
