"""Marking's API operations: the course's markers (tutor, teacher) and managers list, mark and
move markings along the workflow; only teachers and managers release, reveal identities, set a
member's grade apart and define rubrics. A student of the course sees the assignment but may
not mark (403) and is told no other learner's attempt exists (404); outsiders and partner
systems are told nothing exists (404)."""

from typing import Any

from tests.assignments.marking_matrix import MatrixMarking, matrix_marking
from tests.test_permission_matrix import World, register

A = "/api/v1/assignments/{assignment_id}"
S = "/api/v1/submissions/{submission_id}"
MARKERS_READ = "401 | 403 404 200 200 | 200 200 | 404 404 | 404 404"
RELEASERS = "401 | 403 404 403 200 | 200 200 | 404 404 | 404 404"
ON_ATTEMPT = "401 | 404 404 200 200 | 200 200 | 404 404 | 404 404"


def _make(w: World, **options: Any) -> MatrixMarking:
    return matrix_marking(w.db, w.settings, w.course, w.victim_id, **options)


def _assignment(w: World, body: dict[str, Any] | None = None, **options: Any) -> dict[str, Any]:
    return {"assignment_id": _make(w, **options).assignment_id, **({"json": body} if body else {})}


def _attempt(w: World, body: dict[str, Any] | None = None, **options: Any) -> dict[str, Any]:
    return {"submission_id": _make(w, **options).submission_id, **({"json": body} if body else {})}


def _file(w: World) -> dict[str, Any]:
    return {"file_id": _make(w, marked=True).file_id}


def _member(w: World) -> dict[str, Any]:
    found = _make(w, marked=True, group_id=w.group_id)
    return {"submission_id": found.submission_id, "user_id": w.victim_id,
            "json": {"points": "8", "reason": "Absent from the defence"}}  # fmt: skip


def _copy(w: World) -> dict[str, Any]:
    found = _make(w, rubric=True)
    return {"assignment_id": found.assignment_id,
            "json": {"from_assignment_id": found.rubric_assignment_id}}  # fmt: skip


RUBRIC = {"criteria": [{"description": "Argument", "levels": [
    {"points": "0", "definition": "Absent"}, {"points": "4", "definition": "Convincing"},
]}]}  # fmt: skip

register("get", A + "/submissions", MARKERS_READ, _assignment)
register("post", A + "/reveal", RELEASERS, lambda w: _assignment(w, anonymous=True))
register(
    "post", A + "/empty-attempts", "401 | 403 404 201 201 | 201 201 | 404 404 | 404 404",
    lambda w: _assignment(w, {"user_id": w.victim_id}),
)  # fmt: skip
register("post", A + "/release", RELEASERS, lambda w: _assignment(w, marked=True))
register("get", S + "/marking", ON_ATTEMPT, _attempt)
register("put", S + "/marking", ON_ATTEMPT, lambda w: _attempt(w, {"version": 0, "points": "12"}))
register(
    "post", S + "/marking/state", ON_ATTEMPT,
    lambda w: _attempt(w, {"state": "ready_for_review", "version": 1}, marked=True,
                       marking_workflow=True),
)  # fmt: skip
register(
    "put", S + "/members/{user_id}/grade", "401 | 404 404 403 200 | 200 200 | 404 404 | 404 404",
    _member,
)  # fmt: skip
register(
    "post", S + "/marking/files", "401 | 404 404 201 201 | 201 201 | 404 404 | 404 404",
    lambda w: {**_attempt(w), "files": {"file": ("notes.txt", b"Well argued.")}},
)  # fmt: skip
register("get", "/api/v1/marking-files/{file_id}", ON_ATTEMPT, _file)
register(
    "delete", "/api/v1/marking-files/{file_id}",
    "401 | 404 404 204 204 | 204 204 | 404 404 | 404 404", _file,
)  # fmt: skip
register("get", A + "/rubric", MARKERS_READ, lambda w: _assignment(w, rubric=True))
register(
    "put", A + "/rubric", RELEASERS,
    lambda w: _assignment(w, RUBRIC, grading_method="rubric"),
)  # fmt: skip
register("post", A + "/rubric/copy", RELEASERS, _copy)
