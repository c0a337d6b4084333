"""Conversion by ECTS grading tables: the worked example of docs/credits/tables.md (a tie, a
failing grade, overlapping bands) and the property that the result is always an overlapping
grade."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.credits.service.conversion import RULE, Band, NotConvertible, convert


def table(*rows: tuple[str, str]) -> list[Band]:
    bands: list[Band] = []
    cumulative = Decimal(0)
    for grade, percent in rows:
        cumulative += Decimal(percent)
        bands.append(Band(grade, Decimal(percent), cumulative))
    return bands


# The partner's (Kazakh letter scale) and ours (Russian 5-point scale), best grade first.
PARTNER = table(("A", "20"), ("B", "20"), ("C", "60"))
OURS = table(("отлично", "30"), ("хорошо", "40"), ("удовлетворительно", "30"))


def test_the_best_grade_converts_to_the_band_holding_its_midpoint() -> None:
    result = convert(PARTNER, OURS, "A")
    assert result.grade == "отлично"
    assert result.source_band == (Decimal(0), Decimal(20))
    assert result.midpoint == Decimal(10)
    assert result.overlapping == ("отлично",)
    assert result.rule == RULE == "ects-grading-table-midpoint"


def test_a_midpoint_on_a_boundary_goes_to_the_better_grade() -> None:
    result = convert(PARTNER, OURS, "B")
    assert result.midpoint == Decimal(30)  # exactly where отлично ends and хорошо begins
    assert result.grade == "отлично"
    assert result.overlapping == ("отлично", "хорошо")


def test_a_wide_band_reports_every_grade_it_overlaps() -> None:
    result = convert(PARTNER, OURS, "C")
    assert result.source_band == (Decimal(40), Decimal(100))
    assert result.midpoint == Decimal(70)
    assert result.grade == "хорошо"
    assert result.overlapping == ("хорошо", "удовлетворительно")


def test_the_same_grade_converts_differently_back() -> None:
    assert convert(OURS, PARTNER, "хорошо").grade == "C"  # midpoint 50 lies in C's 40..100
    assert convert(PARTNER, OURS, "C").grade == "хорошо"
    assert convert(OURS, PARTNER, "отлично").grade == "A"  # midpoint 15


def test_a_failing_grade_is_never_converted() -> None:
    with pytest.raises(NotConvertible) as refused:
        convert(PARTNER, OURS, "F")
    assert refused.value.code == "grade_not_convertible"
    assert refused.value.field == "grade"


def test_an_empty_table_converts_nothing() -> None:
    with pytest.raises(NotConvertible):
        convert([], OURS, "A")
    with pytest.raises(NotConvertible):
        convert(PARTNER, [], "A")


def test_a_grade_nobody_received_in_the_target_is_never_the_result() -> None:
    target = table(("5", "50"), ("4", "0"), ("3", "50"))
    result = convert(table(("A", "50"), ("B", "50")), target, "B")
    assert result.grade == "3"
    assert "4" not in result.overlapping


def test_a_table_rounded_short_of_100_still_covers_the_last_grade() -> None:
    target = table(("5", "33.33"), ("4", "33.33"), ("3", "33.33"))  # ends at 99.99
    result = convert(table(("A", "1"), ("B", "99")), target, "B")
    assert result.source_band == (Decimal(1), Decimal(100))
    assert result.grade == "4"


percents = st.lists(st.integers(min_value=0, max_value=100), min_size=1, max_size=8)


def to_table(prefix: str, weights: list[int]) -> list[Band]:
    total = sum(weights) or 1
    parts = [
        (f"{prefix}{index}", str((Decimal(w) * 100 / total).quantize(Decimal("0.01"))))
        for index, w in enumerate(weights)
    ]
    return table(*parts)


@given(source=percents, target=percents.filter(any), data=st.data())
def test_the_result_always_lies_within_the_overlapping_grades(
    source: list[int], target: list[int], data: st.DataObject
) -> None:
    source_table = to_table("s", source)
    grade = data.draw(st.sampled_from([band.grade for band in source_table]))
    result = convert(source_table, to_table("t", target), grade)
    assert result.grade in result.overlapping
    low, high = result.source_band
    assert low <= result.midpoint <= high
