from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.accounts.schemas import Country
from app.core.inputs import Id, StrictInput, UTCDatetime
from app.enrolment.models import ProfessionalStatus
from app.membership.models import CourseRole, EnrolmentMethod, EnrolmentStatus, Funding


class EnrolmentCreate(StrictInput):
    user_id: Id
    role: CourseRole = CourseRole.STUDENT
    funding: Funding = Funding.SELF
    funder_name: str | None = Field(default=None, max_length=200)
    starts_on: date | None = None
    ends_on: date | None = None


class EnrolmentStatusChange(StrictInput):
    status: EnrolmentStatus
    reason: str = Field(default="", max_length=1000)


class SelfEnrolmentRequest(StrictInput):
    key: str | None = Field(default=None, max_length=200)


class EnrolmentOptionsUpdate(StrictInput):
    key: str | None = Field(default=None, min_length=4, max_length=200)
    capacity: int | None = Field(default=None, ge=1)
    opens_at: UTCDatetime | None = None
    closes_at: UTCDatetime | None = None
    requires_approval: bool = False


class EnrolmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    user_id: int
    course_id: int
    role: CourseRole
    status: EnrolmentStatus
    method: EnrolmentMethod
    funding: Funding
    funder_name: str | None
    starts_on: date | None
    ends_on: date | None
    created_at: datetime


class ParticipantRead(EnrolmentRead):
    display_name: str
    email: str


class EnrolmentChangeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    by_user_id: int | None
    by_client_id: int | None
    from_status: str | None
    to_status: str
    reason: str


class BulkRequest(StrictInput):
    institution_code: str | None = Field(
        default=None, description="Managers only; a partner system's rows are its own institution's"
    )
    rows: list[dict[str, object]] = Field(max_length=5000)


class BulkRowRead(BaseModel):
    row: int = Field(description="The row's position in `rows`, from 1")
    external_id: str
    outcome: Literal["created", "updated", "unchanged", "rejected"]
    reason: str | None = Field(
        default=None, description="Why a row was rejected, in the request's language"
    )
    reason_code: str | None = Field(
        default=None, description="The stable code of the refusal, e.g. `invalid_email`"
    )
    field: str | None = Field(default=None, description="The column the refusal is about")
    invited: bool = Field(
        default=False, description="An account was made and an invitation e-mail sent"
    )


class CohortCreate(StrictInput):
    code: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    institution_code: str | None = Field(
        default=None,
        max_length=32,
        description="The institution running the intake; an institution manager's own by "
        "default, none (platform-wide) for coordinators.",
    )


class CohortRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    institution_id: int | None


class MemberRef(StrictInput):
    user_id: Id


class CourseRef(StrictInput):
    course_id: Id


class GroupCreate(StrictInput):
    name: str = Field(min_length=1, max_length=200)


class GroupRead(BaseModel):
    id: int
    course_id: int
    name: str
    member_ids: list[int]


class LearnerProfileUpdate(StrictInput):
    professional_status: ProfessionalStatus | None = None
    nationality: Country | None = None
    refugee: bool | None = None


class LearnerProfileRead(BaseModel):
    """`nationality` and `refugee` are absent unless the caller may read them."""

    model_config = ConfigDict(extra="allow")

    user_id: int
    country: str | None
    institution_id: int | None
    professional_status: ProfessionalStatus | None


class ProgrammeEnrolmentCreate(StrictInput):
    user_id: int
    funding: Funding = Funding.SELF
    funder_name: str | None = Field(default=None, max_length=200)


class ScholarshipHolderRead(BaseModel):
    programme: str
    funder: str
    user_id: int
    display_name: str
    course: str


class GroupingCreate(StrictInput):
    name: str = Field(min_length=1, max_length=200)
    group_ids: list[int] = Field(default_factory=list)


class GroupingRead(BaseModel):
    id: int
    course_id: int
    name: str
    group_ids: list[int]
