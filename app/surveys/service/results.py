"""A survey's results: per question, counts and percentages per option, the mean, median and
distribution of scales, and the free-text answers, overall or broken down by a coarse
attribute of the responses (country, institution, profession).

Small numbers are suppressed: a survey, a question or a group with fewer responses than the
threshold shows no figure at all. A breakdown hides its small groups and pools them into one
"other groups" row; when that pool would itself be small, the smallest shown groups join it
until it is not, so that no hidden group can be computed back from the total. Every figure
is aggregated in SQL (GROUP BY): the statements are the same whatever the responses."""

import hashlib
import hmac
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from app.accounts.models import Institution
from app.core.actors import Actor
from app.core.config import Settings
from app.core.errors import Invalid
from app.core.i18n import N_
from app.core.suppression import complementary_suppression
from app.surveys.models import (
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    SurveySection,
)
from app.surveys.service.access import survey_for_results


class Breakdown(StrEnum):
    COUNTRY = "country"
    INSTITUTION = "institution"
    PROFESSION = "profession"


DIMENSIONS: dict[Breakdown, InstrumentedAttribute[Any]] = {
    Breakdown.COUNTRY: SurveyResponse.country,
    Breakdown.INSTITUTION: SurveyResponse.institution_id,
    Breakdown.PROFESSION: SurveyResponse.profession,
}
_POSITION = {Breakdown.COUNTRY: 0, Breakdown.INSTITUTION: 1, Breakdown.PROFESSION: 2}
CHOICES = frozenset({QuestionKind.LIKERT, QuestionKind.SINGLE, QuestionKind.MULTIPLE})
SCALES = frozenset({QuestionKind.LIKERT, QuestionKind.RATING, QuestionKind.NUMBER})
TEXTS = frozenset({QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT})
RATING_POINTS = range(11)
NUMBER_BARS = 10  # a number question's distribution: its values, or this many ranges
PERCENT = Decimal("0.1")
CENTRE = Decimal("0.01")

GroupValue = str | int | None  # a country code, an institution's id, a profession; or unknown


class BreakdownNotOffered(Invalid):
    code = "breakdown_not_offered"
    title = N_("This breakdown is not offered: fewer than two of its groups have enough responses.")


@dataclass(frozen=True)
class Figure:
    """One bar: an option, a point of a scale or a range of numbers."""

    label: str
    count: int
    percent: Decimal  # of the question's respondents


@dataclass(frozen=True)
class QuestionResults:
    """A suppressed question (fewer respondents than the threshold) carries no figure."""

    id: int
    section: str
    text: str
    kind: QuestionKind
    suppressed: bool
    answered: int | None = None  # respondents who answered it
    figures: tuple[Figure, ...] = ()
    mean: Decimal | None = None
    median: Decimal | None = None
    texts: tuple[str, ...] = ()

    @property
    def multiple(self) -> bool:
        """Each respondent may choose several options: the percentages add up to more."""
        return self.kind is QuestionKind.MULTIPLE

    @property
    def scale(self) -> bool:
        return self.kind in SCALES


@dataclass(frozen=True)
class GroupResults:
    """A shown group of a breakdown, or (`pooled`) every hidden group together."""

    value: GroupValue
    name: str | None  # an institution's name
    pooled: bool
    responses: int
    questions: tuple[QuestionResults, ...]  # free-text questions are listed overall only


@dataclass(frozen=True)
class SurveyResults:
    survey: Survey
    threshold: int
    suppressed: bool  # fewer responses than the threshold: no figure at all
    responses: int | None
    questions: tuple[QuestionResults, ...]
    offered: tuple[Breakdown, ...]  # breakdowns with at least two groups at the threshold
    by: Breakdown | None = None
    groups: tuple[GroupResults, ...] = ()


def survey_results(
    session: Session, settings: Settings, actor: Actor, survey_id: int, by: Breakdown | None
) -> SurveyResults:
    """The results for those who may read them; every figure of fewer responses than the
    threshold is withheld, and a breakdown is given only where it is offered."""
    survey = survey_for_results(session, actor, survey_id)
    return results_of(session, settings, survey, by)


