"""Input and output shapes of learning plans and advisors."""

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from app.core.inputs import StrictInput
from app.credits.plan_models import PlanChangeKind

CourseCode = Field(min_length=1, max_length=32)


class PlannedCourse(StrictInput):
    course_code: str = CourseCode
    semester: int = Field(ge=1, le=20)


class PlanUpdate(StrictInput):
    """The courses still to take, each in the semester planned: every mandatory course not
    earned yet, and the electives chosen."""

    courses: list[PlannedCourse] = Field(max_length=200)


class PlanCourseRead(BaseModel):
    course_code: str
    title: str
    credits: Decimal
    programme_semester: int
    planned_semester: int | None
    mandatory: bool
    elective_group: str | None
    status: str
    chosen: bool


class ElectiveGroupRead(BaseModel):
    code: str
    title: str
    min_credits: Decimal
    earned: Decimal
    chosen: list[str]


class PlanRead(BaseModel):
    user_id: int
    programme_code: str
    semesters: int
    required: Decimal
    earned: Decimal
    eligible: bool
    courses: list[PlanCourseRead]
    electives: list[ElectiveGroupRead]
    to_take: dict[int, list[str]]
    updated_at: datetime | None


class PlanChangeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    course_code: str
    kind: PlanChangeKind
    from_semester: int | None
    to_semester: int | None
    by_user_id: int | None
    created_at: datetime


class AdvisorRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    display_name: str
    email: str
