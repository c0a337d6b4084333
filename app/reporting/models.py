from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, enum_values, utcnow


def _enum(enum: type[StrEnum]) -> Enum:
    return Enum(enum, native_enum=False, length=24, values_callable=enum_values)


class Indicator(StrEnum):
    """What a target counts; each is defined in `service.indicators.DEFINITIONS`."""

    ENROLLED = "enrolled"
    COMPLETED = "completed"
    PROFESSIONALS_TRAINED = "professionals_trained"
    REFUGEE_SHARE = "refugee_share"
    CREDITS_AWARDED = "credits_awarded"
    CONTACT_HOURS = "contact_hours"
    SCHOLARSHIPS = "scholarships"


class ReaderRole(StrEnum):
    PROGRAMME_MANAGER = "programme_manager"  # the whole project, courses and cohorts included
    FUNDER = "funder"  # aggregates only, never a person, no drill-down


class ReportingProject(Base):
    """A funded project: one or more programmes reported on together (LMQS: its Licence,
    Master and lifelong-learning modules), from a start date."""

    __tablename__ = "reporting_projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    funder: Mapped[str] = mapped_column(String(200), default="")
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReportingProgramme(Base):
    __tablename__ = "reporting_programmes"
    __table_args__ = (UniqueConstraint("project_id", "programme_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("reporting_projects.id", ondelete="CASCADE"), index=True
    )
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))


class ReportTarget(Base):
    """A figure to reach by `due_on`, counted from `counts_from`; narrowed, when given, to one
    programme of the project, learners of one country or of one institution."""

    __tablename__ = "report_targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("reporting_projects.id", ondelete="CASCADE"), index=True
    )
    indicator: Mapped[Indicator] = mapped_column(_enum(Indicator))
    label: Mapped[str] = mapped_column(String(300), default="")
    programme_id: Mapped[int | None] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE")
    )
    country: Mapped[str | None] = mapped_column(String(2))
    institution_id: Mapped[int | None] = mapped_column(
        ForeignKey("institutions.id", ondelete="CASCADE")
    )
    counts_from: Mapped[date]
    due_on: Mapped[date]
    # A count or a sum; for a share, the percentage to reach (5 for "at least 5%").
    value: Mapped[Decimal] = mapped_column(Numeric(10, 1))


class ReportReader(Base):
    """A person a project names: a programme manager, or a funder's account (aggregates
    only); `monthly` ones are mailed the report at the start of each month."""

    __tablename__ = "report_readers"
    __table_args__ = (UniqueConstraint("project_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("reporting_projects.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[ReaderRole] = mapped_column(_enum(ReaderRole))
    monthly: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReportMailing(Base):
    """A month's report queued for a project's readers: one per project and month, whichever
    worker got there first."""

    __tablename__ = "report_mailings"
    __table_args__ = (UniqueConstraint("project_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("reporting_projects.id", ondelete="CASCADE"))
    month: Mapped[date]  # its first day
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