def threshold_of(settings: Settings, survey: Survey) -> int:
    """A survey may raise the platform's threshold, never lower it."""
    return max(settings.survey_min_group_size, survey.min_group_size or 0)


def results_of(
    session: Session, settings: Settings, survey: Survey, by: Breakdown | None
) -> SurveyResults:
    threshold = threshold_of(settings, survey)
    questions = _questions(session, survey.id)
    sizes = _response_sizes(session, survey.id)
    total = sum(sizes.values())
    if total < threshold:
        if by is not None:
            raise BreakdownNotOffered(field="by")
        hidden = tuple(_suppressed(question, section) for question, section in questions)
        return SurveyResults(survey, threshold, True, None, hidden, ())
    offered = tuple(b for b in Breakdown if _offered(_group_sizes(sizes, b), threshold))
    if by is not None and by not in offered:
        raise BreakdownNotOffered(field="by")
    key = DIMENSIONS[by] if by is not None else None
    values = _value_counts(session, survey.id, key)
    answered = _answered(session, survey.id, key)
    texts = _texts(session, settings, survey.id)
    overall = tuple(
        _question(
            question, section, _summed(values[question.id], None),
            sum(answered[question.id].values()), texts.get(question.id, ()), threshold,
        )
        for question, section in questions
    )  # fmt: skip
    if by is None:
        return SurveyResults(survey, threshold, False, total, overall, offered)
    groups = _groups(session, by, sizes, questions, values, answered, threshold)
    return SurveyResults(survey, threshold, False, total, overall, offered, by, groups)


# --- Suppression ----------------------------------------------------------------------------


def _offered(groups: Mapping[GroupValue, int], threshold: int) -> bool:
    return sum(1 for size in groups.values() if size >= threshold) >= 2


def _group_sizes(
    sizes: Mapping[tuple[GroupValue, ...], int], by: Breakdown
) -> dict[GroupValue, int]:
    grouped: dict[GroupValue, int] = Counter()
    for attributes, size in sizes.items():
        grouped[attributes[_POSITION[by]]] += size
    return grouped


def _groups(
    session: Session, by: Breakdown, sizes: Mapping[tuple[GroupValue, ...], int],
    questions: Sequence[tuple[SurveyQuestion, str]],
    values: Mapping[int, Mapping[GroupValue, Counter[Decimal]]],
    answered: Mapping[int, Mapping[GroupValue, int]], threshold: int,
) -> tuple[GroupResults, ...]:  # fmt: skip
    """The shown groups, then the pool of hidden ones; within them, each question's cells
    are suppressed the same way (a group's respondents to one question may be few)."""
    group_sizes = _group_sizes(sizes, by)
    shown, hidden = complementary_suppression(group_sizes, threshold)
    cells: list[tuple[GroupValue, bool, frozenset[GroupValue]]] = [
        (value, False, frozenset({value})) for value in shown
    ]
    if sum(group_sizes[value] for value in hidden) >= threshold:
        cells.append((None, True, frozenset(hidden)))
    per_cell: list[list[QuestionResults]] = [[] for _ in cells]
    for question, section in questions:
        if question.kind in TEXTS:
            continue
        counts = {
            index: sum(answered[question.id].get(value, 0) for value in members)
            for index, (_, _, members) in enumerate(cells)
        }
        shown_cells, _ = complementary_suppression(counts, threshold)
        for index, (_, _, members) in enumerate(cells):
            found = (
                _question(
                    question, section, _summed(values[question.id], members), counts[index],
                    (), threshold,
                )
                if index in shown_cells
                else _suppressed(question, section)
            )  # fmt: skip
            per_cell[index].append(found)
    names = _institution_names(session, by, shown)
    return tuple(
        GroupResults(
            value, names.get(value), pooled, sum(group_sizes[m] for m in members),
            tuple(per_cell[index]),
        )
        for index, (value, pooled, members) in enumerate(cells)
    )  # fmt: skip


