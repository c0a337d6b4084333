"""The browser's side of Agora launching an external tool: the module page's "Launch" link,
the launch (OIDC third-party-initiated login) and the authentication request's answer, a form
that posts the id_token to the tool (a button, so it works without JavaScript; a one-line
script presses it where scripts run), and a teacher's "add content from a tool" (Deep Linking)
with the tool's answer coming back. These routes carry no CSRF token: the tool's requests come
cross-site, and each is bound instead by a token we signed for this person."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from app.accounts.deps import CurrentUser, PortalActor, SettingsDep, verify_csrf
from app.core.actors import Actor
from app.core.db import SessionDep
from app.core.errors import (
    DomainError,
    Forbidden,
    NotFound,
    ServiceUnavailable,
    Unauthenticated,
)
from app.core.forms import attempt_form
from app.core.routes import DeferredRoute
from app.core.web import render, see_other
from app.courses.extensions import module_extra
from app.courses.models import Course, Module
from app.lti.platform_schemas import PlacementCreate
from app.lti.platform_service import deep_linking, launch, links
from app.membership.models import CourseRole

router = APIRouter(include_in_schema=False, route_class=DeferredRoute)
Field = Annotated[str | None, Form(max_length=20_000)]


@module_extra
def lti_launch(
    session: Session, _actor: Actor, _roles: frozenset[CourseRole], module: Module
) -> dict[str, Any]:
    found = links.launch_of(session, module)
    return {"lti_launch": found} if found is not None else {}


def _refused(request: Request, error: DomainError) -> Response:
    """The refusal as a page in the reader's language; nothing the request wrote is kept."""
    status = 400
    if isinstance(error, NotFound):
        status = 404
    elif isinstance(error, Unauthenticated):
        status = 401
    elif isinstance(error, Forbidden):
        status = 403
    elif isinstance(error, ServiceUnavailable):
        status = 503
    context = {"status": status, "code": error.code, "detail": error.detail}
    return render(request, "lti/platform_refused.html", context, status=status)


@router.get("/lti/modules/{module_id:int}/launch")
def launch_module(
    module_id: int, session: SessionDep, actor: PortalActor, settings: SettingsDep
) -> Response:
    return RedirectResponse(launch.start(session, actor, settings, module_id), status_code=302)


@router.get("/lti/sections/{section_id:int}/tools")
def content_sources(
    section_id: int,
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    _user: CurrentUser,
) -> Response:
    return _content_sources(request, session, actor, section_id)


def _content_sources(
    request: Request,
    session: Session,
    actor: Actor,
    section_id: int,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    section, course, found = links.content_sources(session, actor, section_id)
    context = {
        "section": section, "course": course, "tools": found, "form": form or {},
        "errors": errors or {},
    }  # fmt: skip
    return render(request, "lti/platform_deep_linking.html", context, 400 if errors else 200)


@router.post(
    "/lti/sections/{section_id:int}/tools/{tool_id:int}/placements",
    dependencies=[Depends(verify_csrf)],
)
def place_tool(
    section_id: int,
    tool_id: int,
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    settings: SettingsDep,
    _user: CurrentUser,
    title: Annotated[str, Form(max_length=1000)] = "",
    score_maximum: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """A teacher's "add the tool as a module", with a gradebook column when points are given."""
    typed: dict[str, object] = {"section_id": section_id, "title": title}
    if score_maximum.strip():
        typed["line_item"] = {"score_maximum": score_maximum.strip()}
    with attempt_form(request, session) as attempt:
        link, _item = links.place(
            session, actor, settings, tool_id, PlacementCreate.model_validate(typed)
        )
    if attempt.refused:
        shown = {"tool_id": str(tool_id), "title": title, "score_maximum": score_maximum}
        errors = {
            ("score_maximum" if k == "line_item" else k): v for k, v in attempt.errors.items()
        }
        return _content_sources(request, session, actor, section_id, form=shown, errors=errors)
    module = session.get_one(Module, link.module_id)
    course = session.get_one(Course, module.course_id)
    return see_other(f"/courses/{course.code}/modules/{module.id}")


@router.get("/lti/sections/{section_id:int}/tools/{tool_id:int}/deep-linking")
def pick_content(
    section_id: int,
    tool_id: int,
    session: SessionDep,
    actor: PortalActor,
    settings: SettingsDep,
    _user: CurrentUser,
) -> Response:
    url = launch.start_deep_linking(session, actor, settings, section_id, tool_id)
    return RedirectResponse(url, status_code=302)


def _authorize(
    request: Request, session: Session, actor: Actor, settings: Any, wanted: launch.AuthRequest
) -> Response:
    try:
        answer = launch.authorize(session, actor, settings, wanted)
    except DomainError as error:
        return _refused(request, error)
    page = render(request, "lti/platform_post.html", {"answer": answer})
    page.headers["Cache-Control"] = "no-store"
    return page


@router.get("/lti/authorize")
def authorize_by_link(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    settings: SettingsDep,
    scope: str | None = None,
    response_type: str | None = None,
    response_mode: str | None = None,
    prompt: str | None = None,
    client_id: str | None = None,
    redirect_uri: str | None = None,
    login_hint: str | None = None,
    lti_message_hint: str | None = None,
    nonce: str | None = None,
    state: str | None = None,
) -> Response:
    wanted = launch.AuthRequest(
        scope, response_type, response_mode, prompt, client_id, redirect_uri, login_hint,
        lti_message_hint, nonce, state,
    )  # fmt: skip
    return _authorize(request, session, actor, settings, wanted)


@router.post("/lti/authorize")
def authorize_by_form(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    settings: SettingsDep,
    scope: Field = None,
    response_type: Field = None,
    response_mode: Field = None,
    prompt: Field = None,
    client_id: Field = None,
    redirect_uri: Field = None,
    login_hint: Field = None,
    lti_message_hint: Field = None,
    nonce: Field = None,
    state: Field = None,
) -> Response:
    wanted = launch.AuthRequest(
        scope, response_type, response_mode, prompt, client_id, redirect_uri, login_hint,
        lti_message_hint, nonce, state,
    )  # fmt: skip
    return _authorize(request, session, actor, settings, wanted)


@router.post("/lti/deep-linking/return")
def deep_linking_return(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    settings: SettingsDep,
    JWT: Field = None,
) -> Response:
    try:
        placed = deep_linking.accept(session, actor, settings, JWT)
    except DomainError as error:
        return _refused(request, error)
    return RedirectResponse(f"/courses/{placed.course.code}", status_code=303)
