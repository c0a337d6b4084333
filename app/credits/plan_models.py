"""Individual learning plans: per learner and programme, the semester each course still to take
is planned in and the electives chosen, with every change kept (who, when, what); and the
advisors a registrar names for a learner in a programme."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base, enum_values, utcnow


class PlanChangeKind(StrEnum):
    """What one change did to a plan."""

    MOVED = "moved"  # a course to take moved to another semester
    CHOSEN = "chosen"  # an elective chosen
    DROPPED = "dropped"  # an elective given up


class LearningPlan(Base):
    """A learner's plan for a programme: one row per learner and programme, its items the
    courses planned (mandatory ones in the semester the learner takes them, chosen electives)."""

    __tablename__ = "learning_plans"
    __table_args__ = (UniqueConstraint("user_id", "programme_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    items: Mapped[list["PlanItem"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="PlanItem.course_id"
    )


class PlanItem(Base):
    """One course of a plan and the semester it is planned in."""

    __tablename__ = "learning_plan_items"
    __table_args__ = (UniqueConstraint("plan_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("learning_plans.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    semester: Mapped[int]


class PlanChange(Base):
    """One change to a plan, kept for good: what happened to which course, from which
    semester to which, by whom and when. The course's code is copied so the history reads
    the same if the course is removed."""

    __tablename__ = "learning_plan_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("learning_plans.id", ondelete="CASCADE"), index=True
    )
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id", ondelete="SET NULL"))
    course_code: Mapped[str] = mapped_column(String(32))
    kind: Mapped[PlanChangeKind] = mapped_column(
        Enum(PlanChangeKind, native_enum=False, length=24, values_callable=enum_values)
    )
    from_semester: Mapped[int | None]
    to_semester: Mapped[int | None]
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LearnerAdvisor(Base):
    """A person a registrar named to advise a learner in a programme; an advisor may change
    the learner's plan there."""

    __tablename__ = "learner_advisors"
    __table_args__ = (UniqueConstraint("user_id", "programme_id", "advisor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    advisor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    named_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