def _summed(
    by_group: Mapping[GroupValue, Counter[Decimal]], members: Iterable[GroupValue] | None
) -> Counter[Decimal]:
    """The values of the groups given (of every group: None)."""
    total: Counter[Decimal] = Counter()
    for value, counts in by_group.items():
        if members is None or value in members:
            total.update(counts)
    return total


# --- Figures of one question ----------------------------------------------------------------


def _suppressed(question: SurveyQuestion, section: str) -> QuestionResults:
    return QuestionResults(question.id, section, question.text, question.kind, True)


def _question(
    question: SurveyQuestion, section: str, values: Counter[Decimal], answered: int,
    texts: tuple[str, ...], threshold: int,
) -> QuestionResults:  # fmt: skip
    if answered < threshold:
        return _suppressed(question, section)
    mean, median = _centre(question.kind, values)
    return QuestionResults(
        question.id, section, question.text, question.kind, False, answered,
        _figures(question, values, answered), mean, median, texts,
    )  # fmt: skip


def _percent(count: int, answered: int) -> Decimal:
    return (Decimal(count * 100) / answered).quantize(PERCENT, ROUND_HALF_UP)


def _figures(
    question: SurveyQuestion, values: Counter[Decimal], answered: int
) -> tuple[Figure, ...]:
    if question.kind in CHOICES:
        bars = [(label, values[Decimal(index)]) for index, label in enumerate(question.options)]
    elif question.kind is QuestionKind.RATING:
        bars = [(str(point), values[Decimal(point)]) for point in RATING_POINTS]
    elif question.kind is QuestionKind.NUMBER:
        bars = _number_bars(values)
    else:
        return ()
    return tuple(Figure(label, count, _percent(count, answered)) for label, count in bars)


def _number_bars(values: Counter[Decimal]) -> list[tuple[str, int]]:
    """Each value, or when they are many, ten ranges of equal width."""
    found = sorted(value for value, count in values.items() if count)
    if len(found) <= NUMBER_BARS:
        return [(plain(value), values[value]) for value in found]
    low, high = found[0], found[-1]
    width = (high - low) / NUMBER_BARS
    counts = [0] * NUMBER_BARS
    for value in found:
        counts[min(int((value - low) / width), NUMBER_BARS - 1)] += values[value]
    edges = [low + width * step for step in range(NUMBER_BARS + 1)]
    return [(f"{plain(edges[i])}–{plain(edges[i + 1])}", counts[i]) for i in range(NUMBER_BARS)]


