"""What the assignments domain adds to a module's page (`app.courses.extensions`): for an
assignment module, the learner's dates and status, or the staff's links."""

from typing import Any

from sqlalchemy.orm import Session

from app.assignments.service.panel import panel_for
from app.core.actors import Actor
from app.courses.extensions import module_extra
from app.courses.models import Module
from app.membership.models import CourseRole


@module_extra
def assignment_panel(
    session: Session, actor: Actor, roles: frozenset[CourseRole], module: Module
) -> dict[str, Any]:
    panel = panel_for(session, actor, roles, module)
    return {"assignment_panel": panel} if panel is not None else {}
