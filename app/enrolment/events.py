"""What happens to enrolments that other domains react to (webhooks). Published in the
transaction that records it; see `app/core/events.py`."""

from dataclasses import dataclass

from app.core.events import Event


@dataclass(frozen=True)
class EnrolmentChanged(Event):
    """An enrolment was created, or its status or terms changed; published once it holds
    its new values."""

    enrolment_id: int
    user_id: int
    course_id: int
    created: bool
