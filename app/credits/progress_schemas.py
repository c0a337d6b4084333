"""Input and output shapes of programme rules and of a learner's progress."""

from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from app.core.inputs import StrictInput

Code = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
Title = Annotated[str, Field(min_length=1, max_length=300)]
Semester = Annotated[int, Field(ge=1, le=20)]
Credits = Annotated[Decimal, Field(ge=0, le=999, max_digits=4, decimal_places=1)]
Threshold = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]


def _once_each(codes: list[str]) -> list[str]:
    """A course named twice in one group or unit is in it once."""
    return list(dict.fromkeys(codes))


CourseCodes = Annotated[list[Code], Field(min_length=1, max_length=100), AfterValidator(_once_each)]


class ElectiveGroupWrite(StrictInput):
    """An elective group: courses by code, the credits to earn in them."""

    code: Code
    title: Title
    semester: Semester | None = None
    min_credits: Credits
    courses: CourseCodes


class CompensationUnitWrite(StrictInput):
    """A compensation unit: courses by code, the average percentage that validates them."""

    code: Code
    title: Title
    semester: Semester | None = None
    threshold_percent: Threshold
    courses: CourseCodes


class RulesWrite(StrictInput):
    """The whole rule set of a programme; it replaces the one in force."""

    semesters: Semester
    elective_groups: list[ElectiveGroupWrite] = Field(default_factory=list, max_length=50)
    compensation_units: list[CompensationUnitWrite] = Field(default_factory=list, max_length=50)


class RuleCourseRead(BaseModel):
    """A course of the programme and how its rules count it."""

    code: str
    title: str
    semester: int
    credits: Decimal
    mandatory: bool
    elective_group: str | None
    compensation_unit: str | None


class ElectiveGroupRead(BaseModel):
    """An elective group, its courses by code."""

    code: str
    title: str
    semester: int | None
    min_credits: Decimal
    courses: list[str]


class CompensationUnitRead(BaseModel):
    """A compensation unit, its courses by code."""

    code: str
    title: str
    semester: int | None
    threshold_percent: Decimal
    courses: list[str]


class RulesRead(BaseModel):
    """A programme's credit rules."""

    programme: str
    total_credits: Decimal
    contact_hours_required: Decimal | None
    semesters: int
    courses: list[RuleCourseRead]
    elective_groups: list[ElectiveGroupRead]
    compensation_units: list[CompensationUnitRead]


class EntryRef(BaseModel):
    """The ledger entry that credits a course or a unit."""

    id: int
    unit_code: str
    unit_title: str
    credits: Decimal
    source: str
    institution_id: int | None
    term: str


class CourseStandingRead(BaseModel):
    """A course of the programme for the learner: earned, compensated or missing."""

    course_id: int
    code: str
    title: str
    semester: int
    planned_semester: int | None
    credits: Decimal
    mandatory: bool
    elective_group: str | None
    status: str
    entry: EntryRef | None


class ElectiveStandingRead(BaseModel):
    """An elective group for the learner: its minimum, what is earned, the chosen courses."""

    code: str
    title: str
    min_credits: Decimal
    earned: Decimal
    chosen: list[str]


class ProgressRead(BaseModel):
    """A learner's progress toward a programme; `to_take` maps a semester to course codes."""

    user_id: int
    programme: str
    programme_title: str
    required: Decimal
    earned: Decimal
    eligible: bool
    unmet: list[str]
    hours_required: Decimal | None
    hours_attended: Decimal | None
    courses: list[CourseStandingRead]
    electives: list[ElectiveStandingRead]
    other_entries: list[EntryRef]
    to_take: dict[int, list[str]]
