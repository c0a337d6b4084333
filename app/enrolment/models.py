from datetime import datetime
from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, enum_values, utcnow


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


class Enrolment(Base):
    """A person's role in a course. One per person and course."""

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
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
