"""The credit ledger and the ECTS grading tables. The ledger is append-only: an award, a
correction or a revocation is a new row; nothing is ever updated or deleted in place
(`service/ledger.py` enforces it on every flush). Other parts of the credits service keep their
tables in their own modules (`rules_models`, `plan_models`, `recognition_models`,
`transfer_models`, `degree_models`, `document_models`)."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base, enum_values, utcnow


def _enum(enum: type[StrEnum]) -> Enum:
    return Enum(enum, native_enum=False, length=24, values_callable=enum_values)


CREDITS = Numeric(5, 1)
PERCENT = Numeric(6, 2)


class EntrySource(StrEnum):
    """Where credits come from."""

    COURSE_RESULT = "course_result"  # a passed course on this platform
    RECOGNITION = "recognition"  # a recognition-of-prior-learning (VAE/RPL) decision
    TRANSFER = "transfer"  # a result from a partner, recognised under a learning agreement


class EntryKind(StrEnum):
    AWARD = "award"
    CORRECTION = "correction"  # replaces the entry it supersedes, with new values
    REVOCATION = "revocation"  # withdraws the entry it supersedes; carries no credits


class TableSource(StrEnum):
    COMPUTED = "computed"  # from the passing grades this platform awarded
    IMPORTED = "imported"  # a partner's table, as it sent it


class CreditEntry(Base):
    """One line of a learner's ledger: credits for a course (or a recognised unit that is not
    one of our courses), the grade as awarded on its national scale, its position in the ECTS
    grading table of its reference group, the awarding institution, the academic term, and
    where it came from. `supersedes_id` links a correction or a revocation to the entry it
    replaces; an entry is in force while nothing supersedes it."""

    __tablename__ = "credit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    course_id: Mapped[int | None] = mapped_column(
        ForeignKey("courses.id", ondelete="SET NULL"), index=True
    )
    # Copied when written, so the ledger reads the same if the course is renamed or removed;
    # for a recognised or transferred unit, the host's code and title.
    unit_code: Mapped[str] = mapped_column(String(64))
    unit_title: Mapped[str] = mapped_column(String(300))
    credits: Mapped[Decimal] = mapped_column(CREDITS)
    # The grade as awarded: its label ("14.5", "хорошо", "B+"), its value on the scale, the
    # scale's code (the grading scheme), and the percentage it came from when there is one.
    grade: Mapped[str | None] = mapped_column(String(64))
    grade_value: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    scale_code: Mapped[str | None] = mapped_column(String(32))
    percent: Mapped[Decimal | None] = mapped_column(Numeric(6, 3))
    # The reference group (field of study by ISCED-F code, and the cycle as an EQF level).
    isced_code: Mapped[str | None] = mapped_column(String(4))
    eqf_level: Mapped[int | None]
    # The grade's band in the ECTS grading table in force when written: the cumulative
    # percentages of the better grades (band_from) and of this one (band_to).
    grading_table_id: Mapped[int | None] = mapped_column(
        ForeignKey("grading_tables.id", ondelete="SET NULL")
    )
    band_from: Mapped[Decimal | None] = mapped_column(PERCENT)
    band_to: Mapped[Decimal | None] = mapped_column(PERCENT)
    institution_id: Mapped[int | None] = mapped_column(
        ForeignKey("institutions.id", ondelete="SET NULL"), index=True
    )
    term: Mapped[str] = mapped_column(String(16))  # the academic year, e.g. "2026-27"
    awarded_on: Mapped[date]
    source: Mapped[EntrySource] = mapped_column(_enum(EntrySource))
    # The row of the source that produced it: the course (course_result), the recognition
    # decision (recognition) or the transfer result (transfer).
    source_id: Mapped[int | None]
    kind: Mapped[EntryKind] = mapped_column(_enum(EntryKind), default=EntryKind.AWARD)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("credit_entries.id"), unique=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    by_client_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_clients.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class GradingTable(Base):
    """An ECTS grading table of a reference group (ISCED-F field and cycle) for one grading
    scale: how the passing grades awarded over a period were distributed, best grade first.
    Ours are computed (`owner_institution_id` is the awarding institution, or None for the
    platform); a partner's are imported. The newest of a group and owner is the one in force."""

    __tablename__ = "grading_tables"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_institution_id: Mapped[int | None] = mapped_column(
        ForeignKey("institutions.id", ondelete="CASCADE"), index=True
    )
    isced_code: Mapped[str] = mapped_column(String(4))
    eqf_level: Mapped[int]
    scale_code: Mapped[str] = mapped_column(String(32))
    source: Mapped[TableSource] = mapped_column(_enum(TableSource))
    period_from: Mapped[date]
    period_to: Mapped[date]
    total: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    rows: Mapped[list["GradingTableRow"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="GradingTableRow.position"
    )


class GradingTableRow(Base):
    """One passing grade of a table: how many were awarded, their percentage, and the
    cumulative percentage from the best grade down to this one."""

    __tablename__ = "grading_table_rows"
    __table_args__ = (UniqueConstraint("table_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    table_id: Mapped[int] = mapped_column(ForeignKey("grading_tables.id", ondelete="CASCADE"))
    position: Mapped[int]  # 0 is the best grade
    grade: Mapped[str] = mapped_column(String(64))
    count: Mapped[int]
    percent: Mapped[Decimal] = mapped_column(PERCENT)
    cumulative: Mapped[Decimal] = mapped_column(PERCENT)
