"""The assignment settings and submissions API: teachers and managers configure (tutors read),
the course's students hand in their own work, markers reopen and read submitted files; those
outside the course and partner systems are told none of it exists (404)."""

from datetime import timedelta
from typing import Any

from app.assignments.models import Extension, GroupOverride, Resubmission
from app.core.db import utcnow
from tests.assignments.factories import make_assignment
from tests.assignments.submission_factories import draft_of
from tests.test_permission_matrix import STU, World, register

A = "/api/v1/assignments/{assignment_id}"
SETTINGS_READERS = "401 | 403 404 200 200 | 200 200 | 404 404 | 404 404"
LEARNER = "401 | 200 404 403 403 | 403 403 | 404 404 | 404 404"
MARKERS = "401 | 404 404 200 200 | 200 200 | 404 404 | 404 404"


def _config(created: str) -> str:
    return f"401 | 403 404 403 {created} | {created} {created} | 404 404 | 404 404"


def _module(w: World, **extra: Any) -> dict[str, Any]:
    return {"module_id": make_assignment(w.db, w.course).module_id, **extra}


def _assignment(w: World, **extra: Any) -> dict[str, Any]:
    return {"assignment_id": make_assignment(w.db, w.course).id, **extra}


def _extension(w: World) -> dict[str, Any]:
    assignment = make_assignment(w.db, w.course)
    extension = Extension(assignment_id=assignment.id, user_id=w.victim_id, due_at=utcnow())
    w.db.add(extension)
    w.db.flush()
    return {"assignment_id": assignment.id, "extension_id": extension.id}


def _override(w: World) -> dict[str, Any]:
    assignment = make_assignment(w.db, w.course)
    override = GroupOverride(assignment_id=assignment.id, group_id=w.group_id, due_at=utcnow())
    w.db.add(override)
    w.db.flush()
    return {"assignment_id": assignment.id, "override_id": override.id}


def _mine(w: World, *, with_file: bool = False, **extra: Any) -> dict[str, Any]:
    """A fresh assignment where the student has a draft."""
    assignment = make_assignment(w.db, w.course)
    draft_of(w.db, w.settings, assignment, w.people[STU], with_file=with_file)
    return {"assignment_id": assignment.id, **extra}


def _submitted(w: World, **options: Any) -> dict[str, Any]:
    """Another learner's submitted attempt (with a file) of a manually reopened assignment."""
    assignment = make_assignment(w.db, w.course, resubmission=Resubmission.MANUAL)
    found = draft_of(w.db, w.settings, assignment, w.victim_id, submitted=True, with_file=True)
    return {"submission_id": found.id, **options}


DUE = (utcnow() + timedelta(days=30)).isoformat()

register("get", "/api/v1/modules/{module_id}/assignment", SETTINGS_READERS, _module)
register(
    "put", "/api/v1/modules/{module_id}/assignment", _config("200"),
    lambda w: _module(w, json={"max_points": "30"}),
)  # fmt: skip
register("get", A + "/extensions", SETTINGS_READERS, _assignment)
register(
    "post", A + "/extensions", _config("201"),
    lambda w: _assignment(w, json={"user_id": w.victim_id, "due_at": DUE, "reason": "Ill"}),
)  # fmt: skip
register("delete", A + "/extensions/{extension_id}", _config("204"), _extension)
register("get", A + "/group-overrides", SETTINGS_READERS, _assignment)
register(
    "post", A + "/group-overrides", _config("201"),
    lambda w: _assignment(w, json={"group_id": w.group_id, "due_at": DUE}),
)  # fmt: skip
register("delete", A + "/group-overrides/{override_id}", _config("204"), _override)
register("get", A + "/submission", LEARNER, _mine)
register("put", A + "/submission", LEARNER, lambda w: _mine(w, json={"text": "My essay"}))
register(
    "post", A + "/submission/files", LEARNER,
    lambda w: _mine(w, files={"file": ("b.txt", b"more words")}),
)  # fmt: skip
register(
    "delete", A + "/submission/files/{name}", LEARNER,
    lambda w: _mine(w, with_file=True, name="a.txt"),
)  # fmt: skip
register("post", A + "/submission/submit", LEARNER, lambda w: _mine(w, json={}))
register("post", "/api/v1/submissions/{submission_id}/reopen", MARKERS, _submitted)
register(
    "get", "/api/v1/submissions/{submission_id}/files/{name}", MARKERS,
    lambda w: _submitted(w, name="a.txt"),
)  # fmt: skip
