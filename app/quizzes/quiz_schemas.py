"""Input and output shapes of quizzes, their slots and overrides, and of attempts.

Times are instants with a zone (`2026-12-01T09:00:00Z`). Review options map each moment
(`during`, `immediately`, `open`, `closed`) to the items shown then."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.core.inputs import Id, StrictInput, UTCDatetime
from app.quizzes.attempt_models import (
    AttemptState,
    ExpiryAction,
    GradingMethod,
    Navigation,
    ReviewItem,
    ReviewMoment,
)

Minutes = Annotated[int, Field(ge=1, le=60 * 24 * 30)]
Grade = Annotated[Decimal, Field(ge=0, le=10000, max_digits=10, decimal_places=4)]
SlotMark = Annotated[Decimal, Field(ge=0, le=1000, max_digits=10, decimal_places=4)]
Page = Annotated[int, Field(ge=1, le=500)]


class FeedbackBand(StrictInput):
    """Overall feedback shown for a grade of at least `min_percent` of the maximum."""

    min_percent: Annotated[Decimal, Field(ge=0, le=100, max_digits=7, decimal_places=4)]
    text: str = Field(max_length=5000)


class QuizSettings(StrictInput):
    opens_at: UTCDatetime | None = None
    closes_at: UTCDatetime | None = None
    time_limit_minutes: Minutes | None = None
    grace_minutes: Annotated[int, Field(ge=0, le=60 * 24)] = 0
    on_expiry: ExpiryAction = ExpiryAction.AUTO_SUBMIT
    max_attempts: Annotated[int, Field(ge=1, le=100)] | None = None
    delay_minutes: Annotated[int, Field(ge=0, le=60 * 24 * 30)] = 0
    grading_method: GradingMethod = GradingMethod.HIGHEST
    questions_per_page: Annotated[int, Field(ge=0, le=100)] = 1
    navigation: Navigation = Navigation.FREE
    shuffle_questions: bool = False
    shuffle_answers: bool = True
    max_grade: Grade = Decimal(10)
    pass_grade: Grade | None = None
    self_check: bool = False
    review: dict[ReviewMoment, list[ReviewItem]] = Field(default_factory=dict)
    feedback_bands: list[FeedbackBand] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _coherent(self) -> "QuizSettings":
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValueError("closes_at must come after opens_at")
        if self.pass_grade is not None and self.pass_grade > self.max_grade:
            raise ValueError("pass_grade may not exceed max_grade")
        return self


class QuizRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    course_id: int
    module_id: int
    opens_at: datetime | None
    closes_at: datetime | None
    time_limit_minutes: int | None
    grace_minutes: int
    on_expiry: ExpiryAction
    max_attempts: int | None
    delay_minutes: int
    grading_method: GradingMethod
    questions_per_page: int
    navigation: Navigation
    shuffle_questions: bool
    shuffle_answers: bool
    max_grade: Decimal
    pass_grade: Decimal | None
    self_check: bool
    review: dict[str, list[str]]
    feedback_bands: list[dict[str, Any]]


class SlotAdd(StrictInput):
    """A fixed question of the course's bank, or `count` questions drawn at random at each
    attempt's start from a category (and its subcategories when asked)."""

    question_id: Id | None = None
    category_id: Id | None = None
    include_subcategories: bool = False
    count: Annotated[int, Field(ge=1, le=100)] = 1
    mark: SlotMark | None = None
    page: Page | None = None

    @model_validator(mode="after")
    def _one_source(self) -> "SlotAdd":
        if (self.question_id is None) == (self.category_id is None):
            raise ValueError("give either question_id or category_id")
        return self


class SlotUpdate(StrictInput):
    mark: SlotMark | None = None
    page: Page | None = None
    position: Annotated[int, Field(ge=1, le=1000)] | None = None


class SlotRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    position: int
    page: int
    question_id: int | None
    category_id: int | None
    include_subcategories: bool
    mark: Decimal


class OverrideCreate(StrictInput):
    """For one learner (`user_id`) or one group (`group_id`); a field left out keeps the quiz's
    setting."""

    user_id: Id | None = None
    group_id: Id | None = None
    opens_at: UTCDatetime | None = None
    closes_at: UTCDatetime | None = None
    time_limit_minutes: Minutes | None = None
    max_attempts: Annotated[int, Field(ge=1, le=100)] | None = None

    @model_validator(mode="after")
    def _one_target(self) -> "OverrideCreate":
        if (self.user_id is None) == (self.group_id is None):
            raise ValueError("give either user_id or group_id")
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValueError("closes_at must come after opens_at")
        return self


class OverrideRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    quiz_id: int
    user_id: int | None
    group_id: int | None
    opens_at: datetime | None
    closes_at: datetime | None
    time_limit_minutes: int | None
    max_attempts: int | None


class RegradeRequest(StrictInput):
    """`to_latest`: move every finished attempt to each question's latest version first."""

    to_latest: bool = False


class RegradeRead(BaseModel):
    attempts: int
    changed: int


FieldValue = Annotated[str, Field(max_length=20000)] | list[Annotated[str, Field(max_length=20000)]]


class SlotAnswer(StrictInput):
    """A slot's answer as the form fields its question type reads (without the prefix), e.g.
    `{"answer": "true"}` or `{"choice": ["c1", "c3"]}`."""

    slot: Annotated[int, Field(ge=1, le=1000)]
    fields: dict[Annotated[str, Field(max_length=100)], FieldValue] = Field(max_length=200)


class AnswersSave(StrictInput):
    page: Page
    answers: list[SlotAnswer] = Field(default_factory=list, max_length=200)
    # Where the learner goes next (sequential navigation refuses an earlier page).
    next_page: Page | None = None


class AttemptSlotRead(BaseModel):
    slot: int
    page: int
    prompt: dict[str, Any]
    response: dict[str, Any]
    answered: bool
    # Only when the review options allow it at this moment; otherwise absent (None).
    correct: bool | None = None
    mark: Decimal | None = None
    max_mark: Decimal | None = None
    feedback_html: str | None = None
    general_feedback_html: str | None = None
    right_answer: str | None = None


class AttemptRead(BaseModel):
    id: int
    quiz_id: int
    number: int
    state: AttemptState
    started_at: datetime
    deadline_at: datetime | None
    finished_at: datetime | None
    current_page: int
    pages: int
    slots: list[AttemptSlotRead]
    # Only in review, when the options allow marks / overall feedback.
    grade: Decimal | None = None
    max_grade: Decimal | None = None
    overall_feedback_html: str | None = None


class ManualGrade(StrictInput):
    mark: Annotated[Decimal, Field(ge=0, le=1000, max_digits=10, decimal_places=4)]
    comment: str = Field(default="", max_length=10000)


class AttemptSummary(BaseModel):
    id: int
    user_id: int
    number: int
    state: AttemptState
    started_at: datetime
    finished_at: datetime | None
    grade: Decimal | None
