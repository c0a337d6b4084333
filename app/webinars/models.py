"""Webinars and seminars: sessions of a course, their sittings (days), hosts, speakers,
materials, registrations, attendance, recordings, reminders and calendar feeds."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base, enum_values, utcnow
from app.core.storage import STORAGE_KEY


def _enum(enum: type[StrEnum]) -> Enum:
    return Enum(enum, native_enum=False, length=16, values_callable=enum_values)


class SessionKind(StrEnum):
    WEBINAR = "webinar"  # online, usually one or two hours
    SEMINAR = "seminar"  # in person or blended, possibly several days


class Delivery(StrEnum):
    ONLINE = "online"
    IN_PERSON = "in_person"
    BLENDED = "blended"


class SessionStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class RegistrationStatus(StrEnum):
    REGISTERED = "registered"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class AttendanceStatus(StrEnum):
    PRESENT = "present"
    LATE = "late"
    ABSENT = "absent"
    EXCUSED = "excused"


class AttendanceSource(StrEnum):
    LINK = "link"  # followed the join link
    PROVIDER = "provider"  # the video service's join/leave events
    TEACHER = "teacher"  # entered or corrected by staff


class ReminderKind(StrEnum):
    DAY_BEFORE = "24h"
    HOUR_BEFORE = "1h"


class WebinarSession(Base):
    """A webinar or seminar of a course. Times are UTC instants; `time_zone` is the
    organiser's IANA zone, in which a series keeps its wall-clock time."""

    __tablename__ = "webinar_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int | None] = mapped_column(
        ForeignKey("modules.id", ondelete="SET NULL"), index=True
    )
    # Sessions created together as a weekly series share this id.
    series_id: Mapped[str | None] = mapped_column(String(32), index=True)
    kind: Mapped[SessionKind] = mapped_column(_enum(SessionKind), default=SessionKind.WEBINAR)
    delivery: Mapped[Delivery] = mapped_column(_enum(Delivery), default=Delivery.ONLINE)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str | None] = mapped_column(String(300))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    time_zone: Mapped[str] = mapped_column(String(64))
    capacity: Mapped[int | None]
    status: Mapped[SessionStatus] = mapped_column(
        _enum(SessionStatus), default=SessionStatus.SCHEDULED
    )
    # iCalendar SEQUENCE: bumped by every change a calendar must show (time, place, status).
    sequence: Mapped[int] = mapped_column(default=0)
    provider: Mapped[str] = mapped_column(String(16))
    room_name: Mapped[str] = mapped_column(String(64), unique=True)
    # Percent of a sitting's duration a participant must attend for it to count.
    attendance_threshold: Mapped[int] = mapped_column(default=0)
    counts_for_completion: Mapped[bool] = mapped_column(default=False)
    # SHA-256 of the meeting's own token in the address bbb-webhooks posts its events to.
    events_token_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]

    sittings: Mapped[list["Sitting"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="Sitting.starts_at"
    )
    hosts: Mapped[list["SessionHost"]] = relationship(lazy="raise", cascade="all, delete-orphan")
    speakers: Mapped[list["Speaker"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="Speaker.position"
    )
    materials: Mapped[list["Material"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="Material.id"
    )
    recordings: Mapped[list["Recording"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="Recording.id"
    )

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class Sitting(Base):
    """One continuous part of a session: the whole of a webinar, or one day of a seminar's
    timetable. Attendance is taken per sitting."""

    __tablename__ = "webinar_sittings"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("webinar_sessions.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    title: Mapped[str] = mapped_column(String(300), default="")

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class SessionHost(Base):
    __tablename__ = "webinar_hosts"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("webinar_sessions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)


class Speaker(Base):
    """A guest speaker; needs no account."""

    __tablename__ = "webinar_speakers"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("webinar_sessions.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    affiliation: Mapped[str] = mapped_column(String(300), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)


class Material(Base):
    """A file for a session, kept in the content storage by its SHA-256."""

    __tablename__ = "webinar_materials"
    __table_args__ = (UniqueConstraint("session_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("webinar_sessions.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), info=STORAGE_KEY)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Registration(Base):
    """A person's place in a session: registered, on the waiting list, or cancelled. One row
    per person and session; `registered_at` orders the waiting list."""

    __tablename__ = "webinar_registrations"
    __table_args__ = (
        UniqueConstraint("session_id", "user_id"),
        Index("ix_webinar_registrations_session_status", "session_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("webinar_sessions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[RegistrationStatus] = mapped_column(_enum(RegistrationStatus))
    registered_at: Mapped[datetime] = mapped_column(default=utcnow)
    registered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    promoted_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]


class Attendance(Base):
    """Attendance of one person at one sitting. Derived from join/leave events until staff
    edit it (`edited_by_id` set); edited rows are never recomputed."""

    __tablename__ = "webinar_attendance"
    __table_args__ = (UniqueConstraint("sitting_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("webinar_sessions.id", ondelete="CASCADE"), index=True
    )
    sitting_id: Mapped[int] = mapped_column(ForeignKey("webinar_sittings.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[AttendanceStatus] = mapped_column(_enum(AttendanceStatus))
    minutes: Mapped[int] = mapped_column(default=0)
    first_joined_at: Mapped[datetime | None]
    source: Mapped[AttendanceSource] = mapped_column(_enum(AttendanceSource))
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AttendanceEvent(Base):
    """A join or leave, as it happened: the trail attendance is computed from."""

    __tablename__ = "webinar_attendance_events"
    __table_args__ = (Index("ix_webinar_attendance_events_session_user", "session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("webinar_sessions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))  # join | leave
    at: Mapped[datetime]
    source: Mapped[AttendanceSource] = mapped_column(_enum(AttendanceSource))


class Recording(Base):
    """A recording after the session: a link (the provider's playback, or any URL) or an
    uploaded file in the content storage."""

    __tablename__ = "webinar_recordings"
    __table_args__ = (UniqueConstraint("session_id", "provider_record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("webinar_sessions.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(300), default="")
    url: Mapped[str | None] = mapped_column(String(2000))
    provider_record_id: Mapped[str | None] = mapped_column(String(200))
    name: Mapped[str | None] = mapped_column(String(255))
    sha256: Mapped[str | None] = mapped_column(String(64), info=STORAGE_KEY)
    size: Mapped[int | None] = mapped_column(BigInteger)
    media_type: Mapped[str | None] = mapped_column(String(100))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Reminder(Base):
    """A reminder claimed for sending. The unique key is the guarantee that a reminder goes
    out at most once, whichever worker claims it first."""

    __tablename__ = "webinar_reminders"
    __table_args__ = (UniqueConstraint("session_id", "user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("webinar_sessions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ReminderKind] = mapped_column(_enum(ReminderKind))
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class CalendarFeed(Base):
    """A secret calendar URL for a person's sessions; only the token's digest is kept."""

    __tablename__ = "webinar_calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
