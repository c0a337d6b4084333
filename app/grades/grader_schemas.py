"""Input and output shapes of the grader table, grade overrides, their history and the
learner's own grades."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from app.core.inputs import StrictInput
from app.grades.models import ChangeKind, ItemSource

Points = Annotated[Decimal, Field(ge=0, max_digits=10, decimal_places=2)]
Reason = Annotated[str, Field(min_length=1, max_length=2000)]
Version = Annotated[int, Field(ge=0, description="the grade's `version` as read; 0: no grade yet")]


class GradeOverride(StrictInput):
    """A teacher's grade: for an item of an assignment, quiz or attendance it overrides the
    computed grade; for a manual item it is the grade. `release` applies to manual items."""

    version: Version
    points: Points
    reason: Reason
    release: bool = False


class OverrideRemoval(StrictInput):
    """Back to the computed grade, with the reason kept in the history."""

    version: Version
    reason: Reason


class GradeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    item_id: int
    user_id: int
    points: Decimal | None
    override_points: Decimal | None
    override_reason: str | None
    final_points: Decimal | None
    released_at: datetime | None
    version: int
    updated_at: datetime


class GradeChangeRead(BaseModel):
    kind: ChangeKind
    from_points: Decimal | None
    to_points: Decimal | None
    reason: str
    changed_by_id: int | None
    changed_by_name: str | None
    changed_at: datetime


class GraderItemRead(BaseModel):
    id: int
    title: str
    source: ItemSource
    max_points: Decimal
    category_id: int | None
    locked: bool


class GraderCellRead(BaseModel):
    item_id: int
    grade_id: int | None
    final_points: Decimal | None
    overridden: bool
    released: bool
    version: int


class GraderRowRead(BaseModel):
    user_id: int
    display_name: str
    email: str
    cells: list[GraderCellRead]
    total: Decimal | None
    total_max: Decimal


class GraderRead(BaseModel):
    course_id: int
    group_id: int | None
    items: list[GraderItemRead]
    rows: list[GraderRowRead]


class MyGradeRead(BaseModel):
    item_id: int
    title: str
    max_points: Decimal
    points: Decimal | None
    feedback_html: str
    released_at: datetime


class MyGradesRead(BaseModel):
    course_id: int
    grades: list[MyGradeRead]
    total: Decimal | None
    max_total: Decimal | None
    passed: bool | None
