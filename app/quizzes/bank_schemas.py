"""Input and output shapes of the question bank: categories, questions and their versions,
import results. A question's `definition` is checked by its type (`app.quizzes.questions`)."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from app.core.inputs import Id, Patch, StrictInput
from app.quizzes.models import QuestionType

Name = Annotated[str, Field(min_length=1, max_length=200)]
Tag = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[^,]+$")]
Mark = Annotated[Decimal, Field(gt=0, le=1000, max_digits=10, decimal_places=4)]


class CategoryCreate(StrictInput):
    name: Name
    description: str = Field(default="", max_length=2000)
    parent_id: Id | None = None


class CategoryUpdate(Patch):
    """Rename, describe or move a category (`parent_id: null` moves it to the top)."""

    nullable = frozenset({"parent_id"})

    name: Name | None = None
    description: str | None = Field(default=None, max_length=2000)
    parent_id: Id | None = None
    position: int | None = Field(default=None, ge=0, le=10000)


class CategoryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    course_id: int
    parent_id: int | None
    name: str
    description: str
    position: int
    depth: int
    question_count: int


class QuestionWrite(StrictInput):
    """What a save of a question sets; each save is a new version."""

    name: str = Field(min_length=1, max_length=300)
    text: str = Field(
        min_length=1,
        max_length=20000,
        description="Markdown. For a cloze question, the text with its gaps "
        "(`{1:SHORTANSWER:=answer}`).",
    )
    definition: dict[str, Any] = Field(
        default_factory=dict,
        description="What the type needs (see the question-bank documentation); empty for cloze.",
    )
    default_mark: Mark = Decimal(1)
    general_feedback: str = Field(default="", max_length=20000)
    tags: list[Tag] = Field(default_factory=list, max_length=20)


class QuestionCreate(QuestionWrite):
    qtype: QuestionType
    category_id: Id | None = Field(
        default=None, description="The course's default category when left out."
    )


class QuestionUpdate(QuestionWrite):
    category_id: Id | None = None


class QuestionVersionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    version: int
    qtype: QuestionType
    name: str
    text_markdown: str
    text_html: str
    definition: dict[str, Any]
    default_mark: Decimal
    general_feedback_markdown: str
    general_feedback_html: str
    created_at: datetime
    created_by_id: int | None


class QuestionRead(BaseModel):
    id: int
    course_id: int
    category_id: int
    latest_version: int
    retired: bool
    created_at: datetime
    tags: list[str]
    current: QuestionVersionRead


class ImportedQuestion(BaseModel):
    category: str
    qtype: QuestionType
    name: str


class ImportRead(BaseModel):
    """What an import created (or, with `dry_run`, would create)."""

    created: int
    categories_created: list[str]
    questions: list[ImportedQuestion]
    skipped: list[str]
    dry_run: bool


class QuestionList(BaseModel):
    items: list[QuestionRead]
    total: int
    page: int
    pages: int
