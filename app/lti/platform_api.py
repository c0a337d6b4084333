"""Agora as an LTI 1.3 platform. Under /api/v1: the external tools registered by an
institution's managers or its partner client (`lti:manage`), or the coordinators, and placed in
a course as a module by its editors. Outside it, the protocol endpoints tools call: the OAuth 2
token endpoint (RFC 6749 errors), Assignment and Grade Services and Names and Role
Provisioning, answering JSON errors `{"error": …, "error_description": …}` with 400, 401, 403,
404, 409 or 415. The browser's side of a launch is in `app.lti.platform_pages`."""

import json
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, Response

from app.accounts.deps import SettingsDep, SignedInApiActor
from app.core.config import Settings
from app.core.db import SessionDep, refuse_request
from app.core.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    ServiceUnavailable,
    Unauthenticated,
)
from app.core.i18n import N_
from app.core.inputs import Id
from app.core.routes import DeferredRoute
from app.lti import platform_pages
from app.lti.platform_models import LtiLineItem, LtiLink, LtiTool
from app.lti.platform_schemas import (
    PlacementCreate,
    PlacementRead,
    ToolCreate,
    ToolRead,
    ToolRegistered,
    ToolUpdate,
)
from app.lti.platform_service import ags, links, nrps, tokens, tools

router = APIRouter(prefix="/lti/tools", tags=["lti"], route_class=DeferredRoute)
protocol_router = APIRouter(include_in_schema=False, route_class=DeferredRoute)
protocol_router.include_router(platform_pages.router)

LINEITEM = "application/vnd.ims.lis.v2.lineitem+json"
LINEITEMS = "application/vnd.ims.lis.v2.lineitemcontainer+json"
SCORE = "application/vnd.ims.lis.v1.score+json"
RESULTS = "application/vnd.ims.lis.v2.resultcontainer+json"
MEMBERSHIPS = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
FormField = Annotated[str | None, Form(max_length=20_000)]


def _registered(tool: LtiTool, settings: Settings) -> ToolRegistered:
    read = ToolRead.model_validate(tool).model_dump()
    return ToolRegistered(**read, platform=tools.endpoints(settings, tool))


@router.get("", response_model=list[ToolRead])
def list_tools(session: SessionDep, actor: SignedInApiActor) -> object:
    """The external tools registered for the caller's institution (every one, platform-wide
    ones included, for a coordinator)."""
    return tools.tools(session, actor)


@router.post("", response_model=ToolRegistered, status_code=201)
def register_tool(
    data: ToolCreate, session: SessionDep, actor: SignedInApiActor, settings: SettingsDep
) -> ToolRegistered:
    """Register an LTI 1.3 tool: its OIDC login initiation URL, launch URL, redirect URIs,
    JWKS URL or public key, deployment id and optional Deep Linking URL. The reply's
    `platform` gives what to enter in the tool: Agora's issuer, authorisation, token and JWKS
    endpoints and the client id (generated when not given)."""
    return _registered(tools.register(session, actor, settings, data), settings)


@router.get("/{tool_id:int}", response_model=ToolRegistered)
def read_tool(
    tool_id: Id, session: SessionDep, actor: SignedInApiActor, settings: SettingsDep
) -> ToolRegistered:
    """One tool's registration, with Agora's endpoints for it."""
    return _registered(tools.tool(session, actor, tool_id), settings)


@router.patch("/{tool_id:int}", response_model=ToolRegistered)
def update_tool(
    tool_id: Id,
    data: ToolUpdate,
    session: SessionDep,
    actor: SignedInApiActor,
    settings: SettingsDep,
) -> ToolRegistered:
    """Change a registration (new URLs, a rotated key, other scopes); the fields left out
    keep their values. Exactly one of `jwks_url` and `public_key` must remain."""
    return _registered(tools.update(session, actor, settings, tool_id, data), settings)


@router.delete("/{tool_id:int}", status_code=204)
def remove_tool(tool_id: Id, session: SessionDep, actor: SignedInApiActor) -> None:
    """Remove the registration: its modules can no longer be launched and its tokens stop
    working. Grades it posted stay in the gradebook."""
    tools.remove(session, actor, tool_id)


@router.post("/{tool_id:int}/placements", response_model=PlacementRead, status_code=201)
def place_tool(
    tool_id: Id,
    data: PlacementCreate,
    session: SessionDep,
    actor: SignedInApiActor,
    settings: SettingsDep,
) -> PlacementRead:
    """Place the tool in a course section as a module its readers launch it from (for the
    course's editors; a tool of another institution cannot be placed). With `line_item`, the
    tool gets a gradebook item to post scores to through AGS."""
    link, item = links.place(session, actor, settings, tool_id, data)
    return _placement(link, item)


def _placement(link: LtiLink, item: LtiLineItem | None) -> PlacementRead:
    read = PlacementRead.model_validate(link)
    return read.model_copy(update={"line_item_id": item.id if item else None})


routers = [router]


# --- protocol: errors ----------------------------------------------------------------------


def _status(error: DomainError) -> int:
    for cls, status in (
        (Unauthenticated, 401), (Forbidden, 403), (NotFound, 404), (Conflict, 409),
        (ServiceUnavailable, 503),
    ):  # fmt: skip
        if isinstance(error, cls):
            return status
    return 400


