"""Input and output shapes for scales, gradebook categories and items, course results and the
partner read of grades."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.core.inputs import Id, Patch, StrictInput, UTCDatetime
from app.grades.models import Aggregation, Display, ItemSource

Title = Annotated[str, Field(min_length=1, max_length=300)]
Points = Annotated[Decimal, Field(ge=0, le=10000, max_digits=10, decimal_places=2)]
PositivePoints = Annotated[Decimal, Field(gt=0, le=10000, max_digits=10, decimal_places=2)]
Percent = Annotated[Decimal, Field(ge=0, le=100, max_digits=6, decimal_places=3)]
Weight = Annotated[Decimal, Field(ge=0, le=1000, max_digits=10, decimal_places=2)]
DropLowest = Annotated[int, Field(ge=0, le=50)]


class LevelIn(StrictInput):
    label: str = Field(min_length=1, max_length=100)
    value: Points
    min_percent: Percent
    passing: bool = False


class ScaleCreate(StrictInput):
    code: str = Field(min_length=1, max_length=32, pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str = Field(min_length=1, max_length=200)
    out_of: PositivePoints | None = None
    levels: list[LevelIn] = Field(min_length=1, max_length=30)

    @field_validator("levels")
    @classmethod
    def _one_level_from_zero(cls, levels: list[LevelIn]) -> list[LevelIn]:
        thresholds = [level.min_percent for level in levels]
        if len(set(thresholds)) != len(thresholds):
            raise ValueError("Two levels may not start at the same percentage.")
        if min(thresholds) != 0:
            raise ValueError("The lowest level starts at 0 %.")
        return levels


class LevelRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    label: str
    value: Decimal
    min_percent: Decimal
    passing: bool


class ScaleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    name: str
    out_of: Decimal | None
    institution_id: int | None
    levels: list[LevelRead]


class CategoryCreate(StrictInput):
    title: Title
    parent_id: Id | None = None
    aggregation: Aggregation = Aggregation.WEIGHTED_MEAN
    weight: Weight = Decimal(1)
    drop_lowest: DropLowest = 0
    exclude_empty: bool = True


class CategoryUpdate(Patch):
    nullable = frozenset({"parent_id"})
    title: Title | None = None
    parent_id: Id | None = None
    aggregation: Aggregation | None = None
    weight: Weight | None = None
    drop_lowest: DropLowest | None = None
    exclude_empty: bool | None = None


class CategoryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    course_id: int
    parent_id: int | None
    title: str
    aggregation: Aggregation
    weight: Decimal
    drop_lowest: int
    exclude_empty: bool


class ItemCreate(StrictInput):
    """A manual item, or an attendance item (`source: attendance`) whose points are the
    learner's attended hours in the course out of `max_points` required hours."""

    title: Title
    source: ItemSource = ItemSource.MANUAL
    category_id: Id | None = None
    max_points: PositivePoints = Decimal(100)
    pass_points: Points | None = None
    weight: Weight = Decimal(1)
    display: Display | None = None
    scale_id: Id | None = None
    hidden_until: UTCDatetime | None = None


class ItemUpdate(Patch):
    nullable = frozenset({"category_id", "pass_points", "display", "scale_id", "hidden_until"})
    title: Title | None = None
    category_id: Id | None = None
    max_points: PositivePoints | None = None
    pass_points: Points | None = None
    weight: Weight | None = None
    display: Display | None = None
    scale_id: Id | None = None
    hidden_until: UTCDatetime | None = None
    locked: bool | None = None


class ItemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    course_id: int
    category_id: int | None
    module_id: int | None
    source: ItemSource
    source_id: int | None
    title: str
    max_points: Decimal
    pass_points: Decimal | None
    weight: Decimal
    display: Display | None
    scale_id: int | None
    hidden_until: datetime | None
    locked_at: datetime | None


class CourseSettingsUpdate(Patch):
    """The course total's pass mark (a percentage), display and scale, and the course lock
    (after the jury deliberates; locks every item)."""

    nullable = frozenset({"pass_percent", "scale_id"})
    pass_percent: Percent | None = None
    display: Display | None = None
    scale_id: Id | None = None
    aggregation: Aggregation | None = None
    drop_lowest: DropLowest | None = None
    exclude_empty: bool | None = None
    locked: bool | None = None


class CourseSettingsRead(BaseModel):
    category: CategoryRead
    pass_percent: Decimal | None
    display: Display
    scale_id: int | None
    locked_at: datetime | None


class ResultRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    user_id: int
    points: Decimal | None
    max_points: Decimal | None
    percent: Decimal | None
    passed: bool | None
    computed_at: datetime


class GradeRead(BaseModel):
    id: int
    item_id: int
    user_id: int
    points: Decimal | None
    feedback_html: str
    released_at: datetime | None
