"""Input and output shapes for an assignment's settings, its extensions and group overrides,
and submissions. Instants carry their zone (`2026-12-01T09:00:00Z`); pages read local times
in the editor's zone before building these. Marking, rubric and jury shapes live beside
their own routes."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from app.assignments.models import (
    FinalGradeRule,
    GradingMethod,
    Resubmission,
    SubmissionStatus,
)
from app.core.inputs import Id, StrictInput, UTCDatetime

Points = Annotated[Decimal, Field(ge=0, le=10000, max_digits=10, decimal_places=2)]
Percent = Annotated[Decimal, Field(ge=0, le=100, max_digits=6, decimal_places=2)]
MediaType = Annotated[
    str, Field(min_length=3, max_length=100, pattern=r"^[a-z0-9.+-]+/[a-z0-9.+*-]+$")
]
Reason = Annotated[str, Field(max_length=2000)]


class AssignmentSettings(StrictInput):
    """Every setting of an assignment (a `PUT` replaces them all; a field left out takes its
    default). Dates: learners may submit from `opens_at`, are late after `due_at` and are
    refused after `cutoff_at`; `cutoff_at` ≥ `due_at` ≥ `opens_at`."""

    opens_at: UTCDatetime | None = None
    due_at: UTCDatetime | None = None
    cutoff_at: UTCDatetime | None = None
    grading_due_at: UTCDatetime | None = None
    online_text: bool = True
    word_limit: int | None = Field(default=None, ge=1, le=100000)
    file_submissions: bool = True
    max_files: int = Field(default=3, ge=1, le=20)
    accepted_types: list[MediaType] = Field(default_factory=list, max_length=20)
    honour_statement: bool = False
    resubmission: Resubmission = Resubmission.NONE
    max_attempts: int | None = Field(default=None, ge=1, le=100)
    group_submission: bool = False
    grouping_id: Id | None = None
    every_member_confirms: bool = False
    max_points: Annotated[Decimal, Field(gt=0, le=10000, max_digits=10, decimal_places=2)] = (
        Decimal(20)
    )
    scale_id: Id | None = None
    pass_points: Points | None = None
    grading_method: GradingMethod = GradingMethod.SIMPLE
    anonymous: bool = False
    marking_workflow: bool = False
    jury: bool = False
    final_grade_rule: FinalGradeRule = FinalGradeRule.AGREED
    late_penalty_percent_per_day: Percent | None = None
    late_penalty_cap_percent: Percent | None = None


class AssignmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    course_id: int
    module_id: int
    opens_at: datetime | None
    due_at: datetime | None
    cutoff_at: datetime | None
    grading_due_at: datetime | None
    online_text: bool
    word_limit: int | None
    file_submissions: bool
    max_files: int
    accepted_types: list[str]
    honour_statement: bool
    resubmission: Resubmission
    max_attempts: int | None
    group_submission: bool
    grouping_id: int | None
    every_member_confirms: bool
    max_points: Decimal
    scale_id: int | None
    pass_points: Decimal | None
    grading_method: GradingMethod
    anonymous: bool
    marking_workflow: bool
    jury: bool
    final_grade_rule: FinalGradeRule
    late_penalty_percent_per_day: Decimal | None
    late_penalty_cap_percent: Decimal | None
    updated_at: datetime


class ExtensionCreate(StrictInput):
    """A learner's own due date (and cut-off, at least the due date; none: no cut-off)."""

    user_id: Id
    due_at: UTCDatetime
    cutoff_at: UTCDatetime | None = None
    reason: Reason = ""


class ExtensionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    assignment_id: int
    user_id: int
    due_at: datetime
    cutoff_at: datetime | None
    reason: str
    created_at: datetime


class GroupOverrideCreate(StrictInput):
    """Other dates for one group's members; a date left out keeps the assignment's."""

    group_id: Id
    opens_at: UTCDatetime | None = None
    due_at: UTCDatetime | None = None
    cutoff_at: UTCDatetime | None = None


class GroupOverrideRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    assignment_id: int
    group_id: int
    opens_at: datetime | None
    due_at: datetime | None
    cutoff_at: datetime | None
    created_at: datetime


class SubmissionText(StrictInput):
    """The draft's online text, in Markdown."""

    text: str = Field(default="", max_length=100000)


class SubmitRequest(StrictInput):
    """Hand the draft in; `honour_statement` must be true when the assignment asks for it."""

    honour_statement: bool = False


class SubmissionFileRead(BaseModel):
    name: str
    size: int
    media_type: str
    url: str


class DatesRead(BaseModel):
    opens_at: datetime | None
    due_at: datetime | None
    cutoff_at: datetime | None
    extended: bool


class ConfirmationRead(BaseModel):
    user_id: int
    confirmed_at: datetime | None


class SubmissionRead(BaseModel):
    id: int
    assignment_id: int
    user_id: int | None
    group_id: int | None
    attempt: int
    status: SubmissionStatus
    text_markdown: str
    text_html: str
    submitted_at: datetime | None
    late: bool
    # A group submission awaiting its members' confirmations counts as not yet submitted.
    counts_as_submitted: bool
    files: list[SubmissionFileRead]
    confirmations: list[ConfirmationRead]
    dates: DatesRead
