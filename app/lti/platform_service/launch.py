"""Launching a tool (LTI Core 1.3 §5, 1EdTech Security Framework §5.1.1): the OIDC
third-party-initiated login sends the browser to the tool's login initiation URL with a
`login_hint` (the person's `sub`) and a signed, short-lived `lti_message_hint` binding the
person, the module (or, for Deep Linking, the section) and the message type. The tool's
authentication request comes back to `/lti/authorize`, where every OIDC parameter is checked
and the hints must name the signed-in person; the answer is an id_token signed RS256 with our
key, form-posted to a redirect URI registered for the tool. Nothing is written."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.actors import Actor
from app.core.config import Settings
from app.core.errors import Forbidden, Invalid, NotFound, Unauthenticated
from app.core.i18n import N_
from app.courses.models import Course, ModuleKind
from app.courses.service import content
from app.lti import policy
from app.lti.platform_models import LtiLink, LtiTool
from app.lti.platform_schemas import ServiceScope
from app.lti.platform_service import links, ours
from app.lti.platform_service.ours import AGS_CLAIM, DL, LTI, NRPS_CLAIM
from app.membership.models import CourseRole

RESOURCE_LINK = "LtiResourceLinkRequest"
DEEP_LINKING = "LtiDeepLinkingRequest"
HINT = "lti_message_hint"
DL_DATA = "lti_deep_linking_data"
HINT_LIFETIME = timedelta(minutes=5)
ID_TOKEN_LIFETIME = timedelta(minutes=5)
DL_DATA_LIFETIME = timedelta(hours=1)
MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
LEARNER = MEMBERSHIP + "Learner"
INSTRUCTOR = MEMBERSHIP + "Instructor"
COURSE_OFFERING = "http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"
AGS_SCOPES = frozenset(
    {ServiceScope.LINEITEM, ServiceScope.LINEITEM_READONLY, ServiceScope.RESULT_READONLY,
     ServiceScope.SCORE}
)  # fmt: skip


class NotLaunchable(NotFound):
    code = "lti_not_launchable"
    title = N_("This module launches no external tool.")


class NoDeepLinking(NotFound):
    code = "lti_no_deep_linking"
    title = N_("This tool offers no content to pick (no Deep Linking URL is registered).")


class BadAuthRequest(Invalid):
    code = "lti_bad_authentication_request"
    title = N_("The tool's authentication request is malformed or incomplete.")


class UnknownRedirect(Invalid):
    code = "lti_unknown_redirect_uri"
    title = N_("The tool asked to be answered at an address not registered for it.")


class NotYourLaunch(Forbidden):
    code = "lti_not_your_launch"
    title = N_("This launch was started by someone else, or it has expired. Start it again.")


class SignInToLaunch(Unauthenticated):
    code = "lti_sign_in_to_launch"
    title = N_("Sign in to Agora, then start the launch again.")


@dataclass(frozen=True)
class AuthRequest:
    scope: str | None
    response_type: str | None
    response_mode: str | None
    prompt: str | None
    client_id: str | None
    redirect_uri: str | None
    login_hint: str | None
    lti_message_hint: str | None
    nonce: str | None
    state: str | None


@dataclass(frozen=True)
class Answer:
    """The form the browser posts to the tool."""

    redirect_uri: str
    id_token: str
    state: str | None
    tool_name: str


def _with_query(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = urlencode([*parse_qsl(parts.query, keep_blank_values=True), *params.items()])
    return urlunsplit(parts._replace(query=query))


def _login_url(
    session: Session,
    settings: Settings,
    tool: LtiTool,
    user_id: int,
    target_link_uri: str,
    hint: dict[str, Any],
) -> str:
    signed = ours.sign(
        session, settings, HINT, {"sub": ours.subject(user_id), "tool": tool.id, **hint},
        HINT_LIFETIME,
    )  # fmt: skip
    return _with_query(
        tool.login_url,
        {
            "iss": ours.issuer(settings),
            "login_hint": ours.subject(user_id),
            "target_link_uri": target_link_uri,
            "lti_message_hint": signed,
            "client_id": tool.client_id,
            "lti_deployment_id": tool.deployment_id,
        },
    )


def _signed_in(actor: Actor) -> int:
    if actor.user_id is None:
        raise SignInToLaunch()
    return actor.user_id


def _launchable(
    session: Session, actor: Actor, module_id: int
) -> tuple[content.ModuleAccess, LtiLink]:
    access = content.read_module(session, actor, module_id)
    link = links.link_of_module(session, access.module.id)
    if access.module.kind is not ModuleKind.LTI or link is None:
        raise NotLaunchable()
    return access, link


def start(session: Session, actor: Actor, settings: Settings, module_id: int) -> str:
    """Where to send the reader of an LTI module: the tool's login initiation URL."""
    user_id = _signed_in(actor)
    _access, link = _launchable(session, actor, module_id)
    tool = session.get_one(LtiTool, link.tool_id)
    hint = {"msg": RESOURCE_LINK, "module": module_id}
    return _login_url(session, settings, tool, user_id, link.url or tool.launch_url, hint)


