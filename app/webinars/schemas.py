"""Input and output shapes for sessions, registrations, attendance, recordings and feeds.

Times in input may be given with an offset (an instant) or without one: a time without an
offset is the organiser's wall-clock time in the session's `time_zone`."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, model_validator

from app.accounts.schemas import TimeZone
from app.core.inputs import Patch, StrictInput
from app.webinars.models import (
    AttendanceSource,
    AttendanceStatus,
    Delivery,
    RegistrationStatus,
    SessionKind,
    SessionStatus,
)

Title = Annotated[str, Field(min_length=1, max_length=300)]
Percent = Annotated[int, Field(ge=0, le=100)]
MAX_MINUTES = 24 * 60  # minutes attended in one day


class SpeakerIn(StrictInput):
    name: str = Field(min_length=1, max_length=200)
    affiliation: str = Field(default="", max_length=300)
    bio: str = Field(default="", max_length=2000)


class SittingIn(StrictInput):
    """One day (or part) of a seminar's timetable."""

    starts_at: datetime
    ends_at: datetime
    title: str = Field(default="", max_length=300)


class SessionCreate(StrictInput):
    kind: SessionKind = SessionKind.WEBINAR
    delivery: Delivery = Delivery.ONLINE
    title: Title
    description: str = Field(default="", max_length=20000)
    location: str | None = Field(default=None, max_length=300)
    time_zone: TimeZone
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    days: list[SittingIn] = Field(default_factory=list, max_length=30)
    capacity: int | None = Field(default=None, ge=1, le=100000)
    module_id: int | None = None
    host_user_ids: list[int] = Field(default_factory=list, max_length=20)
    speakers: list[SpeakerIn] = Field(default_factory=list, max_length=20)
    attendance_threshold: Percent = 0
    counts_for_completion: bool = False

    @model_validator(mode="after")
    def _times_or_days(self) -> "SessionCreate":
        if not self.days and (self.starts_at is None or self.ends_at is None):
            raise ValueError("give starts_at and ends_at, or the days of the timetable")
        if self.days and (self.starts_at is not None or self.ends_at is not None):
            raise ValueError("give either starts_at and ends_at or days, not both")
        return self


class SeriesCreate(SessionCreate):
    """A session repeated every `every_weeks` weeks, `count` times, at the same local time."""

    count: int = Field(ge=1, le=52)
    every_weeks: int = Field(default=1, ge=1, le=8)


class SessionUpdate(Patch):
    nullable = frozenset({"location", "capacity"})

    title: Title | None = None
    description: str | None = Field(default=None, max_length=20000)
    location: str | None = Field(default=None, max_length=300)
    time_zone: TimeZone | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    capacity: int | None = Field(default=None, ge=1, le=100000)
    host_user_ids: list[int] | None = Field(default=None, max_length=20)
    speakers: list[SpeakerIn] | None = Field(default=None, max_length=20)
    attendance_threshold: Percent | None = None
    counts_for_completion: bool | None = None


class SpeakerRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    affiliation: str
    bio: str


class SittingRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    starts_at: datetime
    ends_at: datetime
    title: str


class MaterialRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    size: int
    media_type: str


class SessionRead(BaseModel):
    """Times are UTC; `time_zone` is the organiser's, `local_starts_at` the start there."""

    id: int
    course_id: int
    module_id: int | None
    series_id: str | None
    kind: SessionKind
    delivery: Delivery
    title: str
    description: str
    location: str | None
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    local_starts_at: datetime
    capacity: int | None
    registered: int
    waitlisted: int
    status: SessionStatus
    sequence: int
    attendance_threshold: int
    counts_for_completion: bool
    host_user_ids: list[int]
    speakers: list[SpeakerRead]
    days: list[SittingRead]
    materials: list[MaterialRead]
    my_registration: RegistrationStatus | None = None


class RegistrationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    session_id: int
    user_id: int
    status: RegistrationStatus
    registered_at: datetime
    promoted_at: datetime | None
    cancelled_at: datetime | None


class BulkRegistration(StrictInput):
    """Register every student of a cohort or of a group of the course."""

    cohort_id: int | None = None
    group_id: int | None = None

    @model_validator(mode="after")
    def _one_of(self) -> "BulkRegistration":
        if (self.cohort_id is None) == (self.group_id is None):
            raise ValueError("give exactly one of cohort_id and group_id")
        return self


class BulkRegistrationResult(BaseModel):
    registered: int
    waitlisted: int
    already: int
    skipped_not_students: int


class JoinLink(BaseModel):
    url: str
    provider: str
    moderator: bool


class AttendanceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    user_id: int
    sitting_id: int
    status: AttendanceStatus
    minutes: int
    first_joined_at: datetime | None
    source: AttendanceSource
    counts: bool


class AttendanceUpdate(StrictInput):
    """A teacher's correction. Without `sitting_id`, every sitting of the session is set;
    without `minutes`, present and late count the sitting's full length, absent and excused
    none."""

    status: AttendanceStatus
    minutes: int | None = Field(default=None, ge=0, le=MAX_MINUTES)
    sitting_id: int | None = None


class AbsenteeRead(BaseModel):
    user_id: int
    display_name: str
    email: str
    excused: bool


class SessionHoursRead(BaseModel):
    session_id: int
    course_id: int
    title: str
    hours: Decimal


class AttendedHoursRead(BaseModel):
    user_id: int
    programme_code: str
    hours: Decimal
    required_hours: Decimal | None
    meets_requirement: bool | None
    sessions: list[SessionHoursRead]


class RecordingLink(StrictInput):
    url: HttpUrl
    title: str = Field(default="", max_length=300)


class RecordingRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    session_id: int
    title: str
    url: str | None
    name: str | None
    size: int | None
    media_type: str | None
    created_at: datetime


class CalendarFeedCreated(BaseModel):
    id: int
    url: str


class CalendarFeedRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    created_at: datetime
    revoked_at: datetime | None