def _centre(kind: QuestionKind, values: Counter[Decimal]) -> tuple[Decimal | None, Decimal | None]:
    """Mean and median of a scale; a Likert scale's points count from 1 (its first label)."""
    if kind not in SCALES:
        return None, None
    shift = Decimal(1) if kind is QuestionKind.LIKERT else Decimal(0)
    points = sorted((value + shift, count) for value, count in values.items() if count)
    n = sum(count for _, count in points)
    if not n:
        return None, None
    mean = sum((value * count for value, count in points), Decimal(0)) / n
    middle = [_nth(points, (n - 1) // 2), _nth(points, n // 2)]
    median = (middle[0] + middle[1]) / 2
    return mean.quantize(CENTRE, ROUND_HALF_UP), median.quantize(CENTRE, ROUND_HALF_UP)


def _nth(points: Sequence[tuple[Decimal, int]], index: int) -> Decimal:
    seen = 0
    for value, count in points:
        seen += count
        if index < seen:
            return value
    raise IndexError(index)


def plain(value: Decimal) -> str:
    """A number without trailing zeros or exponent: 3, 2.5, 1000."""
    text = f"{value.quantize(Decimal('0.001')):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# --- Statements (each one, whatever the number of responses) -------------------------------


def _questions(session: Session, survey_id: int) -> list[tuple[SurveyQuestion, str]]:
    rows = session.execute(
        select(SurveyQuestion, SurveySection.title)
        .join(SurveySection, SurveySection.id == SurveyQuestion.section_id)
        .where(SurveyQuestion.survey_id == survey_id)
        .order_by(SurveySection.position, SurveyQuestion.position)
    )
    return [(question, title) for question, title in rows]


def _response_sizes(session: Session, survey_id: int) -> dict[tuple[GroupValue, ...], int]:
    """Responses per (country, institution, profession): the total, and every breakdown."""
    attributes = (SurveyResponse.country, SurveyResponse.institution_id, SurveyResponse.profession)
    rows = session.execute(
        select(*attributes, func.count())
        .where(SurveyResponse.survey_id == survey_id)
        .group_by(*attributes)
    )
    return {(country, institution, profession): size for country, institution, profession, size
            in rows}  # fmt: skip


def _grouping(key: InstrumentedAttribute[Any] | None) -> list[InstrumentedAttribute[Any]]:
    return [key] if key is not None else []


def _value_counts(
    session: Session, survey_id: int, key: InstrumentedAttribute[Any] | None
) -> defaultdict[int, defaultdict[GroupValue, Counter[Decimal]]]:
    """How often each value (an option's index, a rating, a number) was given, per question
    and group."""
    columns = [*_grouping(key), SurveyAnswer.question_id, SurveyAnswer.number]
    rows = session.execute(
        select(*columns, func.count())
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(SurveyResponse.survey_id == survey_id, SurveyAnswer.number.is_not(None))
        .group_by(*columns)
    )
    found: defaultdict[int, defaultdict[GroupValue, Counter[Decimal]]] = defaultdict(
        lambda: defaultdict(Counter)
    )
    for row in rows:
        *group, question_id, number, count = row
        found[question_id][group[0] if group else None][Decimal(str(number))] += count
    return found


def _answered(
    session: Session, survey_id: int, key: InstrumentedAttribute[Any] | None
) -> defaultdict[int, dict[GroupValue, int]]:
    """Respondents who answered each question, per group (a multiple choice's respondent
    once, however many options they chose)."""
    columns = [*_grouping(key), SurveyAnswer.question_id]
    rows = session.execute(
        select(*columns, func.count(SurveyAnswer.response_id.distinct()))
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(
            SurveyResponse.survey_id == survey_id,
            or_(SurveyAnswer.number.is_not(None), SurveyAnswer.text != ""),
        )
        .group_by(*columns)
    )
    found: defaultdict[int, dict[GroupValue, int]] = defaultdict(dict)
    for row in rows:
        *group, question_id, count = row
        found[question_id][group[0] if group else None] = count
    return found


def _texts(session: Session, settings: Settings, survey_id: int) -> dict[int, tuple[str, ...]]:
    """Free-text answers, never with their respondent, in an order of their own per question
    (keyed by the platform's secret): neither the order they came in nor one that matches a
    respondent's answers across questions."""
    rows = session.execute(
        select(SurveyAnswer.question_id, SurveyAnswer.id, SurveyAnswer.text)
        .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
        .where(
            SurveyQuestion.survey_id == survey_id,
            SurveyQuestion.kind.in_(TEXTS),
            SurveyAnswer.text != "",
        )
    )
    key = settings.signing_key.encode()
    found: defaultdict[int, list[tuple[bytes, str]]] = defaultdict(list)
    for question_id, answer_id, text in rows:
        order = hmac.new(key, f"{question_id}:{answer_id}".encode(), hashlib.sha256).digest()
        found[question_id].append((order, text or ""))
    return {question: tuple(text for _, text in sorted(texts)) for question, texts in found.items()}


def _institution_names(
    session: Session, by: Breakdown, shown: Sequence[GroupValue]
) -> dict[GroupValue, str]:
    ids = [value for value in shown if isinstance(value, int)]
    if by is not Breakdown.INSTITUTION or not ids:
        return {}
    rows = session.execute(select(Institution.id, Institution.name).where(Institution.id.in_(ids)))
    return dict(rows)
