"""Credit transfer: learning agreements agreed before a mobility, and the results the host
institution sends afterwards, recognised at home by the ECTS grading tables (Erasmus+)."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base, enum_values, utcnow
from app.credits.models import CREDITS, PERCENT


def _enum(enum: type[StrEnum]) -> Enum:
    return Enum(enum, native_enum=False, length=24, values_callable=enum_values)


class AgreementStatus(StrEnum):
    DRAFT = "draft"  # lines are written; nobody is bound yet
    PROPOSED = "proposed"  # submitted by the learner or the home registrar, awaiting both sides
    APPROVED = "approved"  # approved by the home registrar and by the host
    CANCELLED = "cancelled"  # withdrawn; a change after approval is a new revision


class TransferStatus(StrEnum):
    PENDING = "pending"  # waits for a registrar's decision (see `waiting_reason`)
    RECOGNISED = "recognised"  # on the learner's ledger
    REFUSED = "refused"  # a registrar refused it, with a reason


class WaitingReason(StrEnum):
    """Why a received result was not recognised on receipt."""

    NO_AGREEMENT = "no_agreement"  # no approved agreement with that host
    NO_MATCHING_LINE = "no_matching_line"  # the agreement does not list that host course
    NOT_CONVERTIBLE = "not_convertible"  # failing grade, or a grade missing from the table
    NO_GRADING_TABLE = "no_grading_table"  # the host's or our table is missing


class LearningAgreement(Base):
    """What a learner will study at a host institution during a mobility and what it counts
    for at home. Each side's approval is recorded with who and when; once approved it does not
    change — a change is a new agreement with the next `revision` (the old one is cancelled)."""

    __tablename__ = "learning_agreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    home_institution_id: Mapped[int] = mapped_column(
        ForeignKey("institutions.id", ondelete="CASCADE"), index=True
    )
    host_institution_id: Mapped[int] = mapped_column(
        ForeignKey("institutions.id", ondelete="CASCADE"), index=True
    )
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    period_from: Mapped[date]
    period_to: Mapped[date]
    status: Mapped[AgreementStatus] = mapped_column(
        _enum(AgreementStatus), default=AgreementStatus.DRAFT, index=True
    )
    revision: Mapped[int] = mapped_column(default=1)
    # The agreement this revision replaces (cancelled when this one was written).
    replaces_id: Mapped[int | None] = mapped_column(
        ForeignKey("learning_agreements.id", ondelete="SET NULL")
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    proposed_at: Mapped[datetime | None]
    home_approved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    home_approved_at: Mapped[datetime | None]
    # The host approves through a registrar of its own or its partner API client.
    host_approved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    host_approved_by_client_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_clients.id", ondelete="SET NULL")
    )
    host_approved_at: Mapped[datetime | None]
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str] = mapped_column(Text, default="")

    lines: Mapped[list["AgreementLine"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="AgreementLine.id"
    )


class AgreementLine(Base):
    """A host course the learner will take and the home course of the programme it counts
    for; several host courses may count for one home course."""

    __tablename__ = "learning_agreement_lines"
    __table_args__ = (UniqueConstraint("agreement_id", "host_course_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("learning_agreements.id", ondelete="CASCADE"), index=True
    )
    host_course_code: Mapped[str] = mapped_column(String(64))
    host_course_title: Mapped[str] = mapped_column(String(300))
    host_credits: Mapped[Decimal] = mapped_column(CREDITS)
    host_scale_code: Mapped[str | None] = mapped_column(String(32))
    isced_code: Mapped[str | None] = mapped_column(String(4))
    eqf_level: Mapped[int | None]
    home_course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))


class TransferResult(Base):
    """A result a host institution sent (API or ELMO), as it sent it, and what became of it at
    home: the agreement line it matched, the conversion by the grading tables and the ledger
    entry it produced, or why it waits, or the registrar's decision."""

    __tablename__ = "transfer_results"
    __table_args__ = (
        UniqueConstraint("learner_id", "host_institution_id", "host_course_code", "completed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    host_institution_id: Mapped[int] = mapped_column(
        ForeignKey("institutions.id", ondelete="CASCADE"), index=True
    )
    host_course_code: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    credits: Mapped[Decimal] = mapped_column(CREDITS)
    grade: Mapped[str] = mapped_column(String(64))
    scale_code: Mapped[str | None] = mapped_column(String(32))
    isced_code: Mapped[str | None] = mapped_column(String(4))
    eqf_level: Mapped[int | None]
    completed_on: Mapped[date]
    via: Mapped[str] = mapped_column(String(8))  # "api" or "elmo"
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    received_by_client_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_clients.id", ondelete="SET NULL")
    )
    status: Mapped[TransferStatus] = mapped_column(
        _enum(TransferStatus), default=TransferStatus.PENDING, index=True
    )
    waiting_reason: Mapped[WaitingReason | None] = mapped_column(_enum(WaitingReason))
    agreement_id: Mapped[int | None] = mapped_column(
        ForeignKey("learning_agreements.id", ondelete="SET NULL")
    )
    line_id: Mapped[int | None] = mapped_column(
        ForeignKey("learning_agreement_lines.id", ondelete="SET NULL")
    )
    # The conversion by the grading tables, when there was one.
    converted_grade: Mapped[str | None] = mapped_column(String(64))
    converted_scale_code: Mapped[str | None] = mapped_column(String(32))
    overlapping: Mapped[str | None] = mapped_column(String(300))  # target grades, best first
    band_from: Mapped[Decimal | None] = mapped_column(PERCENT)
    band_to: Mapped[Decimal | None] = mapped_column(PERCENT)
    midpoint: Mapped[Decimal | None] = mapped_column(Numeric(6, 3))
    rule: Mapped[str | None] = mapped_column(String(64))
    source_table_id: Mapped[int | None] = mapped_column(
        ForeignKey("grading_tables.id", ondelete="SET NULL")
    )
    target_table_id: Mapped[int | None] = mapped_column(
        ForeignKey("grading_tables.id", ondelete="SET NULL")
    )
    entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("credit_entries.id", ondelete="SET NULL")
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str] = mapped_column(Text, default="")
