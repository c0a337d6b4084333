from datetime import date
from decimal import Decimal
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.accounts.schemas import Country
from app.core.inputs import Patch, StrictInput
from app.reporting.models import Indicator, ReaderRole


class ProjectCreate(StrictInput):
    code: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_.-]+$")
    name: str = Field(min_length=1, max_length=300)
    funder: str = Field(default="", max_length=200, description="Whose scholarships it counts.")
    starts_on: date
    ends_on: date | None = None
    programmes: list[str] = Field(
        default_factory=list, max_length=50, description="Programme codes reported on together."
    )

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> Self:
        if self.code.lower() == "new":
            raise ValueError("a project may not be called new")
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValueError("ends_on comes before starts_on")
        return self


class ProjectUpdate(Patch):
    nullable = frozenset({"ends_on"})

    name: str | None = Field(default=None, min_length=1, max_length=300)
    funder: str | None = Field(default=None, max_length=200)
    starts_on: date | None = None
    ends_on: date | None = None
    programmes: list[str] | None = Field(default=None, max_length=50)


class ProjectRead(BaseModel):
    code: str
    name: str
    funder: str
    starts_on: date
    ends_on: date | None
    programmes: list[str]


class TargetCreate(StrictInput):
    indicator: Indicator
    value: Decimal = Field(
        ge=0, le=Decimal("999999999"), max_digits=10, decimal_places=1,
        description="A count or a sum; for a share, the percentage to reach.",
    )  # fmt: skip
    counts_from: date
    due_on: date
    label: str = Field(default="", max_length=300)
    programme: str | None = Field(default=None, max_length=32, description="A programme code.")
    country: Country | None = None
    institution: str | None = Field(default=None, max_length=32, description="An institution code.")

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        if self.due_on < self.counts_from:
            raise ValueError("due_on comes before counts_from")
        if self.indicator is Indicator.REFUGEE_SHARE and self.value > 100:
            raise ValueError("a share is at most 100 (per cent)")
        if self.indicator is Indicator.CONTACT_HOURS and (self.country or self.institution):
            raise ValueError(
                "contact hours count sessions, not learners of a country or institution"
            )
        return self


class TargetRead(BaseModel):
    id: int
    indicator: Indicator
    value: Decimal
    counts_from: date
    due_on: date
    label: str
    programme: str | None
    country: str | None
    institution: str | None


class ReaderCreate(StrictInput):
    email: str = Field(min_length=3, max_length=320)
    role: ReaderRole
    monthly: bool = Field(default=False, description="Mail them the report each month.")


class ReaderRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    user_id: int
    display_name: str
    email: str
    role: ReaderRole
    monthly: bool
