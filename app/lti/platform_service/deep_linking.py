"""A tool's Deep Linking 2.0 response (LTI DL 2.0 §4.2): the `JWT` form field, signed RS256 by
the tool's key, issued by its client id for our issuer, fresh, with a nonce used once, of the
tool's deployment, of message type LtiDeepLinkingResponse, carrying back the `data` we signed
for the request (which names the teacher, the tool and the section). Each `ltiResourceLink`
item becomes an LTI module in the section, with a gradebook line item when it has a
`lineItem`. The teacher's browser may post it cross-site without their session cookie: the
signed `data` is what says who picked the content, and their right to place the tool is checked
again."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts import auth
from app.accounts.models import User
from app.core.actors import Actor
from app.core.config import Settings
from app.core.db import utcnow
from app.core.errors import Forbidden, Invalid, ServiceUnavailable, Unauthenticated
from app.core.i18n import N_
from app.courses.models import Course
from app.lti.platform_models import LtiTool, LtiUsedAssertion
from app.lti.platform_service import links, ours, tool_keys
from app.lti.platform_service.launch import DL_DATA
from app.lti.platform_service.ours import DL, LTI

RESPONSE = "LtiDeepLinkingResponse"
MAX_ITEMS = 50


class ResponseRefused(Unauthenticated):
    code = "lti_deep_linking_refused"
    title = N_("The tool's answer is not signed by it, is not for Agora, or has expired.")


class ResponseMalformed(Invalid):
    code = "lti_deep_linking_malformed"
    title = N_("The tool's answer is not a valid Deep Linking response.")


class ResponseReplayed(Unauthenticated):
    code = "lti_deep_linking_replayed"
    title = N_("The tool's answer was already used.")


class SomeoneElse(Forbidden):
    code = "lti_deep_linking_someone_else"
    title = N_("This content was picked by someone else.")


class ToolKeysUnavailable(ServiceUnavailable):
    code = "lti_tool_keys_unavailable"
    title = N_("The tool's public keys could not be fetched; try again shortly.")


@dataclass(frozen=True)
class Placed:
    course: Course
    module_ids: list[int]


def _tool_of(session: Session, token: object) -> LtiTool:
    try:
        claims = tool_keys.unverified_claims(token)
    except tool_keys.Refused:
        raise ResponseMalformed() from None
    client_id = claims.get("iss")
    tool = session.scalar(select(LtiTool).where(LtiTool.client_id == str(client_id)))
    if tool is None or not isinstance(client_id, str):
        raise ResponseRefused()
    return tool


def accept(session: Session, portal_actor: Actor, settings: Settings, token: object) -> Placed:
    tool = _tool_of(session, token)
    assert isinstance(token, str)
    try:
        claims = tool_keys.verify(settings, tool, token, audiences=(ours.issuer(settings),))
    except tool_keys.KeyUnavailable:
        raise ToolKeysUnavailable() from None
    except tool_keys.Refused:
        raise ResponseRefused() from None
    if (
        claims.get(f"{LTI}message_type") != RESPONSE
        or claims.get(f"{LTI}version") != "1.3.0"
        or claims.get(f"{LTI}deployment_id") != tool.deployment_id
        or not isinstance(claims.get("nonce"), str)
        or not claims["nonce"]
        or len(claims["nonce"]) > 200
    ):
        raise ResponseRefused()
    try:
        data = ours.verify(session, settings, claims.get(f"{DL}data"), DL_DATA)
    except ours.NotOurs:
        raise ResponseRefused() from None
    if data.get("tool") != tool.id:
        raise ResponseRefused()
    actor = _picker(session, portal_actor, data)
    section_id = data.get("section")
    if not isinstance(section_id, int):
        raise ResponseRefused()
    tool, section, course = links.placeable_tool(session, actor, tool.id, section_id)
    items = _items(claims.get(f"{DL}content_items"))
    _use_nonce(session, tool, claims)
    placed = []
    for item in items:
        link, _line_item = links.create_link(
            session, actor, settings, tool, section, title=item.title, url=item.url,
            custom=item.custom, description=item.text, line_item=item.line_item,
            extra=item.line_item_extra,
        )  # fmt: skip
        placed.append(link.module_id)
    return Placed(course, placed)


def _picker(session: Session, portal_actor: Actor, data: dict[str, Any]) -> Actor:
    """The teacher the request was made for; if the browser is signed in, it must be them."""
    user_id = ours.user_id_of(data.get("sub"))
    user = session.get(User, user_id) if user_id is not None else None
    if user is None or not user.is_active:
        raise ResponseRefused()
    if portal_actor.user_id is not None and portal_actor.user_id != user.id:
        raise SomeoneElse()
    return auth.actor_for_user(user)


def _use_nonce(session: Session, tool: LtiTool, claims: dict[str, Any]) -> None:
    jti = f"dl:{claims['nonce']}"
    used = session.scalar(
        select(LtiUsedAssertion.id).where(
            LtiUsedAssertion.tool_id == tool.id, LtiUsedAssertion.jti == jti
        )
    )
    if used is not None:
        raise ResponseReplayed()
    expires = datetime.fromtimestamp(int(claims["exp"]), UTC) + timedelta(minutes=5)
    try:
        with session.begin_nested():  # the same answer posted twice at once: one wins
            session.add(
                LtiUsedAssertion(tool_id=tool.id, jti=jti, used_at=utcnow(), expires_at=expires)
            )
    except IntegrityError:
        raise ResponseReplayed() from None


@dataclass(frozen=True)
class _Item:
    title: str
    text: str
    url: str | None
    custom: dict[str, str]
    line_item: tuple[str, Decimal] | None
    line_item_extra: dict[str, Any]


def _text(value: object, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _items(raw: object) -> list[_Item]:
    if raw is None:
        return []
    if not isinstance(raw, list) or len(raw) > MAX_ITEMS:
        raise ResponseMalformed()
    return [
        _item(entry)
        for entry in raw
        if isinstance(entry, dict) and entry.get("type") == "ltiResourceLink"
    ]


def _item(entry: dict[str, Any]) -> _Item:
    title = _text(entry.get("title"), 300).strip() or "LTI"
    url = entry.get("url")
    if url is not None and (not isinstance(url, str) or len(url) > 2000):
        raise ResponseMalformed()
    custom = entry.get("custom") or {}
    if not isinstance(custom, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and len(k) <= 100 and len(v) <= 1000
        for k, v in custom.items()
    ):
        raise ResponseMalformed()
    return _Item(
        title, _text(entry.get("text"), 20_000), url or None, dict(custom),
        *_line_item(entry.get("lineItem"), title),
    )  # fmt: skip


def _line_item(raw: object, title: str) -> tuple[tuple[str, Decimal] | None, dict[str, Any]]:
    if raw is None:
        return None, {}
    if not isinstance(raw, dict):
        raise ResponseMalformed()
    try:
        maximum = Decimal(str(raw.get("scoreMaximum")))
    except (InvalidOperation, ValueError):
        raise ResponseMalformed() from None
    if not maximum.is_finite() or not 0 < maximum <= 100_000:
        raise ResponseMalformed()
    label = _text(raw.get("label"), 300).strip() or title
    extra = {k: raw[k] for k in ("resourceId", "tag") if isinstance(raw.get(k), str)}
    return (label, maximum.quantize(Decimal("0.01"))), extra
