"""Input and output shapes for learning agreements and transfer results."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.core.i18n import N_
from app.core.inputs import Id, StrictInput
from app.credits.transfer_models import AgreementStatus, TransferStatus, WaitingReason

Code = Annotated[str, Field(min_length=1, max_length=64)]
Title = Annotated[str, Field(min_length=1, max_length=300)]
Credits = Annotated[Decimal, Field(gt=0, le=999, max_digits=5, decimal_places=1)]
ScaleCode = Annotated[str, Field(min_length=1, max_length=32)]
Isced = Annotated[str, Field(pattern=r"^[0-9]{4}$")]
Eqf = Annotated[int, Field(ge=1, le=8)]
Reason = Annotated[str, Field(max_length=2000)]
Day = Annotated[date, Field(ge=date(1900, 1, 1), le=date(2999, 12, 31))]


class AgreementCreate(StrictInput):
    learner_id: Id
    host_institution_id: Id
    programme_id: Id
    period_from: Day
    period_to: Day


class LineCreate(StrictInput):
    host_course_code: Code
    host_course_title: Title
    host_credits: Credits
    home_course_id: Id
    host_scale_code: ScaleCode | None = None
    isced_code: Isced | None = None
    eqf_level: Eqf | None = None


class CancelCreate(StrictInput):
    reason: Reason = ""


class LineRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    host_course_code: str
    host_course_title: str
    host_credits: Decimal
    host_scale_code: str | None
    isced_code: str | None
    eqf_level: int | None
    home_course_id: int


class AgreementRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    learner_id: int
    home_institution_id: int
    host_institution_id: int
    programme_id: int
    period_from: date
    period_to: date
    status: AgreementStatus
    revision: int
    replaces_id: int | None
    proposed_by_id: int | None
    proposed_at: datetime | None
    home_approved_by_id: int | None
    home_approved_at: datetime | None
    host_approved_by_id: int | None
    host_approved_by_client_id: int | None
    host_approved_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str
    lines: list[LineRead]


class ResultCreate(StrictInput):
    """A host result: the learner by our `learner_id` or by the host's `external_id`."""

    learner_id: Id | None = None
    external_id: Code | None = None
    host_institution_id: Id | None = None
    host_course_code: Code
    title: Title
    credits: Credits
    grade: Code
    scale_code: ScaleCode | None = None
    isced_code: Isced | None = None
    eqf_level: Eqf | None = None
    completed_on: Day

    @model_validator(mode="after")
    def _one_learner(self) -> Self:
        if (self.learner_id is None) == (self.external_id is None):
            raise ValueError(N_("Give either learner_id or external_id."))
        return self


class DecisionCreate(StrictInput):
    """`convert` tries again, `record` writes without conversion, `refuse` refuses."""

    action: Literal["convert", "record", "refuse"]
    reason: Reason = ""
    home_course_id: Id | None = None


class ResultRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    learner_id: int
    host_institution_id: int
    host_course_code: str
    title: str
    credits: Decimal
    grade: str
    scale_code: str | None
    isced_code: str | None
    eqf_level: int | None
    completed_on: date
    via: str
    received_at: datetime
    status: TransferStatus
    waiting_reason: WaitingReason | None
    agreement_id: int | None
    line_id: int | None
    converted_grade: str | None
    converted_scale_code: str | None
    overlapping: str | None
    band_from: Decimal | None
    band_to: Decimal | None
    midpoint: Decimal | None
    rule: str | None
    source_table_id: int | None
    target_table_id: int | None
    entry_id: int | None
    decided_by_id: int | None
    decided_at: datetime | None
    decision_reason: str