def start_deep_linking(
    session: Session, actor: Actor, settings: Settings, section_id: int, tool_id: int
) -> str:
    """Where to send a teacher who picks content from a tool for a section."""
    user_id = _signed_in(actor)
    tool, section, _course = links.placeable_tool(session, actor, tool_id, section_id)
    if not tool.deep_linking_url:
        raise NoDeepLinking()
    hint = {"msg": DEEP_LINKING, "section": section.id}
    return _login_url(session, settings, tool, user_id, tool.deep_linking_url, hint)


# --- the authentication request ------------------------------------------------------------


def _tool_and_redirect(session: Session, wanted: AuthRequest) -> tuple[LtiTool, str]:
    from sqlalchemy import select

    if not wanted.client_id or not wanted.redirect_uri:
        raise BadAuthRequest()
    tool = session.scalar(select(LtiTool).where(LtiTool.client_id == wanted.client_id))
    if tool is None:
        raise BadAuthRequest(N_("No tool is registered with this client id."))
    allowed = {tool.launch_url, *tool.redirect_uris}
    if tool.deep_linking_url:
        allowed.add(tool.deep_linking_url)
    if wanted.redirect_uri not in allowed:
        raise UnknownRedirect()
    return tool, wanted.redirect_uri


def _check_oidc(wanted: AuthRequest) -> None:
    if (
        "openid" not in (wanted.scope or "").split()
        or wanted.response_type != "id_token"
        or wanted.response_mode != "form_post"
        or wanted.prompt != "none"
        or not wanted.nonce
        or len(wanted.nonce) > 1000
        or (wanted.state is not None and len(wanted.state) > 2000)
    ):
        raise BadAuthRequest()


def authorize(session: Session, actor: Actor, settings: Settings, wanted: AuthRequest) -> Answer:
    """The id_token for the launch the hints describe, if they name the signed-in person and
    the tool asking; refused otherwise, before any redirect to the tool."""
    tool, redirect_uri = _tool_and_redirect(session, wanted)
    _check_oidc(wanted)
    user_id = _signed_in(actor)
    try:
        hint = ours.verify(session, settings, wanted.lti_message_hint, HINT)
    except ours.NotOurs:
        raise NotYourLaunch() from None
    sub = ours.subject(user_id)
    if hint.get("sub") != sub or wanted.login_hint != sub or hint.get("tool") != tool.id:
        raise NotYourLaunch()
    user = session.get_one(User, user_id)
    if hint.get("msg") == RESOURCE_LINK and isinstance(hint.get("module"), int):
        claims = _resource_link_claims(session, actor, settings, tool, user, hint["module"])
    elif hint.get("msg") == DEEP_LINKING and isinstance(hint.get("section"), int):
        claims = _deep_linking_claims(session, actor, settings, tool, user, hint["section"])
    else:
        raise NotYourLaunch()
    claims["nonce"] = wanted.nonce
    token = ours.sign(session, settings, "id_token", claims, ID_TOKEN_LIFETIME)
    return Answer(redirect_uri, token, wanted.state, tool.name)


def _person(tool: LtiTool, user: User, claims: dict[str, Any]) -> None:
    if tool.share_name:
        claims["name"] = user.display_name
    if tool.share_email:
        claims["email"] = user.email


