"""The grader table's pages: the table (with its group filter) and its CSV, a grade's edit
form (override with a reason, remove an override) and history, and the learner's own grades."""

from typing import Annotated

from fastapi import Form, Query, Request
from fastapi.responses import Response

from app.accounts.deps import CurrentUser, PortalActor, page_router
from app.core.db import SessionDep, utcnow
from app.core.downloads import attachment_headers
from app.core.forms import attempt_form
from app.core.inputs import Id
from app.core.web import render, request_locale, see_other
from app.grades.grader_schemas import GradeOverride, OverrideRemoval
from app.grades.service import grader, learner_view, overrides
from app.grades.service.overrides import GradeSlot
from app.grades.service.record import ItemLocked

router = page_router()
FormText = Annotated[str, Form(max_length=4000)]
GroupQuery = Annotated[Id | None, Query(alias="group")]
CONFLICTS = {
    overrides.GradeEditedMeanwhile.code,
    overrides.NoOverride.code,
    ItemLocked.code,
}


@router.get("/courses/{code}/grades")
def grader_page(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    code: str,
    group: GroupQuery = None,
) -> Response:
    table = grader.grader_table(session, actor, code, group)
    return render(request, "grades/grader.html", {"table": table, "course": table.course})


@router.get("/courses/{code}/grades.csv")
def grader_csv(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    code: str,
    group: GroupQuery = None,
) -> Response:
    text, name = grader.grader_csv(session, actor, code, group, request_locale(request))
    return Response(text, media_type="text/csv; charset=utf-8", headers=attachment_headers(name))


def _edit_page(
    request: Request,
    slot: GradeSlot,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    version = slot.grade.version if slot.grade is not None else 0
    context = {
        "slot": slot,
        "course": slot.course,
        "form": form or {"version": str(version)},
        "errors": errors or {},
        "action": _edit_url(slot),
    }
    return render(request, "grades/grader_edit.html", context, status)


def _edit_url(slot: GradeSlot) -> str:
    if slot.grade is not None:
        return f"/grades/{slot.grade.id}/edit"
    return f"/courses/{slot.course.code}/grades/{slot.item.id}/{slot.learner.id}/edit"


def _back(slot: GradeSlot) -> str:
    return f"/courses/{slot.course.code}/grades?saved={slot.learner.id}"


@router.get("/grades/{grade_id}/edit")
def edit_grade(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, grade_id: Id
) -> Response:
    return _edit_page(request, overrides.slot_of_grade(session, actor, grade_id))


@router.get("/courses/{code}/grades/{item_id}/{user_id}/edit")
def edit_new_grade(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    code: str,
    item_id: Id,
    user_id: Id,
) -> Response:
    return _edit_page(request, overrides.slot_of_learner(session, actor, item_id, user_id, code))


def _override_form(version: str, points: str, reason: str, release: str) -> dict[str, str]:
    form = {"version": version, "points": points.strip().replace(",", "."), "reason": reason}
    return form | ({"release": "true"} if release else {})


def _status(code: str) -> int:
    return 409 if code in CONFLICTS else 400


@router.post("/grades/{grade_id}/edit")
def save_grade(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    grade_id: Id,
    version: FormText = "",
    points: FormText = "",
    reason: FormText = "",
    release: FormText = "",
) -> Response:
    form = _override_form(version, points, reason, release)
    with attempt_form(request, session) as attempt:
        change = GradeOverride.model_validate(form)
        slot = overrides.override_grade(session, actor, grade_id, change)
    if attempt.refused:
        slot = overrides.slot_of_grade(session, actor, grade_id)
        return _edit_page(request, slot, form, attempt.errors, _status(attempt.code))
    return see_other(_back(slot))


@router.post("/courses/{code}/grades/{item_id}/{user_id}/edit")
def save_new_grade(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    code: str,
    item_id: Id,
    user_id: Id,
    version: FormText = "",
    points: FormText = "",
    reason: FormText = "",
    release: FormText = "",
) -> Response:
    form = _override_form(version, points, reason, release)
    with attempt_form(request, session) as attempt:
        change = GradeOverride.model_validate(form)
        slot = overrides.override_learner_grade(session, actor, item_id, user_id, change, code)
    if attempt.refused:
        slot = overrides.slot_of_learner(session, actor, item_id, user_id, code)
        return _edit_page(request, slot, form, attempt.errors, _status(attempt.code))
    return see_other(_back(slot))


@router.post("/grades/{grade_id}/override-removal")
def remove_override(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    grade_id: Id,
    version: FormText = "",
    reason: FormText = "",
) -> Response:
    form = {"version": version, "reason": reason}
    with attempt_form(request, session) as attempt:
        removal = OverrideRemoval.model_validate(form)
        slot = overrides.remove_override(session, actor, grade_id, removal)
    if attempt.refused:
        slot = overrides.slot_of_grade(session, actor, grade_id)
        errors = {f"removal_{key}": message for key, message in attempt.errors.items()}
        shown = {"version": version, "removal_reason": reason}
        return _edit_page(request, slot, shown, errors, _status(attempt.code))
    return see_other(_back(slot))


@router.get("/grades/{grade_id}/history")
def grade_history(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, grade_id: Id
) -> Response:
    history = overrides.grade_history(session, actor, grade_id)
    context = {"history": history, "slot": history.slot, "course": history.slot.course}
    return render(request, "grades/history.html", context)


@router.get("/courses/{code}/my-grades")
def my_grades(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, code: str
) -> Response:
    mine = learner_view.my_grades(session, actor, code, utcnow())
    return render(request, "grades/mine.html", {"mine": mine, "course": mine.course})
