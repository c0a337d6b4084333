"""The jury's API operations: the course's teachers and managers choose the jury and the
defence; its members (here the teacher, its chair, and the tutor) mark; only the chair or a
manager gives the final grade; students, outsiders and partner systems are told none of it
exists (404)."""

from typing import Any

from tests.assignments.jury_factories import MatrixJury, matrix_jury
from tests.test_permission_matrix import TEA, TUT, World, _n, register

A = "/api/v1/assignments/{assignment_id}"
S = "/api/v1/submissions/{submission_id}"
READERS = "401 | 404 404 200 200 | 200 200 | 404 404 | 404 404"


def _jury(w: World, **options: bool) -> MatrixJury:
    return matrix_jury(
        w.db, w.settings, w.course, w.victim_id, w.people[TEA], w.people[TUT], **options
    )


def _assignment(w: World, **extra: Any) -> dict[str, Any]:
    return {"assignment_id": _jury(w).assignment_id, **extra}


def _remove(w: World) -> dict[str, Any]:
    found = _jury(w)
    return {"assignment_id": found.assignment_id, "member_id": found.member_id}


def _allocate(w: World) -> dict[str, Any]:
    found = _jury(w)
    body = {"submission_ids": [found.submission_id], "member_ids": [found.member_id]}
    return {"assignment_id": found.assignment_id, "json": body}


def _submission(w: World, **options: Any) -> dict[str, Any]:
    body = options.pop("json", None)
    found = _jury(w, **options)
    return {"submission_id": found.submission_id, **({"json": body} if body else {})}


register("get", A + "/jury-members", READERS, _assignment)
register(
    "post",
    A + "/jury-members",
    "401 | 404 404 403 201 | 201 201 | 404 404 | 404 404",
    lambda w: _assignment(
        w, json={"email": f"examiner{_n()}@example.org", "display_name": "Pr. Examiner"}
    ),
)
register(
    "delete",
    A + "/jury-members/{member_id}",
    "401 | 404 404 403 204 | 204 204 | 404 404 | 404 404",
    _remove,
)
register(
    "put", A + "/allocations", "401 | 404 404 403 200 | 200 200 | 404 404 | 404 404", _allocate
)
register("get", S + "/jury-marks", READERS, _submission)
register(
    "put",
    S + "/jury-marks/mine",
    "401 | 404 404 200 200 | 403 403 | 404 404 | 404 404",
    lambda w: _submission(w, json={"points": "12", "comment": "Clear."}),
)
register(
    "post",
    S + "/jury-final",
    "401 | 404 404 403 200 | 200 200 | 404 404 | 404 404",
    lambda w: _submission(
        w, marked=True, json={"points": "13", "reason": "Agreed.", "release": True}
    ),
)
register("get", S + "/defence", READERS, lambda w: _submission(w, defence=True))
register(
    "put",
    S + "/defence",
    "401 | 404 404 403 200 | 200 200 | 404 404 | 404 404",
    lambda w: _submission(
        w, json={"starts_at": "2026-12-15T10:00:00", "time_zone": "Africa/Casablanca"}
    ),
)
