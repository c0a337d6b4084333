"""External tools registered to be launched from Agora: registered, read, changed and removed
by whoever manages the institution's LTI registrations (`policy.can_manage_registration`); a
tool of another institution does not exist for the caller."""

import secrets
from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.accounts.service import audit
from app.core.actors import Actor, require
from app.core.addresses import UnsafeAddress, check_url
from app.core.config import Settings
from app.core.errors import Conflict, Invalid, NotFound
from app.core.i18n import N_
from app.lti import policy
from app.lti.platform_models import LtiTool
from app.lti.platform_schemas import PlatformEndpoints, ToolCreate, ToolUpdate
from app.lti.platform_service import ours
from app.lti.platform_service.tool_keys import public_key

URL_FIELDS = ("login_url", "launch_url", "jwks_url", "deep_linking_url")


class NoSuchTool(NotFound):
    code = "no_such_lti_tool"
    title = N_("No such LTI tool.")


class ClientIdTaken(Conflict):
    code = "lti_client_id_taken"
    title = N_("Another tool is registered with this client id.")


class KeyNeeded(Invalid):
    code = "lti_tool_key_needed"
    title = N_("Give exactly one of the tool's JWKS URL and its public key.")


class UnusableKey(Invalid):
    code = "lti_tool_key_unusable"
    title = N_("The public key is neither an RSA key in PEM form nor a JWK.")


def endpoints(settings: Settings, tool: LtiTool) -> PlatformEndpoints:
    return PlatformEndpoints(
        issuer=ours.issuer(settings),
        client_id=tool.client_id,
        deployment_id=tool.deployment_id,
        authorization_url=ours.endpoint(settings, "/lti/authorize"),
        token_url=ours.token_url(settings),
        jwks_url=ours.endpoint(settings, "/lti/jwks.json"),
        deep_linking_return_url=ours.endpoint(settings, "/lti/deep-linking/return"),
    )


def _check_urls(settings: Settings, tool: LtiTool) -> None:
    for name in URL_FIELDS:
        url = getattr(tool, name)
        if url is not None:
            _check(settings, url, name)
    for url in tool.redirect_uris:
        _check(settings, url, "redirect_uris")


def _check(settings: Settings, url: str, field: str) -> None:
    try:
        check_url(
            url,
            allow_http=settings.webhooks_allow_http,
            allow_loopback=settings.webhooks_allow_loopback,
        )
    except UnsafeAddress as refused:
        raise UnsafeAddress(refused.detail, field=field) from None


def _check_keys(tool: LtiTool) -> None:
    if (tool.jwks_url is None) == (tool.public_key is None):
        raise KeyNeeded(field="public_key" if tool.public_key else "jwks_url")
    if tool.public_key is not None:
        try:
            public_key(tool.public_key)
        except ValueError:
            raise UnusableKey(field="public_key") from None


def _institution_for(actor: Actor, wanted: int | None) -> int | None:
    if wanted is not None:
        return wanted
    return actor.institution_id if actor.is_confined else None


def register(session: Session, actor: Actor, settings: Settings, data: ToolCreate) -> LtiTool:
    """A tool of the caller's institution (or of the one named, if the caller manages it)."""
    require(policy.can_manage_lti(actor))
    institution_id = _institution_for(actor, data.institution_id)
    if not policy.can_manage_registration(actor, institution_id):
        raise NotFound(N_("No such institution."), field="institution_id")
    client_id = data.client_id or f"agora-tool-{secrets.token_hex(8)}"
    if session.scalar(select(LtiTool.id).where(LtiTool.client_id == client_id)):
        raise ClientIdTaken(field="client_id")
    tool = LtiTool(
        institution_id=institution_id, name=data.name, client_id=client_id,
        deployment_id=data.deployment_id, login_url=data.login_url, launch_url=data.launch_url,
        redirect_uris=list(data.redirect_uris), jwks_url=data.jwks_url,
        public_key=data.public_key, deep_linking_url=data.deep_linking_url,
        custom=dict(data.custom), share_name=data.share_name, share_email=data.share_email,
        scopes=[s.value for s in data.scopes],
    )  # fmt: skip
    _check_urls(settings, tool)
    _check_keys(tool)
    session.add(tool)
    session.flush()
    audit(session, actor, "lti.tool.register", f"lti_tool:{tool.id}", tool.client_id)
    return tool


def tools(session: Session, actor: Actor) -> Sequence[LtiTool]:
    """The caller's institution's tools and the platform-wide ones it may see."""
    require(policy.can_manage_lti(actor))
    stmt = select(LtiTool).order_by(LtiTool.id)
    if actor.is_confined:
        stmt = stmt.where(LtiTool.institution_id == actor.institution_id)
    return session.scalars(stmt).all()


def tool(session: Session, actor: Actor, tool_id: int) -> LtiTool:
    require(policy.can_manage_lti(actor))
    found = session.get(LtiTool, tool_id)
    if found is None or not policy.can_manage_registration(actor, found.institution_id):
        raise NoSuchTool()
    return found


def update(
    session: Session, actor: Actor, settings: Settings, tool_id: int, data: ToolUpdate
) -> LtiTool:
    found = tool(session, actor, tool_id)
    changes = data.model_dump(exclude_unset=True)
    if "scopes" in changes:
        changes["scopes"] = [s.value for s in data.scopes or []]
    for name, value in changes.items():
        setattr(found, name, value)
    _check_urls(settings, found)
    _check_keys(found)
    audit(session, actor, "lti.tool.update", f"lti_tool:{found.id}", ",".join(sorted(changes)))
    return found


def remove(session: Session, actor: Actor, tool_id: int) -> None:
    """The tool's modules stay, unlaunchable, and its line items' grades stay in the gradebook."""
    found = tool(session, actor, tool_id)
    audit(session, actor, "lti.tool.remove", f"lti_tool:{found.id}", found.client_id)
    session.delete(found)
    session.flush()


def placeable(session: Session, course_institution_id: int | None) -> Sequence[LtiTool]:
    """The tools a course's editors may place in it (callers check the editor)."""
    return session.scalars(
        select(LtiTool)
        .where(
            or_(
                LtiTool.institution_id.is_(None),
                LtiTool.institution_id == course_institution_id,
            )
        )
        .order_by(LtiTool.name, LtiTool.id)
    ).all()
