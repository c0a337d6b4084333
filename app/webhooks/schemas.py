"""Webhook subscriptions and deliveries over the API, and the events a partner may hear of."""

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from app.core.inputs import Id, Patch, StrictInput


class EventType(StrEnum):
    ENROLMENT_CREATED = "enrolment.created"
    ENROLMENT_CHANGED = "enrolment.changed"
    COURSE_COMPLETED = "course.completed"
    GRADE_RELEASED = "grade.released"
    CREDITS_AWARDED = "credits.awarded"
    CREDITS_REVOKED = "credits.revoked"
    TRANSCRIPT_ISSUED = "transcript.issued"
    SESSION_CANCELLED = "session.cancelled"
    ATTENDANCE_COUNTED = "attendance.counted"


class SubscriptionCreate(StrictInput):
    url: str = Field(min_length=1, max_length=2000, description="https address to POST to")
    event_types: list[EventType] = Field(min_length=1, max_length=len(EventType))
    description: str = Field(default="", max_length=200)
    api_client_id: Id | None = Field(
        default=None,
        description="Managers name the client it is for; a client subscribes for itself.",
    )


class SubscriptionUpdate(Patch):
    url: str | None = Field(default=None, min_length=1, max_length=2000)
    event_types: list[EventType] | None = Field(default=None, min_length=1)
    description: str | None = Field(default=None, max_length=200)
    enabled: bool | None = Field(
        default=None, description="false pauses deliveries; true resumes a disabled subscription"
    )


class SubscriptionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    api_client_id: int
    institution_id: int
    url: str
    event_types: list[EventType]
    description: str
    created_at: datetime
    disabled_at: datetime | None
    disabled_reason: str | None


class SubscriptionCreated(SubscriptionRead):
    secret: str = Field(
        description="Signs every delivery (Standard Webhooks, `whsec_…`). Shown here and when "
        "rotated only."
    )


class DeliveryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    event_id: str
    event_type: EventType
    attempt: int
    at: datetime
    succeeded: bool
    status_code: int | None
    response_ms: int | None
    error: str | None