def _error(request: Request, error: DomainError) -> JSONResponse:
    """The refusal as JSON; nothing the request wrote is kept."""
    refuse_request(request)
    status = _status(error)
    headers = {"Cache-Control": "no-store"}
    if status == 401 and request.url.path != "/lti/token":
        headers["WWW-Authenticate"] = f'Bearer error="{error.code}"'
    elif status == 403:
        headers["WWW-Authenticate"] = 'Bearer error="insufficient_scope"'
    body = {"error": error.code, "error_description": error.detail}
    return JSONResponse(body, status_code=status, headers=headers)


def _json(payload: object, media_type: str, status: int = 200) -> JSONResponse:
    return JSONResponse(payload, status_code=status, media_type=media_type)


def _answer(request: Request, work: Callable[[], Response]) -> Response:
    try:
        return work()
    except DomainError as error:
        return _error(request, error)


# --- protocol: the token endpoint ----------------------------------------------------------


@protocol_router.post("/lti/token")
def token(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    grant_type: FormField = None,
    client_assertion_type: FormField = None,
    client_assertion: FormField = None,
    scope: FormField = None,
) -> Response:
    wanted = tokens.TokenRequest(grant_type, client_assertion_type, client_assertion, scope)

    def work() -> Response:
        granted = tokens.grant(session, settings, wanted)
        body = {
            "access_token": granted.access_token, "token_type": "Bearer",
            "expires_in": granted.expires_in, "scope": granted.scope,
        }  # fmt: skip
        return JSONResponse(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    return _answer(request, work)


# --- protocol: AGS and NRPS ----------------------------------------------------------------


class _Body:
    """The request's JSON body, or why it is not one."""

    def __init__(self, value: object, media_type: str, ok: bool) -> None:
        self.value, self.media_type, self.ok = value, media_type, ok


async def json_body(request: Request) -> _Body:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    raw = await request.body()
    try:
        return _Body(json.loads(raw), media_type, True)
    except (ValueError, UnicodeDecodeError):
        return _Body(None, media_type, False)


JsonBody = Annotated[_Body, Depends(json_body)]


class BadBody(Invalid):
    code = "invalid_request"
    title = N_("The body is not JSON of the media type this endpoint takes.")


def _parsed(body: _Body, *accepted: str) -> object:
    if body.media_type not in (*accepted, "application/json") or not body.ok:
        raise BadBody()
    return body.value


def _caller(request: Request, session: SessionDep, settings: Settings) -> tokens.Caller:
    return tokens.caller(session, settings, request.headers.get("authorization"))


LINE_ITEMS = "/lti/ags/courses/{course_id:int}/lineitems"


@protocol_router.get(LINE_ITEMS)
def list_line_items(
    course_id: int,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    resource_link_id: str | None = None,
    resource_id: str | None = None,
    tag: str | None = None,
) -> Response:
    filters = {"resource_link_id": resource_link_id, "resource_id": resource_id, "tag": tag}

    def work() -> Response:
        caller = _caller(request, session, settings)
        found = ags.line_items(session, caller, course_id, filters)
        return _json(ags.as_json_list(session, settings, found), LINEITEMS)

    return _answer(request, work)


@protocol_router.post(LINE_ITEMS)
def create_line_item(
    course_id: int, request: Request, session: SessionDep, settings: SettingsDep, body: JsonBody
) -> Response:
    def work() -> Response:
        caller = _caller(request, session, settings)
        item = ags.create_line_item(session, caller, course_id, _parsed(body, LINEITEM))
        return _json(ags.as_json(session, settings, item), LINEITEM, 201)

    return _answer(request, work)


LINE_ITEM = LINE_ITEMS + "/{item_id:int}"


@protocol_router.get(LINE_ITEM)
def read_line_item(
    course_id: int, item_id: int, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    def work() -> Response:
        caller = _caller(request, session, settings)
        item = ags.line_item(session, caller, course_id, item_id)
        return _json(ags.as_json(session, settings, item), LINEITEM)

    return _answer(request, work)


@protocol_router.put(LINE_ITEM)
def update_line_item(
    course_id: int,
    item_id: int,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    body: JsonBody,
) -> Response:
    def work() -> Response:
        caller = _caller(request, session, settings)
        item = ags.update_line_item(session, caller, course_id, item_id, _parsed(body, LINEITEM))
        return _json(ags.as_json(session, settings, item), LINEITEM)

    return _answer(request, work)


@protocol_router.delete(LINE_ITEM)
def delete_line_item(
    course_id: int, item_id: int, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    def work() -> Response:
        caller = _caller(request, session, settings)
        ags.delete_line_item(session, caller, course_id, item_id)
        return Response(status_code=204)

    return _answer(request, work)


@protocol_router.post(LINE_ITEM + "/scores")
def post_score(
    course_id: int,
    item_id: int,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    body: JsonBody,
) -> Response:
    def work() -> Response:
        caller = _caller(request, session, settings)
        ags.post_score(session, caller, course_id, item_id, _parsed(body, SCORE))
        return Response(status_code=204)

    return _answer(request, work)


@protocol_router.get(LINE_ITEM + "/results")
def list_results(
    course_id: int,
    item_id: int,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user_id: str | None = None,
) -> Response:
    def work() -> Response:
        caller = _caller(request, session, settings)
        found = ags.results(session, settings, caller, course_id, item_id, user_id)
        return _json(found, RESULTS)

    return _answer(request, work)


@protocol_router.get("/lti/nrps/courses/{course_id:int}/memberships")
def list_memberships(
    course_id: int, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    def work() -> Response:
        caller = _caller(request, session, settings)
        return _json(nrps.memberships(session, settings, caller, course_id), MEMBERSHIPS)

    return _answer(request, work)
