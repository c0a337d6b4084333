"""Input and output shapes of the ECTS grading tables and of a conversion by them."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from app.core.inputs import Id, StrictInput
from app.credits.models import TableSource

IscedCode = Annotated[str, Field(pattern=r"^[0-9]{4}$", description="ISCED-F 2013, e.g. 0413")]
EqfLevel = Annotated[int, Field(ge=5, le=8, description="The cycle as an EQF level (5–8)")]
ScaleCode = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[a-z0-9][a-z0-9-]*$")]
GradeLabel = Annotated[str, Field(min_length=1, max_length=64)]
RowPercent = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]
RowCount = Annotated[int, Field(ge=0, le=10_000_000)]


def _plausible_day(day: date) -> date:
    if not 1900 <= day.year <= 2200:
        raise ValueError("Give a date between the years 1900 and 2200.")
    return day


Day = Annotated[date, AfterValidator(_plausible_day)]


class TableScope(StrictInput):
    """What a table is of: owner institution (none: the platform), reference group, scale."""

    owner_institution_id: Id | None = None
    isced_code: IscedCode
    eqf_level: EqfLevel
    scale_code: ScaleCode
    period_from: Day
    period_to: Day

    @model_validator(mode="after")
    def _period_in_order(self) -> "TableScope":
        if self.period_to < self.period_from:
            raise ValueError("The period ends before it starts.")
        return self


class TableCompute(TableScope):
    """Compute a table from the passing grades awarded in the period (two academic years at
    least)."""


class TableRowIn(StrictInput):
    """One passing grade of an imported table: how many received it, or its percentage."""

    grade: GradeLabel
    count: RowCount | None = None
    percent: RowPercent | None = None

    @model_validator(mode="after")
    def _count_or_percent(self) -> "TableRowIn":
        if self.count is None and self.percent is None:
            raise ValueError("Give the count or the percentage of each grade.")
        return self


class TableImport(TableScope):
    """A partner's table as it sent it; the owner is the partner institution."""

    owner_institution_id: Id
    rows: list[TableRowIn] = Field(min_length=1, max_length=120)


class ConversionRequest(StrictInput):
    source_table_id: Id
    target_table_id: Id
    grade: GradeLabel


class TableRowRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    position: int
    grade: str
    count: int
    percent: Decimal
    cumulative: Decimal


class GradingTableRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    owner_institution_id: int | None
    isced_code: str
    eqf_level: int
    scale_code: str
    source: TableSource
    period_from: date
    period_to: date
    total: int
    created_at: datetime
    rows: list[TableRowRead]


class ConversionRead(BaseModel):
    """The converted grade, the overlapping target grades best first, the rule named, and the
    source grade's band (cumulative percentages) with its midpoint."""

    source_table_id: int
    target_table_id: int
    source_grade: str
    grade: str
    overlapping: list[str]
    rule: str
    source_band_from: Decimal
    source_band_to: Decimal
    midpoint: Decimal
