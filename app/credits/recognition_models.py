"""Recognition of prior learning (VAE/RPL): a learner's application for courses of a
programme they are enrolled in, with a description of their experience and evidence files;
the jury a registrar names for it; and the jury's decision, one item per requested course.
A decision is final: granted credits enter the ledger with the recognition as their source."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.core.db import Base, enum_values, utcnow
from app.courses.models import ContentFile, Course, Programme
from app.credits.models import CREDITS


def _enum(enum: type[StrEnum]) -> Enum:
    return Enum(enum, native_enum=False, length=24, values_callable=enum_values)


class ApplicationStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"  # a jury is named
    DECIDED = "decided"
    WITHDRAWN = "withdrawn"


class Outcome(StrEnum):
    FULL = "full"  # the course's ECTS credits
    PARTIAL = "partial"  # fewer credits; the outcomes still to take are named
    REFUSED = "refused"


class RecognitionApplication(Base):
    """One learner's application within one programme. `institution_id` is the programme's
    awarding institution the registrar acted for when naming the jury: it awards the credits."""

    __tablename__ = "recognition_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[ApplicationStatus] = mapped_column(
        _enum(ApplicationStatus), default=ApplicationStatus.DRAFT
    )
    experience_markdown: Mapped[str] = mapped_column(Text, default="")
    experience_html: Mapped[str] = mapped_column(Text, default="")  # sanitised when saved
    institution_id: Mapped[int | None] = mapped_column(
        ForeignKey("institutions.id", ondelete="SET NULL")
    )
    submitted_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    requests: Mapped[list["RecognitionRequest"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="RecognitionRequest.id"
    )
    evidence: Mapped[list["RecognitionEvidence"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="RecognitionEvidence.id"
    )
    jury: Mapped[list["RecognitionJuryMember"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="RecognitionJuryMember.id"
    )
    decision: Mapped["RecognitionDecision | None"] = relationship(lazy="raise")
    learner: Mapped[User] = relationship(lazy="raise")
    programme: Mapped[Programme] = relationship(lazy="raise")


class RecognitionRequest(Base):
    """A course of the programme the learner asks to have recognised."""

    __tablename__ = "recognition_requests"
    __table_args__ = (UniqueConstraint("application_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("recognition_applications.id", ondelete="CASCADE")
    )
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))

    course: Mapped[Course] = relationship(lazy="raise")


class RecognitionEvidence(Base):
    """An evidence file (stored once by its content, served only as an attachment)."""

    __tablename__ = "recognition_evidence"
    __table_args__ = (UniqueConstraint("application_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("recognition_applications.id", ondelete="CASCADE")
    )
    content_file_id: Mapped[int] = mapped_column(ForeignKey("content_files.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    content: Mapped[ContentFile] = relationship(lazy="raise")


class RecognitionJuryMember(Base):
    """A named member of an application's jury; exactly one is its chair."""

    __tablename__ = "recognition_jury_members"
    __table_args__ = (UniqueConstraint("application_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("recognition_applications.id", ondelete="CASCADE")
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    is_chair: Mapped[bool] = mapped_column(default=False)


class RecognitionDecision(Base):
    """The jury's final, dated decision. The members who sat are copied onto it (id, name,
    chair), so the record reads the same whatever happens to the jury or the accounts."""

    __tablename__ = "recognition_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("recognition_applications.id", ondelete="CASCADE"), unique=True
    )
    decided_on: Mapped[date]
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    jury_members: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)

    items: Mapped[list["RecognitionDecisionItem"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="RecognitionDecisionItem.id"
    )


class RecognitionDecisionItem(Base):
    """The decision on one requested course, with its reason; the ledger entry it wrote (its
    `source_id` is this item's id) when credits were granted."""

    __tablename__ = "recognition_decision_items"
    __table_args__ = (UniqueConstraint("decision_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(
        ForeignKey("recognition_decisions.id", ondelete="CASCADE")
    )
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id", ondelete="SET NULL"))
    course_code: Mapped[str] = mapped_column(String(32))
    course_title: Mapped[str] = mapped_column(String(300))
    outcome: Mapped[Outcome] = mapped_column(_enum(Outcome))
    credits: Mapped[Decimal] = mapped_column(CREDITS, default=Decimal(0))
    remaining_outcomes: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text)
    credit_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("credit_entries.id", ondelete="SET NULL")
    )
