"""Marking's pages: the course's teacher and managers reach them; a student of the course sees
the assignment but may not mark it (403) and is told no other learner's attempt exists (404);
outsiders and managers of another institution are told nothing exists (404)."""

from typing import Any

from tests.assignments.marking_matrix import MatrixMarking, matrix_marking
from tests.test_page_permission_matrix import LOGIN, World, answers, page

READ = answers(LOGIN, 404, 403, 200, 200, 404)
WRITE = answers(LOGIN, 404, 403, 303, 303, 404)
ATTEMPT_READ = answers(LOGIN, 404, 404, 200, 200, 404)
ATTEMPT_WRITE = answers(LOGIN, 404, 404, 303, 303, 404)
SHEET = "identifier,name,status,grade,feedback,version\n"


def _make(w: World, **options: Any) -> MatrixMarking:
    return matrix_marking(w.db, w.settings, w.course, w.victim_id, **options)


def _assignment(w: World, data: dict[str, str] | None = None, **options: Any) -> dict[str, Any]:
    return {"assignment_id": _make(w, **options).assignment_id, **({"data": data} if data else {})}


def _attempt(w: World, data: dict[str, str] | None = None, **options: Any) -> dict[str, Any]:
    return {"submission_id": _make(w, **options).submission_id, **({"data": data} if data else {})}


def _member(w: World) -> dict[str, Any]:
    found = _make(w, marked=True, group_id=w.group_id)
    return {"submission_id": found.submission_id, "user_id": w.victim_id,
            "data": {"points": "8", "reason": "Absent from the defence"}}  # fmt: skip


def _copy(w: World) -> dict[str, Any]:
    found = _make(w, rubric=True)
    return {"assignment_id": found.assignment_id,
            "data": {"from_assignment_id": str(found.rubric_assignment_id)}}  # fmt: skip


def _sheet(w: World) -> dict[str, Any]:
    found = _make(w)
    line = f"user-{w.victim_id},Victim,submitted,14,Fine,0\n"
    return {"assignment_id": found.assignment_id, "data": {"text": SHEET + line}}


A = "/assignments/{assignment_id}"
S = "/submissions/{submission_id}"
page("GET", A + "/submissions", READ, _assignment)
page("POST", A + "/empty-attempts", WRITE, lambda w: _assignment(w, {"user_id": str(w.victim_id)}))
page("POST", A + "/release", WRITE, lambda w: _assignment(w, marked=True))
page("GET", A + "/reveal", READ, lambda w: _assignment(w, anonymous=True))
page("POST", A + "/reveal", WRITE, lambda w: _assignment(w, anonymous=True))
page("GET", S + "/mark", ATTEMPT_READ, _attempt)
page("POST", S + "/mark", ATTEMPT_WRITE, lambda w: _attempt(w, {"version": "0", "points": "12"}))
page(
    "POST", S + "/mark/state", ATTEMPT_WRITE,
    lambda w: _attempt(w, {"state": "ready_for_review", "version": "1"}, marked=True,
                       marking_workflow=True),
)  # fmt: skip
page("POST", S + "/members/{user_id}/grade", ATTEMPT_WRITE, _member)
page(
    "GET",
    "/marking-files/{file_id}",
    ATTEMPT_READ,
    lambda w: {"file_id": _make(w, marked=True).file_id},
)
page(
    "POST", "/marking-files/{file_id}/remove", ATTEMPT_WRITE,
    lambda w: {"file_id": _make(w, marked=True).file_id},
)  # fmt: skip
page("GET", A + "/rubric", READ, lambda w: _assignment(w, rubric=True))
page(
    "POST", A + "/rubric", WRITE,
    lambda w: _assignment(w, {"c0-description": "Argument", "c0-l0-points": "0",
                              "c0-l0-definition": "Absent", "c0-l1-points": "4",
                              "c0-l1-definition": "Convincing"}, grading_method="rubric"),
)  # fmt: skip
page("POST", A + "/rubric/copy", WRITE, _copy)
page("GET", A + "/worksheet.csv", READ, _assignment)
page("GET", A + "/worksheet", READ, _assignment)
page(
    "POST", A + "/worksheet", READ,
    lambda w: {**_assignment(w), "files": {"file": ("sheet.csv", SHEET.encode())}},
)  # fmt: skip
page("POST", A + "/worksheet/apply", WRITE, _sheet)
