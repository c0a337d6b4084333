"""Previous and next modules of a module page, in the outline's order."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.core.actors import Actor
from app.courses.schemas import ModuleState
from app.courses.service.completion import outline
from app.courses.service.content import ModuleAccess


@dataclass(frozen=True)
class Neighbours:
    """The modules before and after, among those the reader sees; a locked one is shown
    as its title with its lock, not as a link (`ModuleState.locked`)."""

    previous: ModuleState | None
    next: ModuleState | None


def neighbours(
    session: Session,
    actor: Actor,
    access: ModuleAccess,
    *,
    done: bool = False,
    language: str | None = None,
) -> Neighbours:
    """Read from the course's cached structure and the completions read with the module
    (plus this module, if the visit completed it): no query in the steady state. The
    outline decides what the reader sees, so drafts and hidden content stay out."""
    completed = set(access.completed)
    if done:  # this visit may just have completed it, unlocking the next
        completed.add(access.module.id)
    sections, _ = outline(session, actor, access.course, language, completed=completed)
    modules = [module for section in sections for module in section.modules]
    here = next((i for i, module in enumerate(modules) if module.id == access.module.id), None)
    if here is None:  # a module read on its own (open module of a closed course)
        return Neighbours(None, None)
    return Neighbours(
        previous=modules[here - 1] if here > 0 else None,
        next=modules[here + 1] if here + 1 < len(modules) else None,
    )
