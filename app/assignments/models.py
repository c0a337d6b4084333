"""Assignments: a module's settings for what learners hand in and how it is marked, and the
submissions (one per learner, or per group for a collective project), each attempt kept.
Marking, rubrics, juries and extensions add their tables beside these."""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, Enum, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base, enum_values, utcnow
from app.courses.models import ContentFile


def _enum(enum: type[StrEnum]) -> Enum:
    return Enum(enum, native_enum=False, length=24, values_callable=enum_values)


POINTS = Numeric(10, 2)


class Resubmission(StrEnum):
    NONE = "none"
    MANUAL = "manual"  # a teacher reopens a submission
    UNTIL_PASS = "until_pass"  # reopened automatically while the released grade fails


class GradingMethod(StrEnum):
    SIMPLE = "simple"  # points out of the maximum, or a level of the scale
    RUBRIC = "rubric"
    GUIDE = "guide"  # marking guide: criteria with a maximum each and a comment


class FinalGradeRule(StrEnum):
    """How a jury's independent marks become the final grade."""

    AGREED = "agreed"  # the chair enters the grade the jury agreed
    MEAN = "mean"


class SubmissionStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    REOPENED = "reopened"  # superseded by a new attempt; kept as it was


class Assignment(Base):
    """The assignment a module stands for. Dates are UTC instants: learners may submit from
    `opens_at`, are late after `due_at` and refused after `cutoff_at`."""

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int] = mapped_column(
        ForeignKey("modules.id", ondelete="CASCADE"), unique=True
    )
    opens_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None]
    cutoff_at: Mapped[datetime | None]
    grading_due_at: Mapped[datetime | None]
    online_text: Mapped[bool] = mapped_column(default=True)
    word_limit: Mapped[int | None]
    file_submissions: Mapped[bool] = mapped_column(default=True)
    max_files: Mapped[int] = mapped_column(default=3)
    # Media types accepted for files, e.g. ["application/pdf"]; empty: the platform's defaults.
    accepted_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    honour_statement: Mapped[bool] = mapped_column(default=False)
    resubmission: Mapped[Resubmission] = mapped_column(
        _enum(Resubmission), default=Resubmission.NONE
    )
    max_attempts: Mapped[int | None]  # None: unlimited
    group_submission: Mapped[bool] = mapped_column(default=False)
    # Only the groups of this grouping submit (None: all the course's groups).
    grouping_id: Mapped[int | None] = mapped_column(
        ForeignKey("course_groupings.id", ondelete="SET NULL")
    )
    every_member_confirms: Mapped[bool] = mapped_column(default=False)
    max_points: Mapped[Decimal] = mapped_column(POINTS, default=Decimal(20))
    # Graded on a scale's levels instead of points.
    scale_id: Mapped[int | None] = mapped_column(
        ForeignKey("grading_scales.id", ondelete="SET NULL")
    )
    pass_points: Mapped[Decimal | None] = mapped_column(POINTS)
    grading_method: Mapped[GradingMethod] = mapped_column(
        _enum(GradingMethod), default=GradingMethod.SIMPLE
    )
    anonymous: Mapped[bool] = mapped_column(default=False)
    identities_revealed_at: Mapped[datetime | None]
    marking_workflow: Mapped[bool] = mapped_column(default=False)
    jury: Mapped[bool] = mapped_column(default=False)
    final_grade_rule: Mapped[FinalGradeRule] = mapped_column(
        _enum(FinalGradeRule), default=FinalGradeRule.AGREED
    )
    # A declared late penalty: this percentage of the maximum per day late, up to the cap.
    late_penalty_percent_per_day: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    late_penalty_cap_percent: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Submission(Base):
    """One attempt of a learner (`user_id`) or of a group (`group_id`, collective projects).
    Reopening keeps the attempt as it was and starts the next one."""

    __tablename__ = "submissions"
    __table_args__ = (
        UniqueConstraint("assignment_id", "user_id", "group_id", "attempt"),
        Index("ix_submissions_assignment_group", "assignment_id", "group_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    group_id: Mapped[int | None] = mapped_column(ForeignKey("course_groups.id", ondelete="CASCADE"))
    attempt: Mapped[int] = mapped_column(default=1)
    status: Mapped[SubmissionStatus] = mapped_column(
        _enum(SubmissionStatus), default=SubmissionStatus.DRAFT
    )
    text_markdown: Mapped[str] = mapped_column(Text, default="")
    text_html: Mapped[str] = mapped_column(Text, default="")  # sanitised when saved
    honour_accepted_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    files: Mapped[list["SubmissionFile"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="SubmissionFile.position"
    )


class SubmissionFile(Base):
    __tablename__ = "submission_files"
    __table_args__ = (UniqueConstraint("submission_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    content_file_id: Mapped[int] = mapped_column(ForeignKey("content_files.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    position: Mapped[int] = mapped_column(default=0)

    content: Mapped[ContentFile] = relationship(lazy="raise")


class SubmissionConfirmation(Base):
    """A group member's confirmation of the group's submission ("every member confirms")."""

    __tablename__ = "submission_confirmations"
    __table_args__ = (UniqueConstraint("submission_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    confirmed_at: Mapped[datetime] = mapped_column(default=utcnow)


class MarkingState(StrEnum):
    """The marking workflow; without it a marking goes straight from not marked to released."""

    NOT_MARKED = "not_marked"
    IN_MARKING = "in_marking"
    READY_FOR_REVIEW = "ready_for_review"
    READY_FOR_RELEASE = "ready_for_release"
    RELEASED = "released"


class Marking(Base):
    """The grade and feedback of one attempt (of a learner, or of a group: every member gets
    it unless overridden). Nothing of it reaches a learner before `released_at`."""

    __tablename__ = "markings"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE"), index=True
    )
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), unique=True
    )
    state: Mapped[MarkingState] = mapped_column(
        _enum(MarkingState), default=MarkingState.NOT_MARKED
    )
    # Points before any late penalty (for a scale: the chosen level's value).
    points: Mapped[Decimal | None] = mapped_column(POINTS)
    scale_level_id: Mapped[int | None] = mapped_column(
        ForeignKey("grading_scale_levels.id", ondelete="SET NULL")
    )
    # The declared late penalty as applied, in points; a teacher may override it with a reason.
    penalty_points: Mapped[Decimal] = mapped_column(POINTS, default=Decimal(0))
    penalty_override_reason: Mapped[str | None] = mapped_column(Text)
    feedback_markdown: Mapped[str] = mapped_column(Text, default="")
    feedback_html: Mapped[str] = mapped_column(Text, default="")
    marker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(default=1)
    released_at: Mapped[datetime | None]
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def final_points(self) -> Decimal | None:
        if self.points is None:
            return None
        return max(Decimal(0), self.points - self.penalty_points)


class MarkingFile(Base):
    """A feedback file a marker attached."""

    __tablename__ = "marking_files"
    __table_args__ = (UniqueConstraint("marking_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    marking_id: Mapped[int] = mapped_column(ForeignKey("markings.id", ondelete="CASCADE"))
    content_file_id: Mapped[int] = mapped_column(ForeignKey("content_files.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))

    content: Mapped[ContentFile] = relationship(lazy="raise")


class MemberGradeOverride(Base):
    """One member's grade in place of their group's, with the teacher's reason."""

    __tablename__ = "member_grade_overrides"
    __table_args__ = (UniqueConstraint("marking_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    marking_id: Mapped[int] = mapped_column(ForeignKey("markings.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    points: Mapped[Decimal] = mapped_column(POINTS)
    reason: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Extension(Base):
    """One learner's own due date and cut-off, granted by a teacher with a reason; it beats
    their group's override and the assignment's dates."""

    __tablename__ = "assignment_extensions"
    __table_args__ = (UniqueConstraint("assignment_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    due_at: Mapped[datetime]
    cutoff_at: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(Text, default="")
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class GroupOverride(Base):
    """Other dates for the members of one group (those left empty keep the assignment's)."""

    __tablename__ = "assignment_group_overrides"
    __table_args__ = (UniqueConstraint("assignment_id", "group_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(
        ForeignKey("course_groups.id", ondelete="CASCADE"), index=True
    )
    opens_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None]
    cutoff_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
