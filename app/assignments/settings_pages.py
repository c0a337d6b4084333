"""The settings page of an assignment (dates in the editor's zone, what learners hand in,
resubmission, groups, grading, late penalty) with its extensions and group overrides."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Form, Request
from fastapi.responses import Response

from app.accounts.deps import CurrentUser, PortalActor, page_router
from app.accounts.models import User
from app.assignments.local_times import WHEN_REFUSED, instants, local_value
from app.assignments.models import Assignment, FinalGradeRule, GradingMethod, Resubmission
from app.assignments.schemas import AssignmentSettings, ExtensionCreate, GroupOverrideCreate
from app.assignments.service import dates, screens, settings
from app.core.db import SessionDep
from app.core.forms import attempt_form
from app.core.inputs import Id
from app.core.web import render, see_other

router = page_router()
FormText = Annotated[str, Form(max_length=2000)]
FormFlag = Annotated[bool, Form()]
DATE_FIELDS = ("opens_at", "due_at", "cutoff_at", "grading_due_at")
FLAGS = (
    "online_text", "file_submissions", "honour_statement", "group_submission",
    "every_member_confirms", "anonymous", "marking_workflow", "jury",
)  # fmt: skip
NUMBERS = (
    "word_limit", "max_files", "max_attempts", "grouping_id", "max_points", "scale_id",
    "pass_points", "late_penalty_percent_per_day", "late_penalty_cap_percent",
)  # fmt: skip


def _shown(assignment: Assignment, user: User) -> dict[str, Any]:
    """The form as the settings stand."""
    form: dict[str, Any] = {
        name: local_value(getattr(assignment, name), user) for name in DATE_FIELDS
    }
    form |= {name: getattr(assignment, name) for name in FLAGS}
    form |= {
        name: "" if getattr(assignment, name) is None else str(getattr(assignment, name))
        for name in NUMBERS
    }
    form |= {
        "accepted_types": ", ".join(assignment.accepted_types),
        "resubmission": assignment.resubmission.value,
        "grading_method": assignment.grading_method.value,
        "final_grade_rule": assignment.final_grade_rule.value,
    }
    return form


def _page(
    request: Request, screen: screens.SettingsScreen, user: User,
    form: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
    date_errors: dict[str, str] | None = None,
) -> Response:  # fmt: skip
    context = {
        "screen": screen,
        "assignment": screen.access.assignment,
        "module": screen.access.module,
        "course": screen.course,
        "form": form or _shown(screen.access.assignment, user),
        "errors": errors or {},
        "date_errors": date_errors or {},
        "time_zone": user.time_zone,
        "resubmissions": [r.value for r in Resubmission],
        "grading_methods": [g.value for g in GradingMethod],
        "final_rules": [r.value for r in FinalGradeRule],
    }
    return render(
        request, "assignments/settings.html", context, 400 if errors or date_errors else 200
    )


@router.get("/modules/{module_id}/assignment")
def settings_page(
    request: Request, session: SessionDep, actor: PortalActor, user: CurrentUser, module_id: Id
) -> Response:
    return _page(request, screens.settings_screen(session, actor, module_id), user)


def settings_form(
    opens_at: FormText = "", due_at: FormText = "", cutoff_at: FormText = "",
    grading_due_at: FormText = "", online_text: FormFlag = False, word_limit: FormText = "",
    file_submissions: FormFlag = False, max_files: FormText = "3",
    accepted_types: FormText = "", honour_statement: FormFlag = False,
    resubmission: FormText = "none", max_attempts: FormText = "",
    group_submission: FormFlag = False, grouping_id: FormText = "",
    every_member_confirms: FormFlag = False, max_points: FormText = "20",
    scale_id: FormText = "", pass_points: FormText = "", grading_method: FormText = "simple",
    anonymous: FormFlag = False, marking_workflow: FormFlag = False, jury: FormFlag = False,
    final_grade_rule: FormText = "agreed", late_penalty_percent_per_day: FormText = "",
    late_penalty_cap_percent: FormText = "",
) -> dict[str, Any]:  # fmt: skip
    """The posted form, as typed."""
    return dict(locals())


SettingsForm = Annotated[dict[str, Any], Depends(settings_form)]


def _typed(form: dict[str, Any], read: dict[str, datetime | None]) -> dict[str, Any]:
    typed = {**form, **read}
    for name in NUMBERS:
        typed[name] = form[name].strip() or None
    typed["accepted_types"] = [t.strip() for t in form["accepted_types"].split(",") if t.strip()]
    return typed


@router.post("/modules/{module_id}/assignment")
def save_settings(
    request: Request, session: SessionDep, actor: PortalActor, user: CurrentUser,
    module_id: Id, form: SettingsForm,
) -> Response:  # fmt: skip
    screen = screens.settings_screen(session, actor, module_id)
    read, wrong = instants({name: form[name] for name in DATE_FIELDS}, user)
    if wrong is not None:
        return _page(request, screen, user, form, {wrong: WHEN_REFUSED})
    with attempt_form(request, session) as attempt:
        settings.update_settings(
            session, actor, module_id, AssignmentSettings.model_validate(_typed(form, read))
        )
    if attempt.refused:
        return _page(request, screen, user, form, attempt.errors)
    return see_other(f"/modules/{module_id}/assignment?saved=1")


def _refused(
    request: Request, session: SessionDep, actor: PortalActor, user: User, assignment_id: int,
    errors: dict[str, str],
) -> Response:  # fmt: skip
    module_id = settings.assignment_by_id(session, actor, assignment_id).module.id
    screen = screens.settings_screen(session, actor, module_id)
    return _page(request, screen, user, None, None, errors)


@router.post("/assignments/{assignment_id}/extensions")
def grant_extension(
    request: Request, session: SessionDep, actor: PortalActor, user: CurrentUser,
    assignment_id: Id, user_id: FormText = "", due_at: FormText = "", cutoff_at: FormText = "",
    reason: FormText = "",
) -> Response:  # fmt: skip
    read, wrong = instants({"due_at": due_at, "cutoff_at": cutoff_at}, user)
    if wrong is not None:
        return _refused(request, session, actor, user, assignment_id, {wrong: WHEN_REFUSED})
    typed = {"user_id": user_id, "reason": reason, **read}
    with attempt_form(request, session) as attempt:
        dates.grant_extension(session, actor, assignment_id, ExtensionCreate.model_validate(typed))
    if attempt.refused:
        return _refused(request, session, actor, user, assignment_id, attempt.errors)
    module_id = settings.assignment_by_id(session, actor, assignment_id).module.id
    return see_other(f"/modules/{module_id}/assignment?extended=1#dates")


@router.post("/assignments/{assignment_id}/extensions/{extension_id}/delete")
def remove_extension(
    session: SessionDep, actor: PortalActor, _user: CurrentUser, assignment_id: Id,
    extension_id: Id,
) -> Response:  # fmt: skip
    dates.remove_extension(session, actor, assignment_id, extension_id)
    module_id = settings.assignment_by_id(session, actor, assignment_id).module.id
    return see_other(f"/modules/{module_id}/assignment?removed=1#dates")


@router.post("/assignments/{assignment_id}/group-overrides")
def set_group_override(
    request: Request, session: SessionDep, actor: PortalActor, user: CurrentUser,
    assignment_id: Id, group_id: FormText = "", opens_at: FormText = "", due_at: FormText = "",
    cutoff_at: FormText = "",
) -> Response:  # fmt: skip
    read, wrong = instants({"opens_at": opens_at, "due_at": due_at, "cutoff_at": cutoff_at}, user)
    if wrong is not None:
        return _refused(request, session, actor, user, assignment_id, {wrong: WHEN_REFUSED})
    typed = {"group_id": group_id, **read}
    with attempt_form(request, session) as attempt:
        dates.set_group_override(
            session, actor, assignment_id, GroupOverrideCreate.model_validate(typed)
        )
    if attempt.refused:
        return _refused(request, session, actor, user, assignment_id, attempt.errors)
    module_id = settings.assignment_by_id(session, actor, assignment_id).module.id
    return see_other(f"/modules/{module_id}/assignment?overridden=1#dates")


@router.post("/assignments/{assignment_id}/group-overrides/{override_id}/delete")
def remove_group_override(
    session: SessionDep, actor: PortalActor, _user: CurrentUser, assignment_id: Id,
    override_id: Id,
) -> Response:  # fmt: skip
    dates.remove_group_override(session, actor, assignment_id, override_id)
    module_id = settings.assignment_by_id(session, actor, assignment_id).module.id
    return see_other(f"/modules/{module_id}/assignment?removed=1#dates")
