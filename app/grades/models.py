"""The gradebook: grading scales (data), grade items from assignments, quizzes, attendance and
manual entries, their categories, each learner's grade with its full history, and course
results. Assignments and quizzes write here through `app.grades.service.record`."""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base, enum_values, utcnow


def _enum(enum: type[StrEnum]) -> Enum:
    return Enum(enum, native_enum=False, length=24, values_callable=enum_values)


POINTS = Numeric(10, 2)


class ItemSource(StrEnum):
    ASSIGNMENT = "assignment"
    QUIZ = "quiz"
    ATTENDANCE = "attendance"  # webinar and seminar hours
    MANUAL = "manual"
    LTI = "lti"  # scores an external tool posts through LTI Assignment and Grade Services


class Aggregation(StrEnum):
    WEIGHTED_MEAN = "weighted_mean"
    MEAN = "mean"
    NATURAL = "natural"  # the sum of points
    HIGHEST = "highest"


class Display(StrEnum):
    """How a grade or a course total reads: 14.5/20, 72.5 %, a letter, or a scale's level."""

    POINTS = "points"
    PERCENTAGE = "percentage"
    LETTER = "letter"
    SCALE = "scale"


class ChangeKind(StrEnum):
    SOURCE = "source"  # written by the assignment or quiz that owns the item
    OVERRIDE = "override"  # a teacher replaced the computed or recorded grade
    IMPORT = "import"  # an offline marking worksheet
    RELEASE = "release"


class Scale(Base):
    """A grading scale as data: French 0–20 with mentions, Russian 5-point, "acquis / en cours /
    non acquis", letters. Levels are ordered from lowest to highest."""

    __tablename__ = "grading_scales"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # Shown as points out of this (20 for the French scale); None for a scale of labels only.
    out_of: Mapped[Decimal | None] = mapped_column(POINTS)
    institution_id: Mapped[int | None] = mapped_column(
        ForeignKey("institutions.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    levels: Mapped[list["ScaleLevel"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="ScaleLevel.position"
    )


class ScaleLevel(Base):
    """One level of a scale: its label, the value it counts for, the lowest percentage that
    reaches it (for showing a percentage on the scale) and whether it passes."""

    __tablename__ = "grading_scale_levels"
    __table_args__ = (UniqueConstraint("scale_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scale_id: Mapped[int] = mapped_column(ForeignKey("grading_scales.id", ondelete="CASCADE"))
    position: Mapped[int]
    label: Mapped[str] = mapped_column(String(100))
    value: Mapped[Decimal] = mapped_column(POINTS)
    min_percent: Mapped[Decimal] = mapped_column(Numeric(6, 3))
    passing: Mapped[bool] = mapped_column(default=False)


class GradeCategory(Base):
    """A group of items with its aggregation; the course's root category has no parent."""

    __tablename__ = "grade_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("grade_categories.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    aggregation: Mapped[Aggregation] = mapped_column(
        _enum(Aggregation), default=Aggregation.WEIGHTED_MEAN
    )
    weight: Mapped[Decimal] = mapped_column(POINTS, default=Decimal(1))
    drop_lowest: Mapped[int] = mapped_column(default=0)
    exclude_empty: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)
    # The course's settings, kept on its root category's row: the pass mark of the course total
    # (a percentage), how the total reads, the scale it reads on, and the course lock.
    pass_percent: Mapped[Decimal | None] = mapped_column(Numeric(6, 3))
    display: Mapped[Display | None] = mapped_column(_enum(Display))
    scale_id: Mapped[int | None] = mapped_column(
        ForeignKey("grading_scales.id", ondelete="SET NULL")
    )
    locked_at: Mapped[datetime | None]


class GradeItem(Base):
    """Something graded in a course. Items of an assignment or a quiz are kept in step by their
    owner (`source`, `source_id`); manual and attendance items are the teacher's."""

    __tablename__ = "grade_items"
    __table_args__ = (UniqueConstraint("source", "source_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("grade_categories.id", ondelete="SET NULL"), index=True
    )
    # The module a pass completes ("passed" completion rule), if any.
    module_id: Mapped[int | None] = mapped_column(
        ForeignKey("modules.id", ondelete="SET NULL"), index=True
    )
    source: Mapped[ItemSource] = mapped_column(_enum(ItemSource))
    source_id: Mapped[int | None]
    title: Mapped[str] = mapped_column(String(300))
    max_points: Mapped[Decimal] = mapped_column(POINTS, default=Decimal(100))
    pass_points: Mapped[Decimal | None] = mapped_column(POINTS)
    scale_id: Mapped[int | None] = mapped_column(
        ForeignKey("grading_scales.id", ondelete="SET NULL")
    )
    weight: Mapped[Decimal] = mapped_column(POINTS, default=Decimal(1))
    position: Mapped[int] = mapped_column(default=0)
    # Learners see the item's grades only from this instant (None: as soon as released).
    hidden_until: Mapped[datetime | None]
    # Set once the jury has deliberated: no grade of the item changes any more.
    locked_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # How its grades read (None: as the course total reads).
    display: Mapped[Display | None] = mapped_column(_enum(Display))


class Grade(Base):
    """A learner's grade for an item. `points` is what the source recorded; an override
    replaces it for every purpose (with its reason kept). `version` guards concurrent edits:
    a writer who read an older version gets 409."""

    __tablename__ = "grades"
    __table_args__ = (UniqueConstraint("item_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("grade_items.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    points: Mapped[Decimal | None] = mapped_column(POINTS)
    override_points: Mapped[Decimal | None] = mapped_column(POINTS)
    override_reason: Mapped[str | None] = mapped_column(Text)
    feedback_html: Mapped[str] = mapped_column(Text, default="")
    # The learner sees the grade once released (and the item's hidden_until has passed).
    released_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    @property
    def final_points(self) -> Decimal | None:
        return self.override_points if self.override_points is not None else self.points


class GradeChange(Base):
    """Every change of a grade, append-only: who, when, from, to and why."""

    __tablename__ = "grade_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    grade_id: Mapped[int] = mapped_column(ForeignKey("grades.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ChangeKind] = mapped_column(_enum(ChangeKind))
    from_points: Mapped[Decimal | None] = mapped_column(POINTS)
    to_points: Mapped[Decimal | None] = mapped_column(POINTS)
    reason: Mapped[str] = mapped_column(Text, default="")
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class CourseResult(Base):
    """A learner's course total from released grades only (what the learner sees), recomputed
    whenever one of their grades is recorded."""

    __tablename__ = "course_results"
    __table_args__ = (UniqueConstraint("course_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    points: Mapped[Decimal | None] = mapped_column(POINTS)
    max_points: Mapped[Decimal | None] = mapped_column(POINTS)
    percent: Mapped[Decimal | None] = mapped_column(Numeric(6, 3))
    # None while the course has no pass mark.
    passed: Mapped[bool | None]
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
