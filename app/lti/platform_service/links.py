"""Placing a tool in a course: a module of kind LTI, made by the courses domain's own service,
and its resource link (a random id the tool knows it by), with a gradebook line item when one
is wanted. A course's editors place a platform-wide tool or one of the course's institution."""

import secrets
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.actors import Actor
from app.core.addresses import UnsafeAddress, check_url
from app.core.config import Settings
from app.courses.models import Course, Module, ModuleKind, Section
from app.courses.schemas import ModuleCreate
from app.courses.service import content
from app.grades.models import GradeItem, ItemSource
from app.grades.service.record import ensure_item
from app.lti import policy
from app.lti.platform_models import LtiLineItem, LtiLink, LtiTool
from app.lti.platform_schemas import PlacementCreate
from app.lti.platform_service.tools import NoSuchTool, placeable
from app.membership.service import course_roles


def placeable_tool(
    session: Session, actor: Actor, tool_id: int, section_id: int
) -> tuple[LtiTool, Section, Course]:
    """The tool and the section it is to go into, if the caller may place it there; a tool
    they may not place is not found."""
    section, course = content.editable_section(session, actor, section_id)
    tool = session.get(LtiTool, tool_id)
    roles = course_roles(session, actor, course.id)
    if tool is None or not policy.can_place_tool(
        actor, roles, tool.institution_id, course.institution_id
    ):
        raise NoSuchTool()
    return tool, section, course


def _free_key(session: Session, course_id: int) -> str:
    while True:
        key = f"lti-{secrets.token_hex(4)}"
        if not session.scalar(
            select(Module.id).where(Module.course_id == course_id, Module.key == key)
        ):
            return key


def _check_url(settings: Settings, url: str | None, field: str) -> None:
    if url is None:
        return
    try:
        check_url(
            url,
            allow_http=settings.webhooks_allow_http,
            allow_loopback=settings.webhooks_allow_loopback,
        )
    except UnsafeAddress as refused:
        raise UnsafeAddress(refused.detail, field=field) from None


def create_link(
    session: Session,
    actor: Actor,
    settings: Settings,
    tool: LtiTool,
    section: Section,
    *,
    title: str,
    key: str | None = None,
    url: str | None = None,
    custom: dict[str, str] | None = None,
    description: str = "",
    line_item: tuple[str, Decimal] | None = None,
    extra: dict[str, Any] | None = None,
) -> tuple[LtiLink, LtiLineItem | None]:
    """The module and its link (and line item); the caller has checked the placement."""
    _check_url(settings, url, "url")
    module = content.add_module(
        session, actor, settings, section.id,
        ModuleCreate(
            key=key or _free_key(session, section.course_id), kind=ModuleKind.LTI,
            title=title, description=description, external_ref=None,
        ),
    )  # fmt: skip
    link = LtiLink(
        module_id=module.id, tool_id=tool.id, resource_link_id=secrets.token_urlsafe(24),
        custom=dict(custom or {}), url=url,
    )  # fmt: skip
    session.add(link)
    session.flush()
    module.external_ref = str(link.id)
    item = None
    if line_item is not None:
        label, maximum = line_item
        given = extra or {}
        item = add_line_item(
            session, tool, module.course_id, link, label=label, score_maximum=maximum,
            resource_id=str(given.get("resourceId", ""))[:255], tag=str(given.get("tag", ""))[:255],
        )  # fmt: skip
    return link, item


def place(
    session: Session, actor: Actor, settings: Settings, tool_id: int, data: PlacementCreate
) -> tuple[LtiLink, LtiLineItem | None]:
    """Put the tool in a course section as a module learners launch it from."""
    tool, section, _course = placeable_tool(session, actor, tool_id, data.section_id)
    spec = data.line_item
    return create_link(
        session, actor, settings, tool, section, title=data.title, key=data.key, url=data.url,
        custom=dict(data.custom),
        line_item=(spec.label or data.title, spec.score_maximum) if spec else None,
    )  # fmt: skip


def add_line_item(
    session: Session,
    tool: LtiTool,
    course_id: int,
    link: LtiLink | None,
    *,
    label: str,
    score_maximum: Decimal,
    resource_id: str = "",
    tag: str = "",
    start_at: datetime | None = None,
    end_at: datetime | None = None,
) -> LtiLineItem:
    item = LtiLineItem(
        tool_id=tool.id, course_id=course_id, link_id=link.id if link else None, label=label,
        score_maximum=score_maximum, resource_id=resource_id, tag=tag, start_at=start_at,
        end_at=end_at,
    )  # fmt: skip
    session.add(item)
    session.flush()
    grade_item(session, item, link)
    return item


def grade_item(session: Session, item: LtiLineItem, link: LtiLink | None = None) -> GradeItem:
    """The line item's item in the gradebook, kept in step with its label and maximum."""
    if link is None and item.link_id is not None:
        link = session.get(LtiLink, item.link_id)
    return ensure_item(
        session,
        course_id=item.course_id,
        source=ItemSource.LTI,
        source_id=item.id,
        title=item.label,
        max_points=item.score_maximum,
        module_id=link.module_id if link else None,
    )


def link_of_module(session: Session, module_id: int) -> LtiLink | None:
    return session.scalar(select(LtiLink).where(LtiLink.module_id == module_id))


def line_items_of(session: Session, link: LtiLink) -> list[LtiLineItem]:
    return list(
        session.scalars(
            select(LtiLineItem).where(LtiLineItem.link_id == link.id).order_by(LtiLineItem.id)
        )
    )


def content_sources(
    session: Session, actor: Actor, section_id: int
) -> tuple[Section, Course, list[LtiTool]]:
    """The tools a course editor may place in this section, as a module or by picking content
    in them (Deep Linking, for those that offer it)."""
    section, course = content.editable_section(session, actor, section_id)
    roles = course_roles(session, actor, course.id)
    found = [
        tool
        for tool in placeable(session, course.institution_id)
        if policy.can_place_tool(actor, roles, tool.institution_id, course.institution_id)
    ]
    return section, course, found


def launch_of(session: Session, module: Module) -> dict[str, str] | None:
    """What a module page shows to launch an LTI module: the tool's name and our launch URL."""
    if module.kind is not ModuleKind.LTI:
        return None
    link = link_of_module(session, module.id)
    if link is None:
        return None
    tool = session.get(LtiTool, link.tool_id)
    if tool is None:
        return None
    return {"tool": tool.name, "url": f"/lti/modules/{module.id}/launch"}
