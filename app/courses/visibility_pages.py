"""Teachers' buttons for who sees what: hide or show a module or section, publish a draft
module. Each form calls the same service function as the API; each answers by the course's
edit page."""

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import Response

from app.accounts.deps import CurrentUser, PortalActor, page_router
from app.core.db import SessionDep
from app.core.forms import attempt_form
from app.core.inputs import Id
from app.core.web import see_other
from app.courses.authoring_pages import _edit_page
from app.courses.models import Course
from app.courses.schemas import VisibilityChange
from app.courses.service import content, visibility

router = page_router()
FormText = Annotated[str, Form()]


def _refused(
    request: Request, session: SessionDep, actor: PortalActor, course: Course, message: str
) -> Response:
    return _edit_page(request, session, actor, course, {}, {"form": message})


@router.post("/modules/{module_id}/visibility")
def set_module_visibility(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    module_id: Id,
    hidden: FormText = "",
) -> Response:
    """`hidden=true` hides the module from students, `hidden=false` shows it again."""
    module, course = content.editable_module(session, actor, module_id)
    with attempt_form(request, session) as attempt:
        change = VisibilityChange.model_validate({"hidden": hidden})
        visibility.set_module_hidden(session, actor, module.id, change)
    if attempt.refused:
        return _refused(request, session, actor, course, attempt.message)
    return see_other(f"/courses/{course.code}/edit#edit-module-{module.id}")


@router.post("/sections/{section_id}/visibility")
def set_section_visibility(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
    section_id: Id,
    hidden: FormText = "",
) -> Response:
    """`hidden=true` hides the section and its modules from students."""
    section, course = content.editable_section(session, actor, section_id)
    with attempt_form(request, session) as attempt:
        change = VisibilityChange.model_validate({"hidden": hidden})
        visibility.set_section_hidden(session, actor, section.id, change)
    if attempt.refused:
        return _refused(request, session, actor, course, attempt.message)
    return see_other(f"/courses/{course.code}/edit#edit-section-{section.id}")


@router.post("/modules/{module_id}/publish")
def publish_module(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser, module_id: Id
) -> Response:
    module, course = content.editable_module(session, actor, module_id)
    with attempt_form(request, session) as attempt:
        visibility.publish_module(session, actor, module.id)
    if attempt.refused:
        return _refused(request, session, actor, course, attempt.message)
    return see_other(f"/courses/{course.code}/edit?module_published=1#edit-module-{module.id}")
