"""Surveys over the API and the pages: input and output apart, so no input sets an owner, a
status, a public link or who answered."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from app.core.i18n import N_
from app.core.inputs import Id, Patch, StrictInput, UTCDatetime
from app.enrolment.models import ProfessionalStatus
from app.surveys.models import AudienceKind, QuestionKind, SurveyStatus

Language = Literal["en", "fr", "ru", "ar"]
Option = Annotated[str, Field(min_length=1, max_length=300)]
Bound = Annotated[
    Decimal, Field(ge=Decimal("-999999999"), le=Decimal("999999999"), decimal_places=3)
]

OPTION_COUNTS: dict[QuestionKind, tuple[int, int]] = {
    QuestionKind.LIKERT: (2, 11),
    QuestionKind.SINGLE: (2, 30),
    QuestionKind.MULTIPLE: (2, 30),
}
OPTION_RULES: dict[QuestionKind, str] = {
    QuestionKind.LIKERT: N_("A Likert scale has 2 to 11 labels."),
    QuestionKind.SINGLE: N_("A choice has 2 to 30 options."),
    QuestionKind.MULTIPLE: N_("A choice has 2 to 30 options."),
    QuestionKind.RATING: N_("This kind of question has no options."),
    QuestionKind.NUMBER: N_("This kind of question has no options."),
    QuestionKind.SHORT_TEXT: N_("This kind of question has no options."),
    QuestionKind.LONG_TEXT: N_("This kind of question has no options."),
}
CONDITION_KINDS = frozenset(
    {QuestionKind.SINGLE, QuestionKind.LIKERT, QuestionKind.MULTIPLE, QuestionKind.RATING}
)
SHORT_TEXT_MAX = 500
LONG_TEXT_MAX = 5000
RATING_MAX = 10


def refused(message: str) -> PydanticCustomError:
    """A rule of the survey's shape, with a message the forms translate."""
    return PydanticCustomError("survey_rule", message)


def dates_in_order(opens_at: datetime | None, closes_at: datetime | None) -> None:
    if opens_at is not None and closes_at is not None and closes_at <= opens_at:
        raise refused(N_("The closing date must come after the opening date."))


class SurveyCreate(StrictInput):
    title: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=5000)
    language: Language = "en"
    audience_kind: AudienceKind
    target_id: Id | None = Field(
        default=None,
        description="The course, programme, cohort or institution (institution staff) the "
        "survey is for; for a public survey, optionally the institution whose managers run it.",
    )
    anonymous: bool = True
    opens_at: UTCDatetime | None = None
    closes_at: UTCDatetime | None = None
    min_group_size: int | None = Field(
        default=None, le=1000, description="Never below the platform's threshold."
    )
    template_key: str | None = Field(
        default=None, max_length=64, description="Start from a ready-made questionnaire."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        dates_in_order(self.opens_at, self.closes_at)
        if self.audience_kind is AudienceKind.PUBLIC and not self.anonymous:
            raise refused(N_("A public survey is anonymous."))
        if self.audience_kind is not AudienceKind.PUBLIC and self.target_id is None:
            raise refused(N_("Choose who the survey is for."))
        return self


class SurveyUpdate(Patch):
    """Title, description and dates at any time; language, anonymity and threshold while a
    draft."""

    nullable = frozenset({"opens_at", "closes_at", "min_group_size"})

    title: str | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=5000)
    language: Language | None = None
    anonymous: bool | None = None
    opens_at: UTCDatetime | None = None
    closes_at: UTCDatetime | None = None
    min_group_size: int | None = Field(default=None, le=1000)


class SurveySectionCreate(StrictInput):
    title: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=5000)


class SurveySectionUpdate(Patch):
    title: str | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=5000)
    position: int | None = Field(default=None, ge=1, le=1000, description="1 is first")


