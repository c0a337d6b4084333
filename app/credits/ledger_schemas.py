"""Input and output shapes of the credit ledger. Credits, grades and percentages are decimals,
written as strings in JSON ("6.0", "14.5")."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from app.core.i18n import N_
from app.core.inputs import StrictInput
from app.credits.models import EntryKind, EntrySource

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Credits = Annotated[Decimal, Field(gt=0, le=999, max_digits=4, decimal_places=1)]
GradeText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
TENTH = Decimal("0.1")
NOTHING_TO_CORRECT = N_("Give new credits, a new grade or both.")


class CorrectionCreate(StrictInput):
    """New credits and/or a new grade for an entry in force, and why. A grade is read on the
    entry's scale: points within its maximum, one of its labels, or a percentage."""

    credits: Credits | None = None
    grade: GradeText | None = None
    reason: Reason

    @model_validator(mode="after")
    def _changes_something(self) -> "CorrectionCreate":
        if self.credits is None and self.grade is None:
            raise PydanticCustomError("nothing_to_correct", NOTHING_TO_CORRECT)
        return self


class RevocationCreate(StrictInput):
    """Why the entry's credits are withdrawn."""

    reason: Reason


class EntryRead(BaseModel):
    """One ledger entry as written. `supersedes_id` names the entry a correction or a
    revocation replaces; `by_user_id` / `by_client_id` who wrote it (both null for the
    platform itself, such as an award from a course result)."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    user_id: int
    kind: EntryKind
    source: EntrySource
    source_id: int | None
    course_id: int | None
    unit_code: str
    unit_title: str
    credits: Decimal
    grade: str | None
    grade_value: Decimal | None
    scale_code: str | None
    percent: Decimal | None
    isced_code: str | None
    eqf_level: int | None
    grading_table_id: int | None
    band_from: Decimal | None
    band_to: Decimal | None
    institution_id: int | None
    term: str
    awarded_on: date
    supersedes_id: int | None
    reason: str
    by_user_id: int | None
    by_client_id: int | None
    created_at: datetime

    @field_validator("credits")
    @classmethod
    def _one_decimal(cls, credits: Decimal) -> Decimal:
        """As the ledger stores them ("6.0"), whether just written or read back."""
        return credits.quantize(TENTH)


class CreditsRead(BaseModel):
    """What a learner has earned: the entries in force, each course or unit once, and their
    total."""

    user_id: int
    total: Decimal
    entries: list[EntryRead]

    @field_validator("total")
    @classmethod
    def _one_decimal(cls, total: Decimal) -> Decimal:
        return total.quantize(TENTH)
