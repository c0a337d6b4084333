"""Teachers' pages: edit a course, add sections and modules, upload files, reorder, publish.
Each form calls the same service functions as the API."""

from collections.abc import Mapping
from typing import Annotated

from fastapi import File, Form, Request, UploadFile
from fastapi.responses import Response

from app.accounts.deps import CurrentUser, PortalActor, SettingsDep, page_router
from app.accounts.service import list_institutions
from app.core.db import SessionDep
from app.core.forms import attempt_form
from app.core.inputs import MAX_INT, Id
from app.core.web import render, request_locale, see_other
from app.courses.models import CompletionRule, Course, ModuleKind, Section
from app.courses.schemas import CourseUpdate, ModuleCreate, ModuleUpdate, SectionCreate
from app.courses.service import completion, content, courses, partners

router = page_router()
FormText = Annotated[str, Form()]


def _editable(session: SessionDep, actor: PortalActor, code: str) -> Course:
    return courses.editable_course(
        session, actor, courses.find_course(session, actor, code).course.id
    )


def _edit_page(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    course: Course,
    form: Mapping[str, object] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    sections, _ = completion.outline(session, actor, courses.get_course(session, actor, course.id))
    choose_partners = partners.may_choose_partners(actor, course)
    context = {
        "course": course,
        "partners": partners.partner_institutions(session, course.id) if choose_partners else None,
        "institutions": list_institutions(session, actor) if choose_partners else [],
        "form": form or {},
        "errors": errors or {},
        "sections": sections,
        "warning": courses.workload_warning(
            course.ects, course.workload_hours, request_locale(request)
        ),
    }
    return render(request, "courses/edit.html", context, 400 if errors else 200)


@router.get("/courses/{code}/edit")
def edit_course(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, code: str
) -> Response:
    return _edit_page(request, session, actor, _editable(session, actor, code))


@router.post("/courses/{code}/edit")
def save_course(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    code: str,
    title: FormText = "",
    summary: FormText = "",
    ects: FormText = "0",
    workload_hours: FormText = "0",
    starts_on: FormText = "",
    ends_on: FormText = "",
) -> Response:
    course = _editable(session, actor, code)
    typed = {
        "title": title,
        "summary": summary,
        "ects": ects,
        "workload_hours": workload_hours,
        "starts_on": starts_on or None,
        "ends_on": ends_on or None,
    }
    with attempt_form(request, session) as attempt:
        courses.update_course(session, actor, course.id, CourseUpdate.model_validate(typed), None)
    if attempt.refused:
        return _edit_page(request, session, actor, course, typed, attempt.errors)
    return see_other(f"/courses/{code}/edit?saved=1")


@router.post("/courses/{code}/partners")
def add_partner(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    code: str,
    institution_code: FormText = "",
) -> Response:
    course = _editable(session, actor, code)
    with attempt_form(request, session) as attempt:
        partners.add_partner(session, actor, course.id, institution_code)
    if attempt.refused:
        return _edit_page(request, session, actor, course, {}, attempt.errors)
    return see_other(f"/courses/{code}/edit?partners=1#partners")


@router.post("/courses/{code}/partners/{institution_code}/remove")
def remove_partner(
    session: SessionDep, actor: PortalActor, _user: CurrentUser, code: str, institution_code: str
) -> Response:
    course = _editable(session, actor, code)
    partners.remove_partner(session, actor, course.id, institution_code)
    return see_other(f"/courses/{code}/edit?partners=1#partners")


@router.post("/courses/{code}/publish")
def publish(session: SessionDep, actor: PortalActor, _user: CurrentUser, code: str) -> Response:
    courses.publish_course(session, actor, _editable(session, actor, code).id)
    return see_other(f"/courses/{code}/edit?published=1")


@router.post("/courses/{code}/sections")
def add_section(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    code: str,
    title: FormText = "",
    summary: FormText = "",
) -> Response:
    course = _editable(session, actor, code)
    with attempt_form(request, session) as attempt:
        content.add_section(session, actor, course.id, SectionCreate(title=title, summary=summary))
    if attempt.refused:
        errors = {"section_title": attempt.errors.get("title", attempt.message)}
        return _edit_page(request, session, actor, course, {"section_title": title}, errors)
    return see_other(f"/courses/{code}/edit")


def _module_form(
    request: Request,
    course: Course,
    section: Section,
    form: dict[str, object] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    context = {
        "course": course,
        "section": section,
        "form": form
        or {"kind": "page", "completion": "viewed", "required": True, "status": "draft"},
        "errors": errors or {},
        # An LTI module is placed from its registered tool (`/lti/sections/{id}/tools`).
        "kinds": [kind.value for kind in ModuleKind if kind is not ModuleKind.LTI],
        "rules": [rule.value for rule in CompletionRule],
    }
    return render(request, "courses/module_form.html", context, 400 if errors else 200)


def _section(session: SessionDep, actor: PortalActor, section_id: Id) -> tuple[Section, Course]:
    return content.editable_section(session, actor, section_id)


@router.get("/sections/{section_id}/modules/new")
def new_module(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, section_id: Id
) -> Response:
    section, course = _section(session, actor, section_id)
    return _module_form(request, course, section)


@router.post("/sections/{section_id}/modules/new")
def create_module(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    settings: SettingsDep,
    _user: CurrentUser,
    section_id: Id,
    key: FormText = "",
    kind: FormText = "page",
    title: FormText = "",
    body: FormText = "",
    url: FormText = "",
    description: FormText = "",
    completion_rule: FormText = "viewed",
    required: Annotated[bool, Form()] = False,
    requires: FormText = "",
    status: FormText = "draft",  # new content stays a draft until published
) -> Response:
    section, course = _section(session, actor, section_id)
    typed: dict[str, object] = {
        "key": key, "kind": kind, "title": title, "body": body, "url": url or None,
        "description": description, "completion": completion_rule, "required": required,
        "requires": [k.strip() for k in requires.split(",") if k.strip()], "status": status,
    }  # fmt: skip
    with attempt_form(request, session) as attempt:
        module = content.add_module(
            session, actor, settings, section.id, ModuleCreate.model_validate(typed)
        )
    if attempt.refused:
        shown = {**typed, "requires": requires, "url": url}
        return _module_form(request, course, section, shown, attempt.errors)
    return see_other(f"/courses/{course.code}/modules/{module.id}")


@router.post("/modules/{module_id}/upload")
def upload(
    session: SessionDep,
    actor: PortalActor,
    settings: SettingsDep,
    _user: CurrentUser,
    module_id: Id,
    file: Annotated[UploadFile, File()],
) -> Response:
    module, course = content.editable_module(session, actor, module_id)
    content.attach_file(session, actor, settings, module.id, file.file, file.filename or "")
    return see_other(f"/courses/{course.code}/modules/{module.id}?uploaded=1")


@router.post("/modules/{module_id}/move")
def move(
    session: SessionDep,
    actor: PortalActor,
    settings: SettingsDep,
    _user: CurrentUser,
    module_id: Id,
    position: Annotated[int, Form(ge=0, le=MAX_INT)],
) -> Response:
    module, course = content.editable_module(session, actor, module_id)
    content.update_module(session, actor, settings, module.id, ModuleUpdate(position=position))
    return see_other(f"/courses/{course.code}/edit")
