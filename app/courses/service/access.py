"""What is locked for whom and why: availability windows and prerequisites."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.db import utcnow
from app.core.errors import Invalid
from app.core.i18n import N_
from app.courses.models import (
    Course,
    CourseCompletion,
    CoursePrerequisite,
    Module,
    ModulePrerequisite,
)


class PrerequisiteCycle(Invalid):
    code = "prerequisite_cycle"
    title = N_("These prerequisites would form a cycle: nothing in it could ever be unlocked.")


@dataclass(frozen=True)
class LockReason:
    kind: str  # not_yet_available | closed | requires_module | requires_course
    subject: str | None = None
    at: datetime | None = None

    def describe(self) -> str:
        if self.kind == "not_yet_available":
            return f"Available from {self.at:%Y-%m-%d %H:%M} UTC."
        if self.kind == "closed":
            return f"Closed since {self.at:%Y-%m-%d %H:%M} UTC."
        if self.kind == "requires_course":
            return f"Complete the course “{self.subject}” first."
        return f"Complete “{self.subject}” first."


def module_prerequisites(session: Session, course_id: int) -> dict[int, list[int]]:
    """module id → ids of the modules it requires, for one course, in one query."""
    rows = session.execute(
        select(ModulePrerequisite.module_id, ModulePrerequisite.required_module_id)
        .join(Module, Module.id == ModulePrerequisite.module_id)
        .where(Module.course_id == course_id)
    )
    graph: dict[int, list[int]] = {}
    for module_id, required_id in rows:
        graph.setdefault(module_id, []).append(required_id)
    return graph


class Scheduled(Protocol):
    """A module, or its cached shape: what availability and prerequisites look at."""

    @property
    def id(self) -> int: ...
    @property
    def available_from(self) -> datetime | None: ...
    @property
    def available_until(self) -> datetime | None: ...


def module_locks(
    module: Scheduled,
    prerequisites: Mapping[int, list[int]],
    completed: set[int],
    titles: Mapping[int, str],
    now: datetime | None = None,
) -> list[LockReason]:
    if not (module.available_from or module.available_until or module.id in prerequisites):
        return []  # most modules, most of the time
    now = now or utcnow()
    reasons: list[LockReason] = []
    if module.available_from and module.available_from > now:
        reasons.append(LockReason("not_yet_available", at=module.available_from))
    if module.available_until and module.available_until < now:
        reasons.append(LockReason("closed", at=module.available_until))
    reasons.extend(
        LockReason("requires_module", subject=titles.get(required_id, "?"))
        for required_id in prerequisites.get(module.id, [])
        if required_id not in completed
    )
    return reasons


def course_locks(session: Session, course: Course, user_id: int | None) -> list[LockReason]:
    """Courses the person must complete before this one."""
    required = session.execute(
        select(Course.id, Course.title)
        .join(CoursePrerequisite, CoursePrerequisite.required_course_id == Course.id)
        .where(CoursePrerequisite.course_id == course.id)
    ).all()
    if not required:
        return []
    done = set(
        session.scalars(
            select(CourseCompletion.course_id).where(CourseCompletion.user_id == user_id)
        )
        if user_id is not None
        else []
    )
    return [
        LockReason("requires_course", subject=title) for cid, title in required if cid not in done
    ]


def check_no_cycle(
    graph: Mapping[int, Iterable[int]], node: int, new_requirements: Iterable[int]
) -> None:
    """Refuse requirements through which `node` would, in the end, require itself."""
    edges = {key: list(values) for key, values in graph.items()}
    edges[node] = list(new_requirements)
    stack, seen = list(edges[node]), set()
    while stack:
        current = stack.pop()
        if current == node:
            raise PrerequisiteCycle(field="requires")
        if current not in seen:
            seen.add(current)
            stack.extend(edges.get(current, []))


def course_prerequisite_graph(session: Session) -> dict[int, list[int]]:
    graph: dict[int, list[int]] = {}
    for course_id, required in session.execute(
        select(CoursePrerequisite.course_id, CoursePrerequisite.required_course_id)
    ):
        graph.setdefault(course_id, []).append(required)
    return graph
