"""An assignment's settings, extensions and group overrides over the API, for the course's
teachers and managers (staff read them)."""

from fastapi import APIRouter, Response, status

from app.accounts.deps import SignedInApiActor
from app.assignments.schemas import (
    AssignmentRead,
    AssignmentSettings,
    ExtensionCreate,
    ExtensionRead,
    GroupOverrideCreate,
    GroupOverrideRead,
)
from app.assignments.service import dates, settings
from app.core.db import SessionDep
from app.core.inputs import Id
from app.core.routes import DeferredRoute

router = APIRouter(tags=["assignments"], route_class=DeferredRoute)


@router.get("/modules/{module_id}/assignment", response_model=AssignmentRead)
def read_settings(module_id: Id, session: SessionDep, actor: SignedInApiActor) -> AssignmentRead:
    """The settings of the assignment an `assignment` module stands for: dates (UTC),
    what learners hand in, resubmission, group submission, grading and late penalty. For the
    course's staff and managers."""
    access = settings.settings_of(session, actor, module_id)
    return AssignmentRead.model_validate(access.assignment)


@router.put("/modules/{module_id}/assignment", response_model=AssignmentRead)
def update_settings(
    module_id: Id, data: AssignmentSettings, session: SessionDep, actor: SignedInApiActor
) -> AssignmentRead:
    """Replace every setting (a field left out takes its default). Dates must follow each
    other: `cutoff_at` ≥ `due_at` ≥ `opens_at`. The gradebook item follows the maximum, the
    pass mark and the scale. For the course's teachers and managers."""
    assignment = settings.update_settings(session, actor, module_id, data)
    return AssignmentRead.model_validate(assignment)


@router.get("/assignments/{assignment_id}/extensions", response_model=list[ExtensionRead])
def list_extensions(
    assignment_id: Id, session: SessionDep, actor: SignedInApiActor
) -> list[ExtensionRead]:
    """The learners' extensions of an assignment (staff and managers)."""
    changes = dates.date_changes(session, actor, assignment_id)
    return [ExtensionRead.model_validate(extension) for extension, _ in changes.extensions]


@router.post(
    "/assignments/{assignment_id}/extensions", response_model=ExtensionRead, status_code=201
)
def grant_extension(
    assignment_id: Id, data: ExtensionCreate, session: SessionDep, actor: SignedInApiActor
) -> ExtensionRead:
    """Give one learner of the course their own due date and cut-off, with a reason; it
    beats their group's override. Granting again replaces it. Teachers and managers."""
    return ExtensionRead.model_validate(dates.grant_extension(session, actor, assignment_id, data))


@router.delete(
    "/assignments/{assignment_id}/extensions/{extension_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
)
def remove_extension(
    assignment_id: Id, extension_id: Id, session: SessionDep, actor: SignedInApiActor
) -> Response:
    """Withdraw an extension: the learner's dates are their group's or the assignment's."""
    dates.remove_extension(session, actor, assignment_id, extension_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/assignments/{assignment_id}/group-overrides", response_model=list[GroupOverrideRead])
def list_group_overrides(
    assignment_id: Id, session: SessionDep, actor: SignedInApiActor
) -> list[GroupOverrideRead]:
    """The groups with dates of their own (staff and managers)."""
    changes = dates.date_changes(session, actor, assignment_id)
    return [GroupOverrideRead.model_validate(override) for override, _ in changes.overrides]


@router.post(
    "/assignments/{assignment_id}/group-overrides",
    response_model=GroupOverrideRead,
    status_code=201,
)
def set_group_override(
    assignment_id: Id, data: GroupOverrideCreate, session: SessionDep, actor: SignedInApiActor
) -> GroupOverrideRead:
    """Give a group of the course other dates (each left out keeps the assignment's); one
    override per group (409 `override_exists`). Teachers and managers."""
    override = dates.set_group_override(session, actor, assignment_id, data)
    return GroupOverrideRead.model_validate(override)


@router.delete(
    "/assignments/{assignment_id}/group-overrides/{override_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
)
def remove_group_override(
    assignment_id: Id, override_id: Id, session: SessionDep, actor: SignedInApiActor
) -> Response:
    """Remove a group's own dates."""
    dates.remove_group_override(session, actor, assignment_id, override_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
