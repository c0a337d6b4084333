from datetime import datetime
from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, enum_values, utcnow
from app.membership.models import Funding


def _enum(enum: type[StrEnum]) -> Enum:
    return Enum(enum, native_enum=False, length=24, values_callable=enum_values)


class ProfessionalStatus(StrEnum):
    STUDENT = "student"
    WORKING_PROFESSIONAL = "working_professional"
    CIVIL_SERVANT = "civil_servant"


class EnrolmentChange(Base):
    """Who changed an enrolment, when, from what to what, and why."""

    __tablename__ = "enrolment_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolments.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    by_client_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_clients.id", ondelete="SET NULL")
    )
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")


class EnrolmentOptions(Base):
    """How students may enrol themselves in a course: key, capacity, window, approval."""

    __tablename__ = "enrolment_options"

    course_id: Mapped[int] = mapped_column(
        ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True
    )
    key_hash: Mapped[str | None] = mapped_column(String(200))
    capacity: Mapped[int | None]
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    requires_approval: Mapped[bool] = mapped_column(default=False)


class ExternalId(Base):
    """A partner institution's own identifier for one of our users (bulk matching)."""

    __tablename__ = "external_ids"
    __table_args__ = (UniqueConstraint("institution_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)


class LearnerProfile(Base):
    """What programme reporting needs. Nationality and refugee status are sensitive: only a
    manager holding the explicit permission reads them, and every read is audited."""

    __tablename__ = "learner_profiles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    professional_status: Mapped[ProfessionalStatus | None] = mapped_column(
        _enum(ProfessionalStatus)
    )
    nationality: Mapped[str | None] = mapped_column(String(2))
    refugee: Mapped[bool | None]


class Cohort(Base):
    """An intake (e.g. "LMQS Kazakhstan Licence 2021"): members are enrolled in its courses."""

    __tablename__ = "cohorts"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # The institution whose managers run the intake; none for a platform-wide one.
    institution_id: Mapped[int | None] = mapped_column(
        ForeignKey("institutions.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CohortMember(Base):
    __tablename__ = "cohort_members"
    __table_args__ = (UniqueConstraint("cohort_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)


class CohortCourse(Base):
    __tablename__ = "cohort_courses"
    __table_args__ = (UniqueConstraint("cohort_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))


class Group(Base):
    """A group inside a course, e.g. a collective project team."""

    __tablename__ = "course_groups"
    __table_args__ = (UniqueConstraint("course_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))


class GroupMember(Base):
    __tablename__ = "course_group_members"
    __table_args__ = (UniqueConstraint("group_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("course_groups.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)


class ProgrammeEnrolment(Base):
    """A person enrolled in a programme: enrolled in its courses, and in the runs added later."""

    __tablename__ = "programme_enrolments"
    __table_args__ = (UniqueConstraint("programme_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    funding: Mapped[Funding] = mapped_column(_enum(Funding), default=Funding.SELF)
    funder_name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Grouping(Base):
    """A set of a course's groups used together (e.g. all the project teams of one seminar)."""

    __tablename__ = "course_groupings"
    __table_args__ = (UniqueConstraint("course_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))


class GroupingGroup(Base):
    __tablename__ = "course_grouping_groups"
    __table_args__ = (UniqueConstraint("grouping_id", "group_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    grouping_id: Mapped[int] = mapped_column(ForeignKey("course_groupings.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(ForeignKey("course_groups.id", ondelete="CASCADE"))


class IntakeRun(Base):
    """One intake list sent (a CSV file in the portal, rows over the API) into a course or a
    cohort: who sent it, when, and how its rows fared; kept so the report stays readable."""

    __tablename__ = "intake_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_client_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_clients.id", ondelete="SET NULL")
    )
    course_id: Mapped[int | None] = mapped_column(
        ForeignKey("courses.id", ondelete="CASCADE"), index=True
    )
    cohort_id: Mapped[int | None] = mapped_column(
        ForeignKey("cohorts.id", ondelete="CASCADE"), index=True
    )
    institution_id: Mapped[int | None] = mapped_column(
        ForeignKey("institutions.id", ondelete="SET NULL")
    )
    source: Mapped[str] = mapped_column(String(8))  # "csv" or "api"
    file_name: Mapped[str | None] = mapped_column(String(200))
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    rejected: Mapped[int] = mapped_column(default=0)


class IntakeRow(Base):
    """One row of an intake: its spreadsheet line, what happened, and why a refusal (as a
    code, shown in the reader's language when read)."""

    __tablename__ = "intake_rows"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("intake_runs.id", ondelete="CASCADE"), index=True
    )
    line: Mapped[int]
    external_id: Mapped[str] = mapped_column(String(64), default="")
    email: Mapped[str] = mapped_column(String(320), default="")
    outcome: Mapped[str] = mapped_column(String(16))
    reason_code: Mapped[str | None] = mapped_column(String(64))
    reason_field: Mapped[str | None] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Set when the intake created the person's account and sent them an invitation.
    invited_at: Mapped[datetime | None]
