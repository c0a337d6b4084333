"""Grade conversion by ECTS grading tables (ECTS Users' Guide 2015), pure: no database.

A table lists the passing grades of a reference group best first, each with its percentage and
its cumulative percentage. A grade's band runs from the cumulative percentage of the better
grades to its own. A source grade converts to the target grade whose band contains the midpoint
of the source grade's band; when the midpoint falls exactly on the boundary between two target
bands, the better grade wins. Every target grade whose band overlaps the source band is
reported with the result. Failing grades are not in the tables and are never converted.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from app.core.errors import Invalid
from app.core.i18n import N_

RULE = "ects-grading-table-midpoint"
HUNDRED = Decimal("100.00")
ZERO = Decimal("0.00")


class NotConvertible(Invalid):
    """The grade cannot be converted: it is failing, it is not in the source table, or a table
    has no passing grade."""

    code = "grade_not_convertible"
    title = N_("This grade cannot be converted by the grading tables.")

    def __init__(self, detail: str | None = None, *, field: str | None = "grade") -> None:
        super().__init__(detail, field=field)


@dataclass(frozen=True)
class Band:
    """One row of a grading table; a table's rows come best grade first."""

    grade: str
    percent: Decimal
    cumulative: Decimal


@dataclass(frozen=True)
class Conversion:
    """The target grade, the overlapping target grades (best first), the rule applied, and the
    source grade's band with its midpoint."""

    grade: str
    overlapping: tuple[str, ...]
    rule: str
    source_band: tuple[Decimal, Decimal]
    midpoint: Decimal


@dataclass(frozen=True)
class _Span:
    grade: str
    low: Decimal
    high: Decimal


def _spans(table: Sequence[Band]) -> list[_Span]:
    """Each row's band [cumulative of the better grades, its cumulative], within 0..100. The
    last band ends at 100, so a table whose percentages were rounded (99.99) still covers every
    midpoint."""
    spans: list[_Span] = []
    low = ZERO
    for index, band in enumerate(table):
        high = HUNDRED if index == len(table) - 1 else min(HUNDRED, band.cumulative)
        high = max(low, high)
        spans.append(_Span(band.grade.strip(), low, high))
        low = high
    return spans


def _band_of(spans: Sequence[_Span], grade: str) -> _Span:
    wanted = grade.strip()
    for span in spans:
        if span.grade == wanted:
            return span
    raise NotConvertible(N_("This grade is not in the source table (failing grades never are)."))


def _overlaps(span: _Span, low: Decimal, high: Decimal) -> bool:
    if low == high:  # a band of no width (nobody got the grade) touches at its one point
        return span.low <= low <= span.high
    return max(span.low, low) < min(span.high, high)


def convert(source: Sequence[Band], target: Sequence[Band], grade: str) -> Conversion:
    """Convert `grade` of the source table to the target table: the target grade whose band
    contains the midpoint of the source grade's band, the better one on a tie."""
    if not source or not target:
        raise NotConvertible(N_("A grading table has no passing grade."), field=None)
    source_span = _band_of(_spans(source), grade)
    midpoint = (source_span.low + source_span.high) / 2
    # A grade nobody received in the target table has a band of no width: never the result.
    candidates = [span for span in _spans(target) if span.high > span.low]
    if not candidates:
        raise NotConvertible(N_("A grading table has no passing grade."), field=None)
    # Best first: the first band reaching the midpoint contains it, and wins a tie on a boundary.
    chosen = next(
        (span for span in candidates if span.high >= midpoint and span.low <= midpoint),
        candidates[-1],
    )
    overlapping = tuple(
        span.grade for span in candidates if _overlaps(span, source_span.low, source_span.high)
    )
    return Conversion(
        grade=chosen.grade,
        overlapping=overlapping,
        rule=RULE,
        source_band=(source_span.low, source_span.high),
        midpoint=midpoint,
    )
