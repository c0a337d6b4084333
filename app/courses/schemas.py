"""Input and output shapes for programmes, courses, sections, modules and completion."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, model_validator
from sqlalchemy import inspect

from app.accounts.schemas import Language
from app.core.inputs import Id, Patch, StrictInput, UTCDatetime
from app.courses.models import (
    CompletionRule,
    Module,
    ModuleKind,
    ProgrammeKind,
    SelfEnrolment,
    Status,
)
from app.courses.service.access import LockReason

Code = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
Key = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")]
Ects = Annotated[Decimal, Field(ge=0, le=999, max_digits=4, decimal_places=1)]
IscedCode = Annotated[
    str, Field(pattern=r"^[0-9]{4}$", description="Field of study, ISCED-F 2013 (e.g. 0413)")
]
CourseEqfLevel = Annotated[int, Field(ge=5, le=8, description="The cycle as an EQF level")]
Licence = Annotated[str, Field(pattern=r"^(CC0-1\.0|CC-BY(-SA|-NC|-ND|-NC-SA|-NC-ND)?-4\.0)$")]

WORKLOAD_HOURS_PER_ECTS = (25, 30)


class ProgrammeCourseIn(StrictInput):
    code: Code
    semester: int = Field(default=1, ge=1, le=12)
    position: int = Field(default=0, ge=0)
    mandatory: bool = True


class ProgrammeCreate(StrictInput):
    code: Code
    kind: ProgrammeKind
    title: str = Field(min_length=1, max_length=300)
    languages: list[Language] = Field(default_factory=lambda: ["en"], min_length=1)
    eqf_level: int | None = Field(default=None, ge=1, le=8)
    ects: Ects = Decimal(0)
    attendance_hours_required: Decimal | None = Field(default=None, ge=0, le=10000)
    institutions: list[str] = Field(default_factory=list)
    outcomes: list[str] = Field(default_factory=list)
    courses: list[ProgrammeCourseIn] = Field(default_factory=list)


class ProgrammeCourseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    course_id: int
    semester: int
    position: int
    mandatory: bool


class ProgrammeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    kind: ProgrammeKind
    title: str
    languages: list[str]
    eqf_level: int | None
    ects: Decimal
    attendance_hours_required: Decimal | None
    outcomes: list[str]
    status: Status
    institution_codes: list[str]
    courses: list[ProgrammeCourseRead]


class CourseCreate(StrictInput):
    code: Code
    title: str = Field(min_length=1, max_length=300)
    summary: str = Field(default="", max_length=5000)
    language: Language = "en"
    ects: Ects = Decimal(0)
    workload_hours: int = Field(default=0, ge=0, le=2000)
    isced_code: IscedCode | None = None
    eqf_level: CourseEqfLevel | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    institution_code: str | None = None
    is_open: bool = False
    licence: Licence | None = None
    self_enrolment: SelfEnrolment = SelfEnrolment.CLOSED

    @model_validator(mode="after")
    def _dates_in_order(self) -> "CourseCreate":
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        return self


class CourseUpdate(Patch):
    nullable = frozenset({"starts_on", "ends_on", "licence", "isced_code", "eqf_level"})

    title: str | None = Field(default=None, min_length=1, max_length=300)
    summary: str | None = Field(default=None, max_length=5000)
    language: Language | None = None
    ects: Ects | None = None
    workload_hours: int | None = Field(default=None, ge=0, le=2000)
    isced_code: IscedCode | None = None
    eqf_level: CourseEqfLevel | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    is_open: bool | None = None
    licence: Licence | None = None
    self_enrolment: SelfEnrolment | None = None
    status: Status | None = None


class CourseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    title: str
    summary: str
    language: str
    ects: Decimal
    workload_hours: int
    isced_code: str | None
    eqf_level: int | None
    workload_warning: str | None
    starts_on: date | None
    ends_on: date | None
    institution_id: int | None
    status: Status
    is_open: bool
    licence: str | None
    self_enrolment: SelfEnrolment
    template_id: int | None
    version: int


class CourseRunCreate(StrictInput):
    """A new run of a template course: content copied, dates shifted to the new start."""

    code: Code
    starts_on: date
    title: str | None = Field(default=None, min_length=1, max_length=300)


class SectionCreate(StrictInput):
    title: str = Field(min_length=1, max_length=300)
    summary: str = Field(default="", max_length=5000)
    position: int | None = Field(default=None, ge=0)
    hidden: bool = Field(default=False, description="Hidden from students, with its modules")


class SectionUpdate(Patch):
    title: str | None = Field(default=None, min_length=1, max_length=300)
    summary: str | None = Field(default=None, max_length=5000)
    position: int | None = Field(default=None, ge=0)
    hidden: bool | None = Field(default=None, description="Hide from (or show to) students")


class SectionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    course_id: int
    position: int
    title: str
    summary: str
    hidden: bool


class ModuleCreate(StrictInput):
    key: Key
    kind: ModuleKind
    title: str = Field(min_length=1, max_length=300)
    body: str = Field(default="", max_length=200_000, description="Markdown, for pages")
    url: HttpUrl | None = Field(default=None, description="For links and embedded videos")
    description: str = Field(default="", max_length=20_000)
    completion: CompletionRule = CompletionRule.VIEWED
    required: bool = True
    requires: list[Key] = Field(default_factory=list, description="Keys of modules to finish first")
    position: int | None = Field(default=None, ge=0)
    status: Status = Status.PUBLISHED
    hidden: bool = Field(default=False, description="Hidden from students; staff see it")
    available_from: UTCDatetime | None = None
    available_until: UTCDatetime | None = None
    is_open: bool = False
    licence: Licence | None = None
    external_ref: str | None = Field(default=None, max_length=64)

    @model_validator(mode="after")
    def _fits_its_kind(self) -> "ModuleCreate":
        if self.kind is ModuleKind.LINK and self.url is None:
            raise ValueError("a link module needs a url")
        start, end = self.available_from, self.available_until
        if start and end and end <= start:
            raise ValueError("available_until is not after available_from")
        return self


class ModuleUpdate(Patch):
    nullable = frozenset({"url", "available_from", "available_until", "licence"})

    title: str | None = Field(default=None, min_length=1, max_length=300)
    body: str | None = Field(default=None, max_length=200_000)
    url: HttpUrl | None = None
    description: str | None = Field(default=None, max_length=20_000)
    completion: CompletionRule | None = None
    required: bool | None = None
    requires: list[Key] | None = None
    position: int | None = Field(default=None, ge=0)
    section_id: Id | None = None
    status: Status | None = Field(default=None, description="`published` publishes a draft")
    hidden: bool | None = Field(default=None, description="Hide from (or show to) students")
    available_from: UTCDatetime | None = None
    available_until: UTCDatetime | None = None
    is_open: bool | None = None
    licence: Licence | None = None


class VisibilityChange(StrictInput):
    """Hide a module or section from students, or show it again."""

    hidden: bool


class ModuleFileRead(BaseModel):
    name: str
    size: int
    media_type: str
    url: str


class TranslationWrite(StrictInput):
    """A module's version in another language: what differs is its texts only."""

    title: str = Field(min_length=1, max_length=300)
    body: str = Field(default="", max_length=200_000, description="Markdown, for pages")
    description: str = Field(default="", max_length=20_000)


class ModuleTranslationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    language: str
    title: str
    body_html: str
    description: str
    updated_at: datetime


class ModuleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    course_id: int
    section_id: int
    key: str
    position: int
    kind: ModuleKind
    title: str
    body_html: str
    url: str | None
    description: str
    completion_rule: CompletionRule
    required: bool
    status: Status
    hidden: bool
    available_from: datetime | None
    available_until: datetime | None
    is_open: bool
    licence: str | None
    external_ref: str | None
    language: str | None = Field(
        default=None,
        description="The language of `title`, `body_html` and `description` (read answers)",
    )
    translations: list[ModuleTranslationRead] | None = Field(
        default=None,
        description="The module's versions in other languages (read answers; null otherwise)",
    )

    @model_validator(mode="before")
    @classmethod
    def _loaded_translations_only(cls, data: Any) -> Any:
        """Translations are listed when they were loaded with the module: serialising never
        sends a query of its own."""
        if not isinstance(data, Module):
            return data
        loaded = inspect(data).dict
        fields = {
            name: getattr(data, name)
            for name in cls.model_fields
            if name != "translations" and hasattr(data, name)
        }
        if "translations" in loaded:
            fields["translations"] = loaded["translations"]
        return fields


class ModuleState(BaseModel):
    """A module as one reader sees it in the outline."""

    id: int
    key: str
    kind: ModuleKind
    title: str
    language: str | None = Field(
        default=None, description="The language of `title` when it is a translation"
    )
    required: bool
    completed: bool
    locked: bool
    lock_reasons: list[str]
    # For pages, which word the reasons in the reader's language and zone.
    locks: list[LockReason] = Field(default_factory=list, exclude=True)
    # What staff see of a draft or hidden module (students never get one).
    status: Status = Status.PUBLISHED
    hidden: bool = False


class SectionOutline(BaseModel):
    id: int
    position: int
    title: str
    summary: str
    modules: list[ModuleState]
    hidden: bool = False


class Progress(BaseModel):
    completed_required: int
    total_required: int
    percent: int
    course_completed: bool


class CourseOutline(BaseModel):
    course: CourseRead
    sections: list[SectionOutline]
    progress: Progress | None


class CompletionRead(BaseModel):
    module_id: int
    completed: bool
    progress: Progress


class CourseEditRead(BaseModel):
    """One change to a course or its content, newest first in the history."""

    id: int
    at: datetime
    action: str = Field(description="A stable code such as `module.updated`")
    subject: str = Field(description="What changed (a title), as it read at the time")
    by: str = Field(description="Who changed it: a person's or a partner system's name")
    actor_user_id: int | None
    version: int = Field(description="The course's version after the change")
