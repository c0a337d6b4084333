"""What the forums domain adds to a forum module's page (`app.courses.extensions`): the way
into its forum, with what the reader has not read."""

from typing import Any

from sqlalchemy.orm import Session

from app.core.actors import Actor
from app.courses.extensions import module_extra
from app.courses.models import Module, ModuleKind
from app.forums.service.access import forum_of_module
from app.forums.service.reading import forum_unread
from app.membership.models import CourseRole


@module_extra
def forum_panel(
    session: Session, actor: Actor, _roles: frozenset[CourseRole], module: Module
) -> dict[str, Any]:
    if module.kind is not ModuleKind.FORUM or actor.user_id is None:
        return {}
    access = forum_of_module(session, actor, module.id)
    return {"forum_panel": {"forum": access.forum, "unread": forum_unread(session, access)}}
