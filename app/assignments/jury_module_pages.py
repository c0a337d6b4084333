"""What the jury adds to an assignment module's page (`app.courses.extensions`): the learner's
own defence slot (theirs, or their group's), in the reader's zone."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assignments.models import Assignment
from app.assignments.service.defences import my_defences
from app.core.actors import Actor
from app.courses.extensions import module_extra
from app.courses.models import Module, ModuleKind
from app.membership.models import CourseRole


@module_extra
def defence_slots(
    session: Session, actor: Actor, roles: frozenset[CourseRole], module: Module
) -> dict[str, Any]:
    if module.kind is not ModuleKind.ASSIGNMENT or CourseRole.STUDENT not in roles:
        return {}
    assignment = session.scalar(select(Assignment).where(Assignment.module_id == module.id))
    if assignment is None or not assignment.jury:
        return {}
    return {"defence_slots": my_defences(session, actor, assignment)}
