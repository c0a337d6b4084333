from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Enum,
    ForeignKey,
    Index,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Institution
from app.core.db import Base, enum_values, utcnow
from app.core.storage import STORAGE_KEY


def _enum(enum: type[StrEnum]) -> Enum:
    return Enum(enum, native_enum=False, length=24, values_callable=enum_values)


class ProgrammeKind(StrEnum):
    INDUCTION = "induction"
    LICENCE = "licence"
    MASTER = "master"
    MBA = "mba"
    WORKSHOP = "workshop"
    LIFELONG = "lifelong"


class Status(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class SelfEnrolment(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    KEY = "key"


class ModuleKind(StrEnum):
    PAGE = "page"
    FILE = "file"
    LINK = "link"
    VIDEO = "video"
    # Owned by later services; the module points to their object with `external_ref`.
    ASSIGNMENT = "assignment"
    QUIZ = "quiz"
    FORUM = "forum"
    WEBINAR = "webinar"
    LTI = "lti"  # an external tool launched over LTI 1.3


class CompletionRule(StrEnum):
    VIEWED = "viewed"
    MANUAL = "manual"  # the student marks it done
    SUBMITTED = "submitted"
    PASSED = "passed"
    POSTED = "posted"  # a forum module: the learner has posted in it


programme_institutions = Table(
    "programme_institutions",
    Base.metadata,
    Column("programme_id", ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True),
    Column("institution_id", ForeignKey("institutions.id", ondelete="CASCADE"), primary_key=True),
)


class Programme(Base):
    """A degree, induction or workshop: courses in order, with ECTS and awarding institutions."""

    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[ProgrammeKind] = mapped_column(_enum(ProgrammeKind))
    title: Mapped[str] = mapped_column(String(300))
    eqf_level: Mapped[int | None]
    ects: Mapped[Decimal] = mapped_column(Numeric(5, 1), default=Decimal(0))
    # Hours of attended seminars and webinars a student needs (the MBA's 160), if any.
    attendance_hours_required: Mapped[Decimal | None] = mapped_column(Numeric(6, 1))
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    outcomes: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[Status] = mapped_column(_enum(Status), default=Status.DRAFT)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    institutions: Mapped[list[Institution]] = relationship(
        secondary=programme_institutions, lazy="raise", order_by=Institution.code
    )
    courses: Mapped[list["ProgrammeCourse"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="ProgrammeCourse.position"
    )


class ProgrammeCourse(Base):
    __tablename__ = "programme_courses"
    __table_args__ = (UniqueConstraint("programme_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    semester: Mapped[int] = mapped_column(default=1)
    position: Mapped[int] = mapped_column(default=0)
    mandatory: Mapped[bool] = mapped_column(default=True)

    course: Mapped["Course"] = relationship(lazy="raise")


class MandatoryCourse(Base):
    """A course every programme an institution awards must contain (transversal courses)."""

    __tablename__ = "mandatory_courses"
    __table_args__ = (UniqueConstraint("institution_id", "course_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id", ondelete="CASCADE"))
    course_code: Mapped[str] = mapped_column(String(32))


class Course(Base):
    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8), default="en", index=True)
    ects: Mapped[Decimal] = mapped_column(Numeric(4, 1), default=Decimal(0))
    workload_hours: Mapped[int] = mapped_column(default=0)
    # Its ECTS reference group: field of study (ISCED-F 2013 code) and cycle (EQF level).
    isced_code: Mapped[str | None] = mapped_column(String(4))
    eqf_level: Mapped[int | None]
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    institution_id: Mapped[int | None] = mapped_column(
        ForeignKey("institutions.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[Status] = mapped_column(_enum(Status), default=Status.DRAFT, index=True)
    is_open: Mapped[bool] = mapped_column(default=False)
    licence: Mapped[str | None] = mapped_column(String(32))
    self_enrolment: Mapped[SelfEnrolment] = mapped_column(
        _enum(SelfEnrolment), default=SelfEnrolment.CLOSED
    )
    template_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id", ondelete="SET NULL"))
    # Bumped by every change to the course or its content: the ETag of its reads.
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    institution: Mapped[Institution | None] = relationship(lazy="raise")
    sections: Mapped[list["Section"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="Section.position"
    )

    # Every UPDATE of a course says `WHERE version = <the version read>`: a writer that read
    # the course before another committed a change is refused (`StaleDataError`) instead of
    # overwriting it. The services raise the version themselves (`touch`).
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}  # noqa: RUF012


class Section(Base):
    """A week or topic of a course."""

    __tablename__ = "sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    # Hidden from students (with all its modules); staff see it, marked as hidden.
    hidden: Mapped[bool] = mapped_column(default=False)

    modules: Mapped[list["Module"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="Module.position"
    )


class ContentFile(Base):
    """An uploaded file, stored once by its SHA-256 however many modules use it."""

    __tablename__ = "content_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True, info=STORAGE_KEY)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ModuleFile(Base):
    __tablename__ = "module_files"
    __table_args__ = (UniqueConstraint("module_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"), index=True)
    content_file_id: Mapped[int] = mapped_column(ForeignKey("content_files.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    position: Mapped[int] = mapped_column(default=0)

    content: Mapped[ContentFile] = relationship(lazy="raise")


class Module(Base):
    __tablename__ = "modules"
    __table_args__ = (
        UniqueConstraint("course_id", "key"),
        Index("ix_modules_section_position", "section_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("sections.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[ModuleKind] = mapped_column(_enum(ModuleKind))
    title: Mapped[str] = mapped_column(String(300))
    body_markdown: Mapped[str] = mapped_column(Text, default="")
    # Rendered and sanitised once, when saved, so pages never render Markdown per view.
    body_html: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str | None] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(Text, default="")
    external_ref: Mapped[str | None] = mapped_column(String(64))
    completion_rule: Mapped[CompletionRule] = mapped_column(
        _enum(CompletionRule), default=CompletionRule.VIEWED
    )
    required: Mapped[bool] = mapped_column(default=True)
    status: Mapped[Status] = mapped_column(_enum(Status), default=Status.PUBLISHED)
    # Hidden from students whatever its status; staff see it, marked as hidden.
    hidden: Mapped[bool] = mapped_column(default=False)
    available_from: Mapped[datetime | None]
    available_until: Mapped[datetime | None]
    is_open: Mapped[bool] = mapped_column(default=False)
    licence: Mapped[str | None] = mapped_column(String(32))

    files: Mapped[list[ModuleFile]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by=ModuleFile.position
    )
    requires: Mapped[list["ModulePrerequisite"]] = relationship(
        lazy="raise",
        cascade="all, delete-orphan",
        foreign_keys="ModulePrerequisite.module_id",
    )
    # Versions in other languages than the course's; the module itself is the course's.
    translations: Mapped[list["ModuleTranslation"]] = relationship(
        lazy="raise",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ModuleTranslation.language",
    )


class ModuleTranslation(Base):
    """A module's title, body and description in another language. Completion, position and
    rules stay the module's: a reader of any version completes the one module."""

    __tablename__ = "module_translations"
    __table_args__ = (UniqueConstraint("module_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(300))
    body_markdown: Mapped[str] = mapped_column(Text, default="")
    # Rendered and sanitised once, when saved, as the module's own body.
    body_html: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ModulePrerequisite(Base):
    """`module` stays locked until `required_module` is complete."""

    __tablename__ = "module_prerequisites"
    __table_args__ = (UniqueConstraint("module_id", "required_module_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"), index=True)
    required_module_id: Mapped[int] = mapped_column(
        ForeignKey("modules.id", ondelete="CASCADE"), index=True
    )


class CoursePrerequisite(Base):
    """`course` stays locked until `required_course` is complete."""

    __tablename__ = "course_prerequisites"
    __table_args__ = (UniqueConstraint("course_id", "required_course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    required_course_id: Mapped[int] = mapped_column(
        ForeignKey("courses.id", ondelete="CASCADE"), index=True
    )


class ModuleCompletion(Base):
    """Recorded once per person and module; the unique key makes concurrent marks harmless.

    The two other indexes hold what their readers need, so that with 10 million rows (size XL)
    neither visits the table, where a person's completions lie months apart: a reader's
    completions in their courses (user, course → module) and the completions of a course's
    modules by its participants (module → user)."""

    __tablename__ = "module_completions"
    __table_args__ = (
        UniqueConstraint("user_id", "module_id"),
        Index("ix_module_completions_user_course_module", "user_id", "course_id", "module_id"),
        Index("ix_module_completions_module_user", "module_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    completed_at: Mapped[datetime] = mapped_column(default=utcnow)


class CourseCompletion(Base):
    __tablename__ = "course_completions"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    completed_at: Mapped[datetime] = mapped_column(default=utcnow)


class CompletionEvent(Base):
    """An append-only trail (viewed, marked done, submitted, passed, completed) for reports."""

    __tablename__ = "completion_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int | None] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class CourseEdit(Base):
    """One change to a course or its content, for the course's teachers to read: who, when,
    what (an action such as `module.updated` and the thing changed, by title)."""

    __tablename__ = "course_edits"
    __table_args__ = (Index("ix_course_edits_course_at", "course_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_client_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_clients.id", ondelete="SET NULL")
    )
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(300), default="")
    version: Mapped[int]
