"""The assignment settings and submission pages: teachers and managers configure, students hand
in their own work, markers reopen and download; outsiders and managers of another institution
are told none of it exists (404)."""

from typing import Any

from app.assignments.models import Extension, GroupOverride, Resubmission
from app.core.db import utcnow
from tests.assignments.factories import make_assignment
from tests.assignments.submission_factories import draft_of
from tests.test_page_permission_matrix import LOGIN, STU, World, answers, page

READ_SETTINGS = answers(LOGIN, 404, 403, 200, 200, 404)
CONFIGURE = answers(LOGIN, 404, 403, 303, 303, 404)
LEARNER_PAGE = answers(LOGIN, 404, 200, 403, 403, 404)
LEARNER_WRITES = answers(LOGIN, 404, 303, 403, 403, 404)
MARKERS = answers(LOGIN, 404, 404, 200, 200, 404)
MARKER_WRITES = answers(LOGIN, 404, 404, 303, 303, 404)
SETTINGS_FORM = {
    "online_text": "true", "file_submissions": "true", "max_files": "3", "max_points": "20",
    "resubmission": "none", "grading_method": "simple", "final_grade_rule": "agreed",
    "due_at": "2026-12-20T17:00",
}  # fmt: skip


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
    assignment = make_assignment(w.db, w.course)
    draft_of(w.db, w.settings, assignment, w.people[STU], with_file=with_file)
    return {"assignment_id": assignment.id, **extra}


def _submitted(w: World, **extra: Any) -> dict[str, Any]:
    assignment = make_assignment(w.db, w.course, resubmission=Resubmission.MANUAL)
    found = draft_of(w.db, w.settings, assignment, w.victim_id, submitted=True, with_file=True)
    return {"submission_id": found.id, **extra}


page("GET", "/modules/{module_id}/assignment", READ_SETTINGS, _module)
page("POST", "/modules/{module_id}/assignment", CONFIGURE, lambda w: _module(w, data=SETTINGS_FORM))
page(
    "POST", "/assignments/{assignment_id}/extensions", CONFIGURE,
    lambda w: _assignment(w, data={"user_id": str(w.victim_id), "due_at": "2026-12-20T17:00"}),
)  # fmt: skip
page("POST", "/assignments/{assignment_id}/extensions/{extension_id}/delete", CONFIGURE, _extension)
page(
    "POST", "/assignments/{assignment_id}/group-overrides", CONFIGURE,
    lambda w: _assignment(w, data={"group_id": str(w.group_id), "due_at": "2026-12-20T17:00"}),
)  # fmt: skip
page(
    "POST", "/assignments/{assignment_id}/group-overrides/{override_id}/delete", CONFIGURE,
    _override,
)  # fmt: skip
page("GET", "/assignments/{assignment_id}/submission", LEARNER_PAGE, _mine)
page(
    "POST", "/assignments/{assignment_id}/submission/text", LEARNER_WRITES,
    lambda w: _mine(w, data={"text": "My essay"}),
)  # fmt: skip
page(
    "POST", "/assignments/{assignment_id}/submission/files", LEARNER_WRITES,
    lambda w: _mine(w, files={"file": ("b.txt", b"more words")}),
)  # fmt: skip
page(
    "POST", "/assignments/{assignment_id}/submission/files/{name}/delete", LEARNER_WRITES,
    lambda w: _mine(w, with_file=True, name="a.txt"),
)  # fmt: skip
page("POST", "/assignments/{assignment_id}/submission/submit", LEARNER_WRITES, _mine)
page(
    "GET",
    "/submissions/{submission_id}/files/{name}",
    MARKERS,
    lambda w: _submitted(w, name="a.txt"),
)
page("POST", "/submissions/{submission_id}/reopen", MARKER_WRITES, _submitted)
