"""Teachers' pages for changing what exists: edit, delete (after a confirmation that says what
is lost), duplicate and move modules and sections, replace and remove files, and read the
history of the course's edits. Each form calls the same service function as the API."""

from datetime import datetime
from typing import Annotated

from fastapi import File, Form, Query, Request, UploadFile
from fastapi.responses import Response

from app.accounts.deps import CurrentUser, PortalActor, SettingsDep, page_router
from app.accounts.models import User
from app.core.db import SessionDep
from app.core.forms import attempt_form
from app.core.i18n import N_, zone
from app.core.inputs import Id
from app.core.web import render, see_other
from app.courses.models import CompletionRule
from app.courses.schemas import ModuleUpdate, SectionUpdate
from app.courses.service import content, courses, editing

router = page_router()
FormText = Annotated[str, Form()]
FormFlag = Annotated[bool, Form()]
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
WHEN_REFUSED = N_("Give a date and a time.")


def _local(moment: datetime | None, user: User) -> str:
    """An instant as a `datetime-local` field shows it: in the editor's own zone."""
    return moment.astimezone(zone(user.time_zone)).strftime(LOCAL_FORMAT) if moment else ""


def _instant(text: str, user: User) -> datetime | None:
    """A `datetime-local` value read in the editor's zone; ValueError if it is not one."""
    if not text.strip():
        return None
    moment = datetime.fromisoformat(text.strip())
    return moment if moment.tzinfo else moment.replace(tzinfo=zone(user.time_zone))


# --- modules ------------------------------------------------------------------------------