class SurveyQuestionCreate(StrictInput):
    kind: QuestionKind
    text: str = Field(min_length=1, max_length=1000)
    help_text: str = Field(default="", max_length=1000)
    required: bool = False
    options: list[Option] = Field(
        default_factory=list, max_length=30, description="Likert labels or choices, in order"
    )
    min_value: Bound | None = Field(default=None, description="A number question's least")
    max_value: Bound | None = Field(default=None, description="A number question's greatest")
    show_if_question_id: Id | None = Field(
        default=None,
        description="Show only when this question of an earlier section (single, multiple, "
        "Likert or rating) is answered with one of `show_if_options`.",
    )
    show_if_options: list[Annotated[int, Field(ge=0, le=29)]] = Field(
        default_factory=list, max_length=30, description="Option indices (or ratings) from 0"
    )

    @model_validator(mode="after")
    def _fits_its_kind(self) -> Self:
        low, high = OPTION_COUNTS.get(self.kind, (0, 0))
        if not low <= len(self.options) <= high:
            raise refused(OPTION_RULES[self.kind])
        bounded = (self.min_value, self.max_value) != (None, None)
        if self.kind is not QuestionKind.NUMBER and bounded:
            raise refused(N_("Only a number question has a least and a greatest value."))
        low_value, high_value = self.min_value, self.max_value
        if low_value is not None and high_value is not None and high_value < low_value:
            raise refused(N_("The greatest value must not be below the least."))
        if (self.show_if_question_id is None) != (not self.show_if_options):
            raise refused(N_("A condition names its question and at least one answer."))
        return self


class SurveyQuestionUpdate(Patch):
    nullable = frozenset({"min_value", "max_value", "show_if_question_id"})

    text: str | None = Field(default=None, min_length=1, max_length=1000)
    help_text: str | None = Field(default=None, max_length=1000)
    required: bool | None = None
    options: list[Option] | None = Field(default=None, max_length=30)
    min_value: Bound | None = None
    max_value: Bound | None = None
    show_if_question_id: Id | None = None
    show_if_options: list[Annotated[int, Field(ge=0, le=29)]] | None = Field(
        default=None, max_length=30
    )
    position: int | None = Field(default=None, ge=1, le=1000, description="1 is first")


# --- output --------------------------------------------------------------------------------


class SurveyQuestionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    section_id: int
    position: int
    kind: QuestionKind
    text: str
    help_text: str
    required: bool
    options: list[str]
    min_value: Decimal | None
    max_value: Decimal | None
    show_if_question_id: int | None
    show_if_options: list[int]


class SurveySectionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    position: int
    title: str
    description: str


class SectionWithQuestions(SurveySectionRead):
    questions: list[SurveyQuestionRead]


class SurveyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    description: str
    language: str
    template_key: str | None
    audience_kind: AudienceKind
    course_id: int | None
    programme_id: int | None
    cohort_id: int | None
    institution_id: int | None
    anonymous: bool
    status: SurveyStatus
    opens_at: datetime | None
    closes_at: datetime | None
    min_group_size: int | None
    owner_id: int | None
    created_at: datetime
    opened_at: datetime | None


class SurveyDetail(SurveyRead):
    sections: list[SectionWithQuestions]
    responses: int = Field(description="How many responses it has")


class SurveyOpened(SurveyRead):
    public_link: str | None = Field(
        default=None,
        description="A public survey's link, shown once when it is first opened: only its "
        "digest is kept, so it cannot be shown again.",
    )


class Reminded(BaseModel):
    reminded: int = Field(description="People told again (invited, not yet answered)")


class TemplateRead(BaseModel):
    key: str
    title: str
    languages: list[str]


class SurveyToAnswer(BaseModel):
    id: int
    title: str
    closes_at: datetime | None
    responded: bool


# --- answering -----------------------------------------------------------------------------

AnswerValue = int | Decimal | str | list[int]


class ResponseSubmit(StrictInput):
    answers: dict[Id, AnswerValue] = Field(
        default_factory=dict,
        max_length=500,
        description="By question id: an option index (single, Likert), a list of option "
        "indices (multiple), 0–10 (rating), a number, or a text. Questions not shown (their "
        "condition unmet) are ignored.",
    )


class CollectedResponse(ResponseSubmit):
    """A response collected outside the platform (a paper questionnaire), typed in by one of
    the survey's managers with its respondent's coarse attributes, for the breakdowns."""

    country: str | None = Field(default=None, pattern="^[A-Z]{2}$")
    institution_code: str | None = Field(default=None, min_length=1, max_length=32)
    profession: ProfessionalStatus | None = None


class ResponseReceipt(BaseModel):
    survey_id: int
    submitted_on: date
