"""What the webinars domain adds to a module's page (`app.courses.extensions`): the sessions
a webinar module stands for, so a seminar shows as a seminar with its place, days and hours."""

from typing import Any

from sqlalchemy.orm import Session

from app.core.actors import Actor
from app.courses.extensions import module_extra
from app.courses.models import Module
from app.membership.models import CourseRole
from app.webinars.service import linked


@module_extra
def linked_sessions(
    session: Session, actor: Actor, roles: frozenset[CourseRole], module: Module
) -> dict[str, Any]:
    return {"linked_sessions": linked.sessions_of_module(session, actor, roles, module)}
