"""Input and output shapes of double-degree agreements and of a learner's standing toward
each degree."""

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.core.inputs import Patch, StrictInput

Title = Annotated[str, Field(min_length=1, max_length=300)]
Credits = Annotated[Decimal, Field(gt=0, le=999, max_digits=4, decimal_places=1)]


class PartyIn(StrictInput):
    institution_code: str = Field(min_length=1, max_length=32)
    programme_code: str = Field(min_length=1, max_length=32)
    degree_title: Title


class SharedCourseIn(StrictInput):
    """A course whose credits count for every party; `credits` defaults to the course's."""

    course_code: str = Field(min_length=1, max_length=32)
    credits: Credits | None = None


class DoubleDegreeCreate(StrictInput):
    code: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    title: Title
    parties: list[PartyIn] = Field(min_length=2, max_length=10)
    shared_courses: list[SharedCourseIn] = Field(default_factory=list, max_length=200)

    @field_validator("parties")
    @classmethod
    def _distinct_institutions(cls, parties: list[PartyIn]) -> list[PartyIn]:
        codes = [party.institution_code.upper() for party in parties]
        if len(set(codes)) != len(codes):
            raise ValueError("Each institution is a party once.")
        return parties


class DoubleDegreeUpdate(Patch):
    """A new title, or the whole list of shared courses (it replaces the previous one)."""

    title: Title | None = None
    shared_courses: list[SharedCourseIn] | None = Field(default=None, max_length=200)


class PartyRead(BaseModel):
    institution_code: str
    institution_name: str
    programme_code: str
    degree_title: str


class SharedCourseRead(BaseModel):
    course_code: str
    title: str
    credits: Decimal


class DoubleDegreeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    title: str
    parties: list[PartyRead]
    shared_courses: list[SharedCourseRead]


class DegreeStandingRead(BaseModel):
    institution_code: str
    degree_title: str
    programme_code: str
    required: Decimal
    earned: Decimal
    shared_credits: Decimal
    eligible: bool
    unmet: list[str]


class DoubleDegreeStandingRead(BaseModel):
    agreement_id: int
    code: str
    title: str
    degrees: list[DegreeStandingRead]
