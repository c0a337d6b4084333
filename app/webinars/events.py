"""What happens in webinars that other domains react to (credits, assessment).
Published in the transaction that records it; see `app/core/events.py`."""

from dataclasses import dataclass

from app.core.events import Event


@dataclass(frozen=True)
class AttendanceCounted(Event):
    """A person's attendance at a webinar now counts (present or late for at least the
    webinar's threshold share of a sitting), from the provider's events or a teacher's
    register. Published again when the counted minutes change; subscribers stay idempotent."""

    webinar_id: int
    course_id: int
    user_id: int
    module_id: int | None
    counted_minutes: int


@dataclass(frozen=True)
class AttendanceRegistered(Event):
    """The attendance of these people at a webinar was recorded at once (a register saved, a
    provider's events read), whether it counts or not: one event for the batch, for
    subscribers that work per course (the gradebook's attendance items)."""

    webinar_id: int
    course_id: int
    user_ids: tuple[int, ...]


@dataclass(frozen=True)
class SessionCancelled(Event):
    """A webinar session was cancelled (once: cancelling it again publishes nothing)."""

    webinar_id: int
    course_id: int
