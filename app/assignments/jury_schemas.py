"""Input and output shapes of an assignment's jury: members, allocations, independent marks,
the final grade and the defence slot. A defence time without an offset is the organiser's
wall-clock time in `time_zone`."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, model_validator

from app.accounts.schemas import Language, TimeZone
from app.core.inputs import Id, StrictInput

Points = Annotated[Decimal, Field(ge=0, le=10000, max_digits=10, decimal_places=2)]
Markdown = Annotated[str, Field(max_length=20000)]
FIRST_YEAR, LAST_YEAR = 2000, 2199


class JuryMemberCreate(StrictInput):
    """A member of the course's staff (`user_id`: a teacher or tutor of the course) or an
    external examiner (`email`: found by e-mail, or an account is made and invited)."""

    user_id: Id | None = None
    email: EmailStr | None = Field(default=None, max_length=320)
    display_name: str = Field(default="", max_length=200)
    preferred_language: Language = "en"
    chair: bool = False

    @model_validator(mode="after")
    def _one_way(self) -> "JuryMemberCreate":
        if (self.user_id is None) == (self.email is None):
            raise ValueError("Give either user_id or email.")
        return self


class JuryMemberRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    user_id: int
    display_name: str
    is_chair: bool
    external: bool


class AllocationUpdate(StrictInput):
    """Who marks these submissions: the members listed, or the whole jury when the list is
    empty."""

    submission_ids: list[Id] = Field(min_length=1, max_length=500)
    member_ids: list[Id] = Field(default_factory=list, max_length=50)


class AllocationRead(BaseModel):
    submission_id: int
    member_ids: list[int]


class JuryMarkInput(StrictInput):
    """Points out of the assignment's maximum, or a level of its scale."""

    points: Points | None = None
    scale_level_id: Id | None = None
    comment: Markdown = ""


class JuryMarkRead(BaseModel):
    member_id: int
    display_name: str
    points: Decimal
    scale_level_id: int | None
    comment_html: str
    updated_at: datetime


class JuryMarksRead(BaseModel):
    """The actor's own mark, and the others' once the actor's is in (or for the chair)."""

    mine: JuryMarkRead | None
    others: list[JuryMarkRead] | None
    markers: int
    marked: int


class JuryFinalInput(StrictInput):
    """The jury's grade. Agreed rule: the chair gives `points` (or `scale_level_id`) and the
    `reason`; mean rule: both are computed. `release` sends it to the learners."""

    points: Points | None = None
    scale_level_id: Id | None = None
    reason: str = Field(default="", max_length=5000)
    feedback: Markdown = ""
    release: bool = False


class JuryFinalRead(BaseModel):
    submission_id: int
    points: Decimal
    scale_level_id: int | None
    reason: str
    decided_at: datetime
    released_at: datetime | None


class DefenceInput(StrictInput):
    """A time (with `time_zone` for one given without an offset) with its duration and place,
    or a webinar session of the course (its start and length are then the defence's unless
    given)."""

    starts_at: datetime | None = None
    time_zone: TimeZone = "UTC"
    duration_minutes: int | None = Field(default=None, ge=5, le=600)
    place: str = Field(default="", max_length=300)
    webinar_session_id: Id | None = None

    @model_validator(mode="after")
    def _time_or_session(self) -> "DefenceInput":
        if self.starts_at is None and self.webinar_session_id is None:
            raise ValueError("Give starts_at or webinar_session_id.")
        if self.starts_at is not None and not FIRST_YEAR <= self.starts_at.year <= LAST_YEAR:
            raise ValueError(f"A defence falls between {FIRST_YEAR} and {LAST_YEAR}.")
        return self


class DefenceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    submission_id: int
    starts_at: datetime
    duration_minutes: int
    time_zone: str
    place: str
    webinar_session_id: int | None
