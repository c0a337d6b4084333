"""Teachers' pages: edit a course, add sections and modules, upload files, reorder, publish.
Each form calls the same service functions as the API."""

from collections.abc import Mapping
from typing import Annotated

from fastapi import File, Form, Request, UploadFile
from fastapi.responses import Response
from pydantic import ValidationError

from app.accounts.deps import CurrentUser, PortalActor, SettingsDep, page_router
from app.core.db import SessionDep
from app.core.errors import Invalid
from app.core.web import field_errors, render, see_other
from app.courses.models import CompletionRule, Course, ModuleKind, Section
from app.courses.schemas import CourseUpdate, ModuleCreate, ModuleUpdate, SectionCreate
from app.courses.service import completion, content, courses

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
    context = {
        "course": course,
        "form": form or {},
        "errors": errors or {},
        "sections": sections,
        "warning": courses.workload_warning(course.ects, course.workload_hours),
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
    try:
        courses.update_course(session, actor, course.id, CourseUpdate.model_validate(typed), None)
    except (ValidationError, Invalid) as error:
        return _edit_page(request, session, actor, course, typed, field_errors(error))
    return see_other(f"/courses/{code}/edit?saved=1")


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
    try:
        content.add_section(session, actor, course.id, SectionCreate(title=title, summary=summary))
    except ValidationError as error:
        typed = {"section_title": title}
        return _edit_page(
            request,
            session,
            actor,
            course,
            typed,
            {"section_title": field_errors(error).get("title", "")},
        )
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
        "form": form or {"kind": "page", "completion": "viewed", "required": True},
        "errors": errors or {},
        "kinds": [kind.value for kind in ModuleKind],
        "rules": [rule.value for rule in CompletionRule],
    }
    return render(request, "courses/module_form.html", context, 400 if errors else 200)


def _section(session: SessionDep, actor: PortalActor, section_id: int) -> tuple[Section, Course]:
    return content.editable_section(session, actor, section_id)


@router.get("/sections/{section_id}/modules/new")
def new_module(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, section_id: int
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
    section_id: int,
    key: FormText = "",
    kind: FormText = "page",
    title: FormText = "",
    body: FormText = "",
    url: FormText = "",
    description: FormText = "",
    completion_rule: FormText = "viewed",
    required: Annotated[bool, Form()] = False,
    requires: FormText = "",
) -> Response:
    section, course = _section(session, actor, section_id)
    typed: dict[str, object] = {
        "key": key, "kind": kind, "title": title, "body": body, "url": url or None,
        "description": description, "completion": completion_rule, "required": required,
        "requires": [k.strip() for k in requires.split(",") if k.strip()],
    }  # fmt: skip
    try:
        module = content.add_module(
            session, actor, settings, section.id, ModuleCreate.model_validate(typed)
        )
    except (ValidationError, Invalid) as error:
        shown = {**typed, "requires": requires, "url": url}
        return _module_form(request, course, section, shown, field_errors(error))
    return see_other(f"/courses/{course.code}/modules/{module.id}")


@router.post("/modules/{module_id}/upload")
def upload(
    session: SessionDep,
    actor: PortalActor,
    settings: SettingsDep,
    _user: CurrentUser,
    module_id: int,
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
    module_id: int,
    position: Annotated[int, Form(ge=0)],
) -> Response:
    module, course = content.editable_module(session, actor, module_id)
    content.update_module(session, actor, settings, module.id, ModuleUpdate(position=position))
    return see_other(f"/courses/{course.code}/edit")