def _module_edit_page(
    request: Request,
    draft: editing.ModuleDraft,
    user: User,
    form: dict[str, object] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    module = draft.module
    shown = form or {
        "title": module.title,
        "body": module.body_markdown,
        "url": module.url or "",
        "description": module.description,
        "completion": module.completion_rule.value,
        "required": module.required,
        "is_open": module.is_open,
        "available_from": _local(module.available_from, user),
        "available_until": _local(module.available_until, user),
        "requires": ", ".join(draft.requires),
    }
    context = {
        "draft": draft,
        "course": draft.course,
        "module": module,
        "form": shown,
        "errors": errors or {},
        "rules": [rule.value for rule in CompletionRule],
        "time_zone": user.time_zone,
    }
    return render(request, "courses/module_edit.html", context, 400 if errors else 200)


@router.get("/modules/{module_id}/edit")
def edit_module(
    request: Request, session: SessionDep, actor: PortalActor, user: CurrentUser, module_id: Id
) -> Response:
    return _module_edit_page(request, editing.module_draft(session, actor, module_id), user)


@router.post("/modules/{module_id}/edit")
def save_module(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    settings: SettingsDep,
    user: CurrentUser,
    module_id: Id,
    title: FormText = "",
    body: FormText = "",
    url: FormText = "",
    description: FormText = "",
    completion_rule: FormText = "viewed",
    required: FormFlag = False,
    is_open: FormFlag = False,
    available_from: FormText = "",
    available_until: FormText = "",
    requires: FormText = "",
) -> Response:
    draft = editing.module_draft(session, actor, module_id)
    shown: dict[str, object] = {
        "title": title, "body": body, "url": url, "description": description,
        "completion": completion_rule, "required": required, "is_open": is_open,
        "available_from": available_from, "available_until": available_until,
        "requires": requires,
    }  # fmt: skip
    window: dict[str, datetime | None] = {}
    for name, text in (("available_from", available_from), ("available_until", available_until)):
        try:
            window[name] = _instant(text, user)
        except ValueError:
            return _module_edit_page(request, draft, user, shown, {name: WHEN_REFUSED})
    typed = {
        **shown, **window, "url": url.strip() or None, "completion": completion_rule,
        "requires": [key.strip() for key in requires.split(",") if key.strip()],
    }  # fmt: skip
    with attempt_form(request, session) as attempt:
        content.update_module(
            session, actor, settings, draft.module.id, ModuleUpdate.model_validate(typed)
        )
    if attempt.refused:
        return _module_edit_page(request, draft, user, shown, attempt.errors)
    return see_other(f"/modules/{draft.module.id}/edit?saved=1")


@router.post("/modules/{module_id}/files/{name}/replace")
def replace_file(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    settings: SettingsDep,
    user: CurrentUser,
    module_id: Id,
    name: str,
    file: Annotated[UploadFile, File()],
) -> Response:
    with attempt_form(request, session) as attempt:
        editing.replace_file(session, actor, settings, module_id, name, file.file)
    if attempt.refused:
        draft = editing.module_draft(session, actor, module_id)
        errors = {"file": attempt.message, "file_name": name}
        return _module_edit_page(request, draft, user, None, errors)
    return see_other(f"/modules/{module_id}/edit?replaced=1#files")


@router.post("/modules/{module_id}/files/{name}/remove")
def remove_file(
    session: SessionDep, actor: PortalActor, _user: CurrentUser, module_id: Id, name: str
) -> Response:
    editing.remove_file(session, actor, module_id, name)
    return see_other(f"/modules/{module_id}/edit?removed=1#files")


@router.get("/modules/{module_id}/delete")
def confirm_module_deletion(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, module_id: Id
) -> Response:
    module, course, loss = editing.module_loss(session, actor, module_id)
    context = {"course": course, "module": module, "section": None, "loss": loss}
    return render(request, "courses/confirm_delete.html", context)


@router.post("/modules/{module_id}/delete")
def delete_module(
    session: SessionDep, actor: PortalActor, _user: CurrentUser, module_id: Id
) -> Response:
    module, course = content.editable_module(session, actor, module_id)
    content.delete_module(session, actor, module.id)
    return see_other(f"/courses/{course.code}/edit?deleted=1")


@router.post("/modules/{module_id}/duplicate")
def duplicate_module(
    session: SessionDep, actor: PortalActor, _user: CurrentUser, module_id: Id
) -> Response:
    copy = editing.duplicate_module(session, actor, module_id)
    return see_other(f"/modules/{copy.id}/edit?duplicated=1")


@router.post("/modules/{module_id}/section")
def move_to_section(
    session: SessionDep,
    actor: PortalActor,
    settings: SettingsDep,
    _user: CurrentUser,
    module_id: Id,
    section_id: Annotated[Id, Form()],
) -> Response:
    module, course = content.editable_module(session, actor, module_id)
    content.update_module(session, actor, settings, module.id, ModuleUpdate(section_id=section_id))
    return see_other(f"/courses/{course.code}/edit#edit-section-{section_id}")


# --- sections -----------------------------------------------------------------------------


def _section_edit_page(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    section_id: int,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    section, course = content.editable_section(session, actor, section_id)
    shown = form or {"title": section.title, "summary": section.summary}
    context = {"course": course, "section": section, "form": shown, "errors": errors or {}}
    return render(request, "courses/section_edit.html", context, 400 if errors else 200)


@router.get("/sections/{section_id}/edit")
def edit_section(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, section_id: Id
) -> Response:
    return _section_edit_page(request, session, actor, section_id)


@router.post("/sections/{section_id}/edit")
def save_section(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    section_id: Id,
    title: FormText = "",
    summary: FormText = "",
) -> Response:
    shown = {"title": title, "summary": summary}
    with attempt_form(request, session) as attempt:
        section = content.update_section(
            session, actor, section_id, SectionUpdate.model_validate(shown)
        )
    if attempt.refused:
        return _section_edit_page(request, session, actor, section_id, shown, attempt.errors)
    course = courses.get_course(session, actor, section.course_id).course
    return see_other(f"/courses/{course.code}/edit?saved=1#edit-section-{section.id}")


@router.get("/sections/{section_id}/delete")
def confirm_section_deletion(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, section_id: Id
) -> Response:
    section, course, loss = editing.section_loss(session, actor, section_id)
    context = {"course": course, "module": None, "section": section, "loss": loss}
    return render(request, "courses/confirm_delete.html", context)


@router.post("/sections/{section_id}/delete")
def delete_section(
    session: SessionDep, actor: PortalActor, _user: CurrentUser, section_id: Id
) -> Response:
    _section, course = content.editable_section(session, actor, section_id)
    content.delete_section(session, actor, section_id)
    return see_other(f"/courses/{course.code}/edit?deleted=1")


# --- history ------------------------------------------------------------------------------


@router.get("/courses/{code}/history")
def history(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    code: str,
    cursor: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    course = courses.find_course(session, actor, code).course
    access, entries, next_cursor = editing.course_history(session, actor, course.id, cursor)
    context = {"course": access.course, "entries": entries, "next_cursor": next_cursor}
    return render(request, "courses/history.html", context)
