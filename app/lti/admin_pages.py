"""The managers' LTI page: external tools registered in Agora (Agora as platform) and partner
LMSs registered to launch into Agora (Agora as tool), each with the endpoints to enter on the
other side. Every rule is the services'; these routes parse forms and render."""

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import Response

from app.accounts import service as accounts
from app.accounts.deps import CurrentUser, PortalActor, SettingsDep, page_router
from app.core.actors import Actor
from app.core.db import SessionDep
from app.core.forms import attempt_form
from app.core.inputs import Id
from app.core.web import render, see_other
from app.lti.platform_schemas import ServiceScope, ToolCreate
from app.lti.platform_service import tools
from app.lti.tool_schemas import PlatformCreate
from app.lti.tool_service import platforms

router = page_router("/admin/lti")
FormField = Annotated[str, Form(max_length=20_000)]
Ticked = Annotated[list[str] | None, Form()]
HOME = "/admin/lti"


def lines(text: str) -> list[str]:
    """The non-blank lines of a textarea, trimmed."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def custom_parameters(text: str) -> dict[str, str]:
    """`name=value` lines as a dict; a line without `=` is a name with an empty value."""
    pairs = (line.partition("=") for line in lines(text))
    return {name.strip(): value.strip() for name, _, value in pairs}


@router.get("")
def registrations(
    request: Request, session: SessionDep, actor: PortalActor, _user: CurrentUser
) -> Response:
    return _list_page(request, session, actor)


def _list_page(
    request: Request,
    session: SessionDep,
    actor: Actor,
    *,
    tool_form: dict[str, object] | None = None,
    platform_form: dict[str, object] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    context: dict[str, object] = {
        "tools": tools.tools(session, actor),
        "platforms": platforms.platforms(session, actor),
        "institutions": accounts.list_institutions(session, actor),
        "scopes": [s.value for s in ServiceScope],
        "tool_form": tool_form or {"scopes": [s.value for s in ServiceScope]},
        "platform_form": platform_form or {},
        "tool_errors": errors if tool_form is not None else {},
        "platform_errors": errors if platform_form is not None else {},
    }
    return render(request, "lti/admin_lti.html", context, status)


@router.post("/tools")
def register_tool(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    settings: SettingsDep,
    _user: CurrentUser,
    name: FormField = "",
    institution_id: FormField = "",
    client_id: FormField = "",
    deployment_id: FormField = "",
    login_url: FormField = "",
    launch_url: FormField = "",
    redirect_uris: FormField = "",
    jwks_url: FormField = "",
    public_key: FormField = "",
    deep_linking_url: FormField = "",
    custom: FormField = "",
    share_name: FormField = "",
    share_email: FormField = "",
    scopes: Ticked = None,
) -> Response:
    typed: dict[str, object] = {
        "name": name, "institution_id": institution_id or None, "client_id": client_id or None,
        "deployment_id": deployment_id or "1", "login_url": login_url, "launch_url": launch_url,
        "redirect_uris": lines(redirect_uris), "jwks_url": jwks_url or None,
        "public_key": public_key or None, "deep_linking_url": deep_linking_url or None,
        "custom": custom_parameters(custom), "share_name": share_name == "1",
        "share_email": share_email == "1", "scopes": scopes or [],
    }  # fmt: skip
    with attempt_form(request, session) as attempt:
        created = tools.register(session, actor, settings, ToolCreate.model_validate(typed))
    if attempt.refused:
        shown = {**typed, "redirect_uris": redirect_uris, "custom": custom}
        return _list_page(
            request, session, actor, tool_form=shown, errors=attempt.errors, status=400
        )
    return see_other(f"{HOME}/tools/{created.id}")


@router.get("/tools/{tool_id}")
def tool(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    settings: SettingsDep,
    _user: CurrentUser,
    tool_id: Id,
) -> Response:
    found = tools.tool(session, actor, tool_id)
    context = {"tool": found, "ours": tools.endpoints(settings, found)}
    return render(request, "lti/admin_lti_tool.html", context)


@router.post("/tools/{tool_id}/delete")
def remove_tool(
    session: SessionDep, actor: PortalActor, _user: CurrentUser, tool_id: Id
) -> Response:
    tools.remove(session, actor, tool_id)
    return see_other(f"{HOME}?deleted=1")


@router.post("/platforms")
def register_platform(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    settings: SettingsDep,
    _user: CurrentUser,
    name: FormField = "",
    institution_id: FormField = "",
    issuer: FormField = "",
    client_id: FormField = "",
    deployment_ids: FormField = "",
    auth_login_url: FormField = "",
    auth_token_url: FormField = "",
    jwks_url: FormField = "",
) -> Response:
    typed: dict[str, object] = {
        "name": name, "institution_id": institution_id or None, "issuer": issuer,
        "client_id": client_id, "deployment_ids": lines(deployment_ids),
        "auth_login_url": auth_login_url, "auth_token_url": auth_token_url,
        "jwks_url": jwks_url,
    }  # fmt: skip
    with attempt_form(request, session) as attempt:
        created = platforms.register(session, actor, settings, PlatformCreate.model_validate(typed))
    if attempt.refused:
        shown = {**typed, "deployment_ids": deployment_ids}
        return _list_page(
            request, session, actor, platform_form=shown, errors=attempt.errors, status=400
        )
    return see_other(f"{HOME}/platforms/{created.id}")


@router.get("/platforms/{platform_id}")
def platform(
    request: Request,
    session: SessionDep,
    actor: PortalActor,
    settings: SettingsDep,
    _user: CurrentUser,
    platform_id: Id,
) -> Response:
    context = {
        "platform": platforms.platform(session, actor, platform_id),
        "ours": platforms.tool_endpoints(settings),
    }
    return render(request, "lti/admin_lti_platform.html", context)


@router.post("/platforms/{platform_id}/delete")
def remove_platform(
    session: SessionDep, actor: PortalActor, _user: CurrentUser, platform_id: Id
) -> Response:
    platforms.remove(session, actor, platform_id)
    return see_other(f"{HOME}?deleted=1")


routers = [router]
