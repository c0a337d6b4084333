"""Double-degree agreements as data: the institutions that join (two or more), the programme
each joins and the degree it awards, and the courses whose credits count toward every party's
degree."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Institution
from app.core.db import Base, utcnow
from app.courses.models import Course, Programme
from app.credits.models import CREDITS


class DoubleDegree(Base):
    """An agreement between institutions to award each its own degree for one course of
    study; a learner's standing toward each degree is computed, never stored."""

    __tablename__ = "double_degrees"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    parties: Mapped[list["DegreeParty"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="DegreeParty.position"
    )
    shared_courses: Mapped[list["SharedCourse"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="SharedCourse.course_id"
    )


class DegreeParty(Base):
    """One institution of an agreement: the programme it joins and the degree it awards."""

    __tablename__ = "double_degree_parties"
    __table_args__ = (UniqueConstraint("agreement_id", "institution_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("double_degrees.id", ondelete="CASCADE"), index=True
    )
    institution_id: Mapped[int] = mapped_column(
        ForeignKey("institutions.id", ondelete="CASCADE"), index=True
    )
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), index=True
    )
    degree_title: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(default=0)

    institution: Mapped[Institution] = relationship(lazy="raise")
    programme: Mapped[Programme] = relationship(lazy="raise")


class SharedCourse(Base):
    """A course whose credits count toward every party's degree, with the credits it counts
    for (once per degree)."""

    __tablename__ = "double_degree_courses"
    __table_args__ = (UniqueConstraint("agreement_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("double_degrees.id", ondelete="CASCADE"), index=True
    )
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    credits: Mapped[Decimal] = mapped_column(CREDITS)

    course: Mapped[Course] = relationship(lazy="raise")
