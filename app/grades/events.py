"""What happens in the gradebook, for other domains (notifications, the course result, the
ECTS-credit service) to react to."""

from dataclasses import dataclass
from decimal import Decimal

from app.core.events import Event


@dataclass(frozen=True)
class GradeRecorded(Event):
    """A learner's grade for an item was written or changed (released or not)."""

    course_id: int
    item_id: int
    user_id: int


@dataclass(frozen=True)
class GradeReleased(Event):
    """A learner may now see a grade."""

    course_id: int
    item_id: int
    user_id: int


@dataclass(frozen=True)
class CourseResultComputed(Event):
    """A learner's course result (from released grades) changed: its percentage (None while
    nothing counts) and whether it passes the course's pass mark (None without one)."""

    course_id: int
    user_id: int
    percent: Decimal | None
    passed: bool | None
