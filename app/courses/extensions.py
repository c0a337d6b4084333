"""What a higher domain adds to a module's page, without the courses domain importing it (the
layers forbid that): the webinars domain shows the sessions a webinar module stands for, so an
in-person seminar reads as a seminar with its place, days and hours. Extras are registered once,
when `app.subscribers` is imported by the app and the CLI, like event subscribers."""

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from app.core.actors import Actor
from app.courses.models import Module
from app.membership.models import CourseRole

# The reader, their roles in the module's course and the module; returns template variables.
ModuleExtra = Callable[[Session, Actor, frozenset[CourseRole], Module], dict[str, Any]]

_extras: list[ModuleExtra] = []


def module_extra(extra: ModuleExtra) -> ModuleExtra:
    """Decorator: add what the function returns to every module page's context. Registering
    the same function twice keeps one registration."""
    if extra not in _extras:
        _extras.append(extra)
    return extra


def extras_for(
    session: Session, actor: Actor, roles: frozenset[CourseRole], module: Module
) -> dict[str, Any]:
    """The template variables every registered extra gives for this module and reader."""
    context: dict[str, Any] = {}
    for extra in _extras:
        context.update(extra(session, actor, roles, module))
    return context