def _common(
    settings: Settings, tool: LtiTool, user: User, course: Course, message_type: str,
    roles: list[str], target_link_uri: str,
) -> dict[str, Any]:  # fmt: skip
    claims: dict[str, Any] = {
        "aud": tool.client_id,
        "azp": tool.client_id,
        "sub": ours.subject(user.id),
        f"{LTI}message_type": message_type,
        f"{LTI}version": "1.3.0",
        f"{LTI}deployment_id": tool.deployment_id,
        f"{LTI}target_link_uri": target_link_uri,
        f"{LTI}roles": roles,
        f"{LTI}context": {
            "id": str(course.id),
            "label": course.code,
            "title": course.title,
            "type": [COURSE_OFFERING],
        },
        f"{LTI}tool_platform": {
            "guid": ours.issuer(settings),
            "name": "Agora",
            "product_family_code": "agora",
        },
    }
    _person(tool, user, claims)
    if ServiceScope.MEMBERSHIPS in tool.scopes:
        claims[NRPS_CLAIM] = {
            "context_memberships_url": ours.endpoint(
                settings, f"/lti/nrps/courses/{course.id}/memberships"
            ),
            "service_versions": ["2.0"],
        }
    return claims


def _roles(actor: Actor, roles: frozenset[CourseRole]) -> list[str]:
    return [INSTRUCTOR if policy.is_instructor(actor, roles) else LEARNER]


def _resource_link_claims(
    session: Session, actor: Actor, settings: Settings, tool: LtiTool, user: User, module_id: int
) -> dict[str, Any]:
    access, link = _launchable(session, actor, module_id)
    if link.tool_id != tool.id:
        raise NotYourLaunch()
    course = access.course.course
    claims = _common(
        settings, tool, user, course, RESOURCE_LINK, _roles(actor, access.course.roles),
        link.url or tool.launch_url,
    )  # fmt: skip
    claims[f"{LTI}resource_link"] = {"id": link.resource_link_id, "title": access.module.title}
    claims[f"{LTI}custom"] = {**tool.custom, **link.custom}
    claims[f"{LTI}launch_presentation"] = {
        "locale": user.preferred_language, "document_target": "window",
        "return_url": ours.endpoint(settings, f"/courses/{course.code}/modules/{module_id}"),
    }  # fmt: skip
    ags = sorted(s for s in tool.scopes if s in AGS_SCOPES)
    if ags:
        endpoint: dict[str, Any] = {
            "scope": ags,
            "lineitems": ours.endpoint(settings, f"/lti/ags/courses/{course.id}/lineitems"),
        }
        items = links.line_items_of(session, link)
        if items:
            endpoint["lineitem"] = f"{endpoint['lineitems']}/{items[0].id}"
        claims[AGS_CLAIM] = endpoint
    return claims


def _deep_linking_claims(
    session: Session, actor: Actor, settings: Settings, tool: LtiTool, user: User, section_id: int
) -> dict[str, Any]:
    tool, section, course = links.placeable_tool(session, actor, tool.id, section_id)
    if not tool.deep_linking_url:
        raise NoDeepLinking()
    claims = _common(
        settings, tool, user, course, DEEP_LINKING, [INSTRUCTOR], tool.deep_linking_url
    )
    data = ours.sign(
        session, settings, DL_DATA,
        {"sub": ours.subject(user.id), "tool": tool.id, "section": section.id,
         "course": course.id},
        DL_DATA_LIFETIME,
    )  # fmt: skip
    claims[f"{DL}deep_linking_settings"] = {
        "deep_link_return_url": ours.endpoint(settings, "/lti/deep-linking/return"),
        "accept_types": ["ltiResourceLink"],
        "accept_presentation_document_targets": ["window", "iframe"],
        "accept_multiple": True,
        "auto_create": True,
        "title": section.title,
        "data": data,
    }
    claims[f"{LTI}launch_presentation"] = {
        "locale": user.preferred_language, "document_target": "window",
        "return_url": ours.endpoint(settings, f"/courses/{course.code}"),
    }  # fmt: skip
    return claims
