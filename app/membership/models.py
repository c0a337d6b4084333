"""Who holds which role in which course: the enrolment rows every domain reads to decide
what a person may do. Below courses, enrolment, webinars and assessment; imports only core."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, enum_values, utcnow


def _enum(enum: type[StrEnum]) -> Enum:
    return Enum(enum, native_enum=False, length=24, values_callable=enum_values)


class CourseRole(StrEnum):
    TEACHER = "teacher"  # edits and grades
    TUTOR = "tutor"  # grades and moderates, no editing
    STUDENT = "student"
    OBSERVER = "observer"  # reads, e.g. staff of a partner university


class EnrolmentStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


class EnrolmentMethod(StrEnum):
    MANUAL = "manual"
    SELF = "self"
    COHORT = "cohort"
    BULK = "bulk"
    PROGRAMME = "programme"


class Funding(StrEnum):
    SELF = "self"
    EMPLOYER = "employer"
    SCHOLARSHIP = "scholarship"


class Enrolment(Base):
    """A person's role in a course. One per person and course; every change is kept in
    `enrolment_changes`."""

    __tablename__ = "enrolments"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    role: Mapped[CourseRole] = mapped_column(
        Enum(CourseRole, native_enum=False, length=16, values_callable=enum_values)
    )
    status: Mapped[EnrolmentStatus] = mapped_column(
        Enum(EnrolmentStatus, native_enum=False, length=16, values_callable=enum_values),
        default=EnrolmentStatus.ACTIVE,
    )
    method: Mapped[EnrolmentMethod] = mapped_column(
        _enum(EnrolmentMethod), default=EnrolmentMethod.MANUAL
    )
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    funding: Mapped[Funding] = mapped_column(_enum(Funding), default=Funding.SELF)
    funder_name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CoursePartner(Base):
    """An institution that takes part in a course it does not run (a joint degree's partner):
    its managers and API clients reach the course as the running institution's do."""

    __tablename__ = "course_partners"

    course_id: Mapped[int] = mapped_column(
        ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True
    )
    institution_id: Mapped[int] = mapped_column(
        ForeignKey("institutions.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
