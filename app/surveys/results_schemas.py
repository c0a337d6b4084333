"""Survey results as the API gives them. A suppressed entry says `"suppressed": true` and
carries no number at all (the routes leave out every empty field)."""

from pydantic import BaseModel, Field

from app.surveys.models import QuestionKind
from app.surveys.service.results import (
    TEXTS,
    Breakdown,
    GroupResults,
    QuestionResults,
    SurveyResults,
)


class FigureRead(BaseModel):
    label: str = Field(description="the option's label, the scale's point or a range of numbers")
    count: int
    percent: float = Field(description="of the respondents who answered the question")


class QuestionResultsRead(BaseModel):
    id: int
    section: str
    text: str
    kind: QuestionKind
    suppressed: bool = Field(description="fewer respondents than the threshold: no figures")
    answered: int | None = Field(None, description="respondents who answered the question")
    figures: list[FigureRead] | None = Field(
        None,
        description="per option (choice, Likert) or point or range (rating, number); for a "
        "multiple choice each respondent may choose several, so the percentages can add up to "
        "more than 100",
    )
    mean: float | None = Field(None, description="scales; a Likert scale's points count from 1")
    median: float | None = None
    texts: list[str] | None = Field(
        None, description="free-text answers, in an order unrelated to the respondents'"
    )


class GroupResultsRead(BaseModel):
    label: str
    value: str | None = Field(
        None, description="the country code, institution id or profession; none for the pool"
    )
    pooled: bool = Field(description="the groups too small to show, together")
    responses: int
    questions: list[QuestionResultsRead] = Field(description="free-text questions excepted")


class SurveyResultsRead(BaseModel):
    survey_id: int
    title: str
    threshold: int = Field(description="groups of fewer responses show no figures")
    suppressed: bool
    responses: int | None = None
    questions: list[QuestionResultsRead]
    breakdowns: list[Breakdown] = Field(description="the breakdowns offered for this survey")
    by: Breakdown | None = None
    groups: list[GroupResultsRead] | None = None


def question_read(question: QuestionResults) -> QuestionResultsRead:
    if question.suppressed:
        return QuestionResultsRead(
            id=question.id, section=question.section, text=question.text, kind=question.kind,
            suppressed=True,
        )  # fmt: skip
    texts = list(question.texts) if question.kind in TEXTS else None
    return QuestionResultsRead(
        id=question.id, section=question.section, text=question.text, kind=question.kind,
        suppressed=False, answered=question.answered,
        figures=[FigureRead(label=f.label, count=f.count, percent=float(f.percent))
                 for f in question.figures] or None,
        mean=_float(question.mean), median=_float(question.median), texts=texts,
    )  # fmt: skip


def _float(value: object) -> float | None:
    return None if value is None else float(str(value))


def results_read(results: SurveyResults, labels: list[str]) -> SurveyResultsRead:
    """`labels` name the groups, in the language asked for."""
    return SurveyResultsRead(
        survey_id=results.survey.id, title=results.survey.title, threshold=results.threshold,
        suppressed=results.suppressed, responses=results.responses,
        questions=[question_read(q) for q in results.questions],
        breakdowns=list(results.offered), by=results.by,
        groups=[_group_read(g, label) for g, label in zip(results.groups, labels, strict=True)]
        if results.by is not None else None,
    )  # fmt: skip


def _group_read(group: GroupResults, label: str) -> GroupResultsRead:
    return GroupResultsRead(
        label=label, value=None if group.value is None else str(group.value),
        pooled=group.pooled, responses=group.responses,
        questions=[question_read(q) for q in group.questions],
    )  # fmt: skip
