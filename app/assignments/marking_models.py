"""Marking's own tables: the stable "Participant N" of anonymous marking, rubrics and marking
guides (criteria, their levels) and the choices a marker made on each criterion."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.assignments.models import POINTS
from app.core.db import Base, utcnow


class AnonymousParticipant(Base):
    """The number a learner is known by to markers of an anonymous assignment: drawn at random
    once, kept for the assignment's life, so it says nothing of the learner."""

    __tablename__ = "assignment_participants"
    __table_args__ = (
        UniqueConstraint("assignment_id", "user_id"),
        UniqueConstraint("assignment_id", "number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]


class Rubric(Base):
    """The criteria an assignment graded by rubric or marking guide is marked on. With zero
    points locked, a rubric's lowest levels count as zero in the grade's formula."""

    __tablename__ = "marking_rubrics"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE"), unique=True
    )
    lock_zero_points: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    criteria: Mapped[list["Criterion"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="Criterion.position"
    )


class Criterion(Base):
    """A rubric's criterion (with levels) or a guide's (with a maximum of points)."""

    __tablename__ = "marking_criteria"
    __table_args__ = (UniqueConstraint("rubric_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("marking_rubrics.id", ondelete="CASCADE"))
    position: Mapped[int]
    description: Mapped[str] = mapped_column(String(1000))
    max_points: Mapped[Decimal | None] = mapped_column(POINTS)  # marking guides only

    levels: Mapped[list["CriterionLevel"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="CriterionLevel.position"
    )


class CriterionLevel(Base):
    __tablename__ = "marking_criterion_levels"
    __table_args__ = (UniqueConstraint("criterion_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("marking_criteria.id", ondelete="CASCADE"))
    position: Mapped[int]
    points: Mapped[Decimal] = mapped_column(POINTS)
    definition: Mapped[str] = mapped_column(String(1000))


class CriterionMark(Base):
    """What a marker chose on one criterion: a rubric's level, or a guide's points and comment."""

    __tablename__ = "marking_criterion_marks"
    __table_args__ = (UniqueConstraint("marking_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    marking_id: Mapped[int] = mapped_column(ForeignKey("markings.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(
        ForeignKey("marking_criteria.id", ondelete="CASCADE"), index=True
    )
    level_id: Mapped[int | None] = mapped_column(
        ForeignKey("marking_criterion_levels.id", ondelete="CASCADE")
    )
    points: Mapped[Decimal | None] = mapped_column(POINTS)
    comment: Mapped[str] = mapped_column(Text, default="")
