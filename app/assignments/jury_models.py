"""A jury for a defended assignment (the MBA's collective projects): its members (course staff
or external examiners invited for this assignment alone), who marks which submission, each
member's independent mark, the jury's decision, and the defence slot."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.assignments.models import POINTS
from app.core.db import Base, utcnow


class JuryMember(Base):
    """A marker of an assignment's jury. An external examiner is not enrolled in the course:
    being a member is their only way in, and it reaches this assignment alone."""

    __tablename__ = "jury_members"
    __table_args__ = (UniqueConstraint("assignment_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    is_chair: Mapped[bool] = mapped_column(default=False)
    external: Mapped[bool] = mapped_column(default=False)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(lazy="raise", foreign_keys=[user_id])


class JuryAllocation(Base):
    """A member chosen to mark one submission. A submission with no allocation is marked by
    the whole jury."""

    __tablename__ = "jury_allocations"
    __table_args__ = (UniqueConstraint("submission_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("jury_members.id", ondelete="CASCADE"), index=True
    )


class JuryMark(Base):
    """One member's own mark of a submission (points, or a level of the scale) and comment,
    never shown to the learners."""

    __tablename__ = "jury_marks"
    __table_args__ = (UniqueConstraint("submission_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("jury_members.id", ondelete="CASCADE"), index=True
    )
    points: Mapped[Decimal] = mapped_column(POINTS)
    scale_level_id: Mapped[int | None] = mapped_column(
        ForeignKey("grading_scale_levels.id", ondelete="SET NULL")
    )
    comment_markdown: Mapped[str] = mapped_column(Text, default="")
    comment_html: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class JuryDecision(Base):
    """The jury's final grade of a submission: agreed by the chair with its reason, or the mean
    of the marks. It reaches the learners only when released (`Marking`)."""

    __tablename__ = "jury_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), unique=True
    )
    points: Mapped[Decimal] = mapped_column(POINTS)
    scale_level_id: Mapped[int | None] = mapped_column(
        ForeignKey("grading_scale_levels.id", ondelete="SET NULL")
    )
    reason: Mapped[str] = mapped_column(Text, default="")
    feedback_markdown: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    released_at: Mapped[datetime | None]


class Defence(Base):
    """When and where a submission is defended: a time (stored UTC, set in the organiser's
    zone) with a duration and a place, or one of the course's webinar sessions."""

    __tablename__ = "defences"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), unique=True
    )
    starts_at: Mapped[datetime]
    duration_minutes: Mapped[int] = mapped_column(default=30)
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    place: Mapped[str] = mapped_column(String(300), default="")
    webinar_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("webinar_sessions.id", ondelete="SET NULL")
    )
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
