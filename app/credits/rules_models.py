"""A programme's credit rules as data, beside what the courses domain already holds (total
credits, each course's semester and mandatory flag, the awarding institutions' mandatory
transversal courses, required contact hours): the number of semesters, elective groups with
minimum credits, and compensation units whose average validates their failed courses."""

from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base
from app.credits.models import CREDITS


class ProgrammeRules(Base):
    """One row per programme that has rules: how many semesters it lasts."""

    __tablename__ = "programme_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), unique=True
    )
    semesters: Mapped[int] = mapped_column(default=1)


class ElectiveGroup(Base):
    """Courses of a programme a learner chooses among, with the credits they must earn in
    them. A course in a group is elective in that programme."""

    __tablename__ = "elective_groups"
    __table_args__ = (UniqueConstraint("programme_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    semester: Mapped[int | None]
    min_credits: Mapped[Decimal] = mapped_column(CREDITS)

    courses: Mapped[list["ElectiveGroupCourse"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="ElectiveGroupCourse.course_id"
    )


class ElectiveGroupCourse(Base):
    """A course of an elective group."""

    __tablename__ = "elective_group_courses"
    __table_args__ = (UniqueConstraint("group_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("elective_groups.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)


class CompensationUnit(Base):
    """Courses of a programme compensated together: when the learner's credit-weighted
    average percentage over them reaches the threshold, their failed courses are validated."""

    __tablename__ = "compensation_units"
    __table_args__ = (UniqueConstraint("programme_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    semester: Mapped[int | None]
    threshold_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2))

    courses: Mapped[list["CompensationUnitCourse"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="CompensationUnitCourse.course_id"
    )


class CompensationUnitCourse(Base):
    """A course of a compensation unit."""

    __tablename__ = "compensation_unit_courses"
    __table_args__ = (UniqueConstraint("unit_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("compensation_units.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
