"""What happens in courses that other domains react to (enrolment, assessment, credits).
Published in the transaction that records it; see `app/core/events.py`."""

from dataclasses import dataclass

from app.core.actors import Actor
from app.core.events import Event


@dataclass(frozen=True)
class CourseRunCreated(Event):
    """A new run of a course exists, already linked to its template's programmes."""

    course_id: int
    template_id: int
    by: Actor


@dataclass(frozen=True)
class ModuleCompleted(Event):
    """A person completed a module, for the first time. `how` is what completed it:
    `viewed`, `marked_done`, `attended`, `submitted` or `passed`."""

    user_id: int
    course_id: int
    module_id: int
    how: str


@dataclass(frozen=True)
class CourseCompleted(Event):
    """A person completed every required, published module of a course, for the first time."""

    user_id: int
    course_id: int
